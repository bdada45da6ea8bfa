// Playback: stepping is reversible, real-time and event-pace clocks, seeking, the animation
// window, session steps and live mode. Time is injected, so every frame is exact.
#include "viewer/model/playback.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using test::Ev;

constexpr int64_t kT0 = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;

// 20 reads 1 ms apart, except events 5 and 6 which share a timestamp; event i is of session
// i % 3 + 1.
class PlaybackTest : public testing::Test
{
  protected:
    void SetUp() override
    {
        store_.setTopology(test::makeTopology(2, 4));
        for (int i = 0; i < 20; ++i) appendRead(i);
    }
    void appendRead(int i)
    {
        int64_t ts = kT0 + (i == 6 ? 5 : i) * kMs;
        test::append(store_, Ev(EventKind::Read, Role::Reactor, 0).reactor(0).session(i % 3 + 1),
                     ts);
    }
    static int64_t tsOf(int i) { return kT0 + (i == 6 ? 5 : i) * kMs; }

    TraceStore store_;
    Playback playback_;
};

struct Snapshot
{
    size_t position;
    int64_t cursorNs;
    double phaseSec;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snap(const Playback& p)
{
    return Snapshot{p.position(), p.cursorNs(), p.phaseSec()};
}

TEST_F(PlaybackTest, StepForwardPausesWithTheNewestTokenMidFlight)
{
    playback_.play();
    playback_.stepForward(store_);
    EXPECT_FALSE(playback_.playing());
    EXPECT_EQ(playback_.position(), 1u);
    EXPECT_EQ(playback_.cursorNs(), tsOf(0));
    EXPECT_DOUBLE_EQ(playback_.phaseSec(), playback_.tokenLifetimeSec() / 2);
    EXPECT_DOUBLE_EQ(playback_.ageSec(store_, 0), playback_.tokenLifetimeSec() / 2);
    EXPECT_LT(playback_.ageSec(store_, 1), 0);  // not yet
}

TEST_F(PlaybackTest, StepForwardNThenBackNGivesTheIdenticalState)
{
    for (PaceMode mode : {PaceMode::EventPace, PaceMode::RealTime})
    {
        playback_.setMode(mode);
        for (size_t from : {0u, 1u, 4u, 9u})
        {
            if (from == 0)
                playback_.seekStart();
            else
                playback_.seekEvent(store_, from - 1);
            Snapshot start = snap(playback_);
            for (size_t n : {1u, 2u, 7u, 30u})
            {
                size_t steps = std::min(n, store_.size() - from);
                for (size_t i = 0; i < steps; ++i) playback_.stepForward(store_);
                EXPECT_EQ(playback_.position(), from + steps);
                for (size_t i = 0; i < steps; ++i) playback_.stepBack(store_);
                EXPECT_EQ(snap(playback_), start) << "from " << from << " n " << n;
            }
        }
    }
}

TEST_F(PlaybackTest, StepBackThenForwardGivesTheIdenticalState)
{
    playback_.seekEvent(store_, 10);
    Snapshot at = snap(playback_);
    playback_.stepBack(store_);
    EXPECT_EQ(playback_.position(), 10u);
    playback_.stepForward(store_);
    EXPECT_EQ(snap(playback_), at);
    // Across the two events with one timestamp too.
    playback_.seekEvent(store_, 6);
    at = snap(playback_);
    playback_.stepBack(store_);
    EXPECT_EQ(playback_.cursorNs(), at.cursorNs);  // same ts, one event less
    EXPECT_EQ(playback_.position(), 6u);
    playback_.stepForward(store_);
    EXPECT_EQ(snap(playback_), at);
}

TEST_F(PlaybackTest, StepsStopAtBothEnds)
{
    playback_.stepBack(store_);
    EXPECT_EQ(playback_.position(), 0u);
    playback_.seekEvent(store_, 19);
    playback_.stepForward(store_);
    EXPECT_EQ(playback_.position(), 20u);
}

TEST_F(PlaybackTest, SeekEventSetsThePhase)
{
    playback_.seekEvent(store_, 3, 0.1);
    EXPECT_EQ(playback_.position(), 4u);
    EXPECT_EQ(playback_.cursorNs(), tsOf(3));
    EXPECT_DOUBLE_EQ(playback_.ageSec(store_, 3), 0.1);
    playback_.seekEvent(store_, 3);
    EXPECT_DOUBLE_EQ(playback_.phaseSec(), playback_.tokenLifetimeSec() / 2);
    playback_.seekEvent(store_, 500);  // clamped to the last event
    EXPECT_EQ(playback_.position(), 20u);
}

TEST_F(PlaybackTest, SeekNsPassesEveryEventUpToThatTime)
{
    playback_.seekNs(store_, tsOf(3));
    EXPECT_EQ(playback_.position(), 4u);
    playback_.seekNs(store_, tsOf(3) - 1);
    EXPECT_EQ(playback_.position(), 3u);
    playback_.seekNs(store_, tsOf(5));  // events 5 and 6 share it
    EXPECT_EQ(playback_.position(), 7u);
    playback_.seekNs(store_, 0);
    EXPECT_EQ(playback_.position(), 0u);
    playback_.seekNs(store_, INT64_MAX);
    EXPECT_EQ(playback_.position(), 20u);
}

TEST_F(PlaybackTest, SpeedIsClamped)
{
    playback_.setSpeed(1000);
    EXPECT_EQ(playback_.speed(), Playback::kMaxSpeed);
    playback_.setSpeed(0);
    EXPECT_EQ(playback_.speed(), Playback::kMinSpeed);
    playback_.setSpeed(2.5);
    EXPECT_EQ(playback_.speed(), 2.5);
    playback_.setEventIntervalMs(0);
    EXPECT_EQ(playback_.eventIntervalMs(), 1.0);
    playback_.setEventIntervalMs(1e9);
    EXPECT_EQ(playback_.eventIntervalMs(), 10000.0);
}

TEST_F(PlaybackTest, RealTimeAdvanceRunsTraceTimeAtSpeed)
{
    playback_.setMode(PaceMode::RealTime);
    playback_.setSpeed(2.0);
    playback_.seekNs(store_, tsOf(2));
    EXPECT_EQ(playback_.position(), 3u);
    playback_.advance(store_, 0.001);  // paused: nothing moves
    EXPECT_EQ(playback_.cursorNs(), tsOf(2));

    playback_.play();
    playback_.advance(store_, 0.001);  // 1 ms wall = 2 ms trace
    EXPECT_EQ(playback_.cursorNs(), tsOf(2) + 2 * kMs);
    EXPECT_EQ(playback_.position(), 5u);
    EXPECT_DOUBLE_EQ(playback_.ageSec(store_, 4), 0.0);
    EXPECT_DOUBLE_EQ(playback_.ageSec(store_, 2), 2.0 * kMs / 2e9);
    playback_.advance(store_, 0.0005);  // events 5 and 6 (one ts) are reached together
    EXPECT_EQ(playback_.position(), 7u);
}

TEST_F(PlaybackTest, RealTimePlayFromTheStartReachesTheFirstEventAtOnce)
{
    playback_.setMode(PaceMode::RealTime);
    playback_.seekStart();
    playback_.play();
    playback_.advance(store_, 1.0 / 60);
    EXPECT_GE(playback_.position(), 1u);
    EXPECT_LE(playback_.cursorNs(), tsOf(0) + kMs * 17);
}

TEST_F(PlaybackTest, RealTimePlayResumesFromTheSeekedMomentNotHalfALifetimeLater)
{
    // Half a token lifetime (0.3 s) of trace time would pass every event of this trace; playing
    // one short frame from event 2 must only pass events within that frame.
    playback_.setMode(PaceMode::RealTime);
    playback_.seekEvent(store_, 2);
    playback_.play();
    playback_.advance(store_, 0.0001);
    EXPECT_EQ(playback_.position(), store_.lowerBoundNs(tsOf(2) + 100'001));
    EXPECT_NEAR(playback_.ageSec(store_, 2), 0.0001, 1e-9);  // its token flies again
    EXPECT_DOUBLE_EQ(playback_.phaseSec(), 0.0);
}

TEST_F(PlaybackTest, RealTimeStopsAfterTheLastTokensLand)
{
    playback_.setMode(PaceMode::RealTime);
    playback_.seekNs(store_, tsOf(18));
    playback_.play();
    playback_.advance(store_, 0.002);
    EXPECT_EQ(playback_.position(), 20u);
    EXPECT_TRUE(playback_.playing());  // the last token still flies
    playback_.advance(store_, 10.0);
    EXPECT_FALSE(playback_.playing());
    EXPECT_EQ(playback_.position(), 20u);
    EXPECT_NEAR(playback_.ageSec(store_, 19), playback_.tokenLifetimeSec(), 1e-6);
}

TEST_F(PlaybackTest, EventPaceReachesOneEventPerInterval)
{
    playback_.setMode(PaceMode::EventPace);
    playback_.setEventIntervalMs(100);
    playback_.play();
    playback_.advance(store_, 0.05);
    EXPECT_EQ(playback_.position(), 0u);
    playback_.advance(store_, 0.05);
    EXPECT_EQ(playback_.position(), 1u);
    EXPECT_NEAR(playback_.ageSec(store_, 0), 0.0, 1e-9);
    playback_.advance(store_, 0.25);
    EXPECT_EQ(playback_.position(), 3u);
    EXPECT_NEAR(playback_.phaseSec(), 0.05, 1e-9);
    EXPECT_NEAR(playback_.ageSec(store_, 0), 0.25, 1e-9);
    EXPECT_NEAR(playback_.ageSec(store_, 2), 0.05, 1e-9);
    EXPECT_EQ(playback_.cursorNs(), tsOf(2));
}

TEST_F(PlaybackTest, EventPaceLongFrameStopsAtTheEnd)
{
    playback_.setMode(PaceMode::EventPace);
    playback_.setEventIntervalMs(100);
    playback_.play();
    playback_.advance(store_, 1000.0);
    EXPECT_EQ(playback_.position(), 20u);
    EXPECT_FALSE(playback_.playing());
}

TEST_F(PlaybackTest, EventPaceResumesAStepHalfWayToTheNextEvent)
{
    playback_.setMode(PaceMode::EventPace);
    playback_.setEventIntervalMs(700);
    playback_.setTokenLifetimeSec(0.6);
    playback_.stepForward(store_);  // phase 0.3
    playback_.play();
    playback_.advance(store_, 0.39);
    EXPECT_EQ(playback_.position(), 1u);
    playback_.advance(store_, 0.02);
    EXPECT_EQ(playback_.position(), 2u);
}

TEST_F(PlaybackTest, WindowStartIsTheOldestEventYoungerThanTheLifetime)
{
    for (PaceMode mode : {PaceMode::EventPace, PaceMode::RealTime})
    {
        playback_.setMode(mode);
        playback_.setEventIntervalMs(100);
        playback_.setSpeed(0.01);  // 10 ms trace per second: a few events per window
        for (size_t newest : {0u, 3u, 6u, 12u, 19u})
            for (double phase : {0.0, 0.05, 0.3, 0.59, 0.7})
            {
                playback_.seekEvent(store_, newest, phase);
                double lifetime = playback_.tokenLifetimeSec();
                size_t start = playback_.windowStart(store_, lifetime);
                ASSERT_LE(start, playback_.position());
                for (size_t i = start; i < playback_.position(); ++i)
                    EXPECT_LT(playback_.ageSec(store_, i), lifetime) << i;
                if (start > 0)
                {
                    EXPECT_GE(playback_.ageSec(store_, start - 1), lifetime);
                }
            }
    }
}

TEST_F(PlaybackTest, StepSessionFindsTheNextAndPreviousEventOfThatSession)
{
    playback_.seekEvent(store_, 4);  // session 2
    playback_.play();
    playback_.stepSession(store_, 1, true);
    EXPECT_EQ(playback_.position(), 7u);  // event 6
    EXPECT_FALSE(playback_.playing());
    playback_.stepSession(store_, 1, false);
    EXPECT_EQ(playback_.position(), 4u);  // event 3
    playback_.stepSession(store_, 1, false);
    EXPECT_EQ(playback_.position(), 1u);  // event 0
    Snapshot at = snap(playback_);
    playback_.stepSession(store_, 1, false);  // none before: stays put
    EXPECT_EQ(snap(playback_), at);
    playback_.stepSession(store_, 42, true);
    EXPECT_EQ(snap(playback_), at);
}

TEST_F(PlaybackTest, LiveFollowsTheEndAsEventsArrive)
{
    for (PaceMode mode : {PaceMode::EventPace, PaceMode::RealTime})
    {
        playback_.setMode(mode);
        playback_.seekStart();
        playback_.goLive();
        EXPECT_TRUE(playback_.live());
        playback_.advance(store_, 1.0 / 60);
        EXPECT_EQ(playback_.position(), store_.size());
        EXPECT_GE(playback_.cursorNs(), store_.lastNs());
        EXPECT_GE(playback_.ageSec(store_, store_.size() - 1), 0.0);
    }
    appendRead(20);
    appendRead(21);
    playback_.advance(store_, 1.0 / 60);
    EXPECT_EQ(playback_.position(), 22u);
    EXPECT_GE(playback_.cursorNs(), store_.lastNs());

    // Inspecting the past leaves live mode.
    playback_.stepBack(store_);
    EXPECT_FALSE(playback_.live());
    EXPECT_EQ(playback_.position(), 21u);
    appendRead(22);
    playback_.advance(store_, 1.0 / 60);
    EXPECT_EQ(playback_.position(), 21u);
}

TEST(PlaybackEmpty, EmptyStoreStaysAtTheStart)
{
    TraceStore store;
    Playback playback;
    playback.play();
    playback.advance(store, 1.0);
    playback.stepForward(store);
    playback.stepBack(store);
    playback.seekEvent(store, 3);
    EXPECT_EQ(playback.position(), 0u);
    EXPECT_EQ(playback.windowStart(store, 1.0), 0u);
    EXPECT_LT(playback.ageSec(store, 0), 0);
}

}  // namespace
}  // namespace rscope::viewer
