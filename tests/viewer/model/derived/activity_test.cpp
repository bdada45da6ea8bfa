// Activity: which events fly as tokens on which edge (one per real hop), how far a token has
// flown, glows, and the switch to per-edge rates when the window holds too many hops.
#include "viewer/model/activity.h"

#include <chrono>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using test::Ev;

std::string describe(const std::optional<EdgeKey>& edge)
{
    if (!edge) return "none";
    return std::string(edgeClassName(edge->cls)) + " " + std::to_string(edge->a) + " " +
           std::to_string(edge->b);
}

TEST(HopEdge, EveryEventOfTheArticleTrace)
{
    TraceStore store;
    test::loadArticle(store);
    // seq -> the edge its token flies, or none. The decision events (reactor_assign,
    // connect_notify, dispatch, send_request, close_request) glow; their pipe_write flies.
    std::map<uint64_t, std::optional<EdgeKey>> expected = {
        {14, EdgeKey{EdgeClass::ClientToMain, 1, -1}},
        {16, EdgeKey{EdgeClass::MainToReactor, 0, -1}},
        {19, EdgeKey{EdgeClass::ReactorToWorker, 0, 2}},
        {20, EdgeKey{EdgeClass::ClientToReactor, 0, 1}},
        {22, EdgeKey{EdgeClass::ReactorToWorker, 0, 2}},
        {29, EdgeKey{EdgeClass::WorkerToReactor, 0, 2}},
        {33, EdgeKey{EdgeClass::WorkerToReactor, 0, 2}},
        {35, EdgeKey{EdgeClass::ReactorToClient, 0, 1}},
        {36, EdgeKey{EdgeClass::ReactorToClient, 0, 1}},
    };
    for (size_t i = 0; i < store.size(); ++i)
    {
        const Event& e = store[i];
        auto it = expected.find(e.seq);
        std::optional<EdgeKey> want = it == expected.end() ? std::nullopt : it->second;
        EXPECT_EQ(describe(hopEdge(e)), describe(want))
            << "seq " << e.seq << " " << trace::kindInfo(e.kind).name;
    }
}

TEST(HopEdge, KindsTheArticleDoesNotHave)
{
    Ev peerClose = Ev(EventKind::PeerClose, Role::Reactor, 1).reactor(1).session(9);
    EXPECT_EQ(describe(hopEdge(peerClose.e)), describe(EdgeKey{EdgeClass::ClientToReactor, 1, 9}));
    Ev restart = Ev(EventKind::WorkerRestart, Role::Manager).worker(3);
    EXPECT_EQ(describe(hopEdge(restart.e)), describe(EdgeKey{EdgeClass::ManagerToWorker, -1, 3}));
    // Worker to worker (a task, its result, a message): the sender is the actor; the picture
    // draws an edge only where one exists (task and finish edges).
    Ev forward =
        Ev(EventKind::PipeWrite, Role::Worker, 1).worker(3).direction(Direction::ToWorkerForward);
    EXPECT_EQ(describe(hopEdge(forward.e)),
              describe(EdgeKey{EdgeClass::WorkerToWorker, forward.e.actor, 3}));
    Ev task =
        Ev(EventKind::PipeWrite, Role::Worker, 0).worker(2).direction(Direction::ToTaskWorker);
    EXPECT_EQ(describe(hopEdge(task.e)),
              describe(EdgeKey{EdgeClass::WorkerToWorker, task.e.actor, 2}));
    Ev taskRestart = Ev(EventKind::TaskWorkerRestart, Role::Manager).worker(2);
    EXPECT_EQ(describe(hopEdge(taskRestart.e)),
              describe(EdgeKey{EdgeClass::ManagerToWorker, -1, 2}));
    for (EventKind k : {EventKind::CloseNotify, EventKind::Dispatch, EventKind::ConnectNotify,
                        EventKind::SendRequest, EventKind::CloseRequest, EventKind::ReactorAssign,
                        EventKind::Frame, EventKind::WorkerReceive})
        EXPECT_FALSE(hopEdge(Ev(k, Role::Reactor, 0).reactor(0).worker(1).session(2).e))
            << trace::kindInfo(k).name;
}

TEST(EdgeClassName, NamesEveryClass)
{
    EXPECT_STREQ(edgeClassName(EdgeClass::ClientToMain), "client->main");
    EXPECT_STREQ(edgeClassName(EdgeClass::ManagerToWorker), "manager->worker");
}

class ArticleActivity : public testing::Test
{
  protected:
    void SetUp() override
    {
        test::loadArticle(store_);
        timeline_.rebuild(store_);
    }
    Activity at(size_t maxHops = 48)
    {
        cursor_.moveTo(store_, timeline_, playback_.position());
        return computeActivity(store_, playback_, timeline_, cursor_.state(), maxHops);
    }

    TraceStore store_;
    StateTimeline timeline_{8};
    StateCursor cursor_;
    Playback playback_;
};

TEST_F(ArticleActivity, TokenProgressFollowsItsAge)
{
    size_t accept = test::indexOfSeq(store_, 14);
    double lifetime = playback_.tokenLifetimeSec();
    for (double phase : {0.0, 0.15, 0.3, 0.45, 0.59})
    {
        playback_.seekEvent(store_, accept, phase);
        Activity act = at();
        ASSERT_FALSE(act.rateMode);
        ASSERT_EQ(act.hops.size(), 1u) << phase;  // event pace 700 ms > lifetime 600 ms
        EXPECT_EQ(act.hops[0].eventIndex, accept);
        EXPECT_EQ(act.hops[0].edge, (EdgeKey{EdgeClass::ClientToMain, 1, -1}));
        EXPECT_NEAR(act.hops[0].progress, phase / lifetime, 1e-9);
    }
    // Landed, and still the cursor's newest hop: it stays where it arrived (CurrentHop).
    playback_.seekEvent(store_, accept, lifetime);
    Activity landed = at();
    ASSERT_EQ(landed.hops.size(), 1u);
    EXPECT_EQ(landed.hops[0].eventIndex, accept);
    EXPECT_DOUBLE_EQ(landed.hops[0].progress, 1.0);
}

TEST_F(ArticleActivity, RealTimeTokensOfOneBurstFlyTogether)
{
    // The request's events span about 300 us of trace time: at 0.01x they all fly at once.
    playback_.setMode(PaceMode::RealTime);
    playback_.setSpeed(Playback::kMinSpeed);
    size_t close = test::indexOfSeq(store_, 36);
    playback_.seekEvent(store_, close, 0.0);
    Activity act = at();
    ASSERT_FALSE(act.rateMode);
    ASSERT_GE(act.hops.size(), 2u);
    for (size_t i = 0; i < act.hops.size(); ++i)
    {
        const Hop& h = act.hops[i];
        double age = playback_.ageSec(store_, h.eventIndex);
        EXPECT_NEAR(h.progress, age / playback_.tokenLifetimeSec(), 1e-9);
        EXPECT_GE(h.progress, 0.0);
        EXPECT_LT(h.progress, 1.0);
        if (i > 0)
        {
            EXPECT_LT(act.hops[i - 1].eventIndex, h.eventIndex);  // oldest first
        }
    }
    EXPECT_EQ(act.hops.back().eventIndex, close);
    EXPECT_EQ(act.hops.back().progress, 0.0);
    EXPECT_EQ(act.windowEvents, close + 1 - playback_.windowStart(store_, 0.6));
}

TEST_F(ArticleActivity, WorkerGlowsInItsCallbackAndFades)
{
    size_t enter = test::indexOfSeq(store_, 27);  // callback_enter onReceive
    playback_.seekEvent(store_, enter, 0.0);
    Activity fresh = at();
    ASSERT_EQ(fresh.glows.size(), 1u);
    EXPECT_EQ(fresh.glows[0].role, Role::Worker);
    EXPECT_EQ(fresh.glows[0].index, 2);
    EXPECT_EQ(fresh.glows[0].eventIndex, enter);
    EXPECT_DOUBLE_EQ(fresh.glows[0].intensity, 1.0);
    EXPECT_TRUE(fresh.hops.empty());  // a callback is not a hop

    playback_.seekEvent(store_, enter, 0.45);
    EXPECT_NEAR(at().glows.at(0).intensity, 0.25, 1e-9);

    playback_.seekEvent(store_, test::indexOfSeq(store_, 14), 0.0);  // accept: the main reactor
    ASSERT_EQ(at().glows.size(), 1u);
    EXPECT_EQ(at().glows[0].role, Role::Master);
    playback_.seekEvent(store_, test::indexOfSeq(store_, 20), 0.0);  // read: its reactor
    EXPECT_EQ(at().glows.at(0).role, Role::Reactor);
    EXPECT_EQ(at().glows.at(0).index, 0);
}

TEST_F(ArticleActivity, RateModeWhenTheWindowHoldsMoreThanMaxHops)
{
    playback_.setMode(PaceMode::RealTime);
    playback_.setSpeed(Playback::kMinSpeed);
    playback_.seekEvent(store_, store_.size() - 1, 0.0);
    size_t hopsInWindow = at(1000).hops.size();
    ASSERT_GE(hopsInWindow, 3u);

    Activity exactly = at(hopsInWindow);
    EXPECT_FALSE(exactly.rateMode);
    EXPECT_EQ(exactly.hops.size(), hopsInWindow);
    EXPECT_TRUE(exactly.rates.empty());

    Activity over = at(hopsInWindow - 1);
    EXPECT_TRUE(over.rateMode);
    EXPECT_TRUE(over.hops.empty());
    EXPECT_FALSE(over.rates.empty());
    EXPECT_FALSE(over.glows.empty());  // glows are still drawn
    uint64_t counted = 0;
    for (const EdgeRate& r : over.rates)
    {
        counted += r.count;
        EXPECT_GT(r.perSecond, 0.0);
        EXPECT_TRUE(r.edge.b == -1 || r.edge.cls == EdgeClass::ReactorToWorker ||
                    r.edge.cls == EdgeClass::WorkerToReactor ||
                    r.edge.cls == EdgeClass::ManagerToWorker);
    }
    EXPECT_EQ(counted, hopsInWindow);
}

// The hop events of [from, to) keyed as rates key them: client edges aggregated, pipe edges by
// the pipe (the synthetic trace writes to_worker only from the pipe's own reactor), forwarded
// messages counted on the pipe they ride, ids the state ignores left out.
std::map<std::tuple<int, int, int64_t>, uint64_t> bruteRates(const TraceStore& store, size_t from,
                                                             size_t to)
{
    constexpr int kReactors = 2;
    constexpr int kWorkers = 4;
    std::map<std::tuple<int, int, int64_t>, uint64_t> out;
    for (size_t i = from; i < to; ++i)
    {
        const Event& e = store[i];
        auto edge = hopEdge(e);
        if (e.kind == EventKind::PipeWrite && e.direction == Direction::ToWorkerForward)
            edge = EdgeKey{EdgeClass::ReactorToWorker, e.worker % kReactors, e.worker};
        if (!edge) continue;
        switch (edge->cls)
        {
            case EdgeClass::ClientToMain:
                edge->a = -1;
                break;
            case EdgeClass::ClientToReactor:
            case EdgeClass::ReactorToClient:
                edge->b = -1;
                break;
            case EdgeClass::ManagerToWorker:
                if (edge->b < 0 || edge->b >= kWorkers) continue;
                break;
            default:
                break;
        }
        if (edge->cls != EdgeClass::ClientToMain && edge->cls != EdgeClass::ManagerToWorker &&
            (edge->a < 0 || edge->a >= kReactors))
            continue;
        ++out[{static_cast<int>(edge->cls), edge->a, edge->b}];
    }
    return out;
}

class SyntheticActivity : public testing::Test
{
  protected:
    static void SetUpTestSuite()
    {
        store_ = new TraceStore();
        test::makeSyntheticTrace(*store_, 200000, 3);
        timeline_ = new StateTimeline(4096);
        timeline_->rebuild(*store_);
    }
    static void TearDownTestSuite()
    {
        delete timeline_;
        delete store_;
    }

    static TraceStore* store_;
    static StateTimeline* timeline_;
};

TraceStore* SyntheticActivity::store_ = nullptr;
StateTimeline* SyntheticActivity::timeline_ = nullptr;

TEST_F(SyntheticActivity, RatesAreTheHopsOfTheWindowPerEdge)
{
    Playback playback;
    playback.setMode(PaceMode::RealTime);
    StateCursor cursor;
    for (double speed : {0.05, 1.0, 100.0})
    {
        playback.setSpeed(speed);
        for (size_t newest : {5000u, 77777u, 199999u})
        {
            playback.seekEvent(*store_, newest, 0.0);
            cursor.moveTo(*store_, *timeline_, playback.position());
            Activity act = computeActivity(*store_, playback, *timeline_, cursor.state(), 48);
            ASSERT_TRUE(act.rateMode) << speed << " " << newest;
            size_t start = playback.windowStart(*store_, playback.tokenLifetimeSec());
            EXPECT_EQ(act.windowEvents, playback.position() - start);
            auto want = bruteRates(*store_, start, playback.position());
            std::map<std::tuple<int, int, int64_t>, uint64_t> got;
            for (const EdgeRate& r : act.rates)
            {
                got[{static_cast<int>(r.edge.cls), r.edge.a, r.edge.b}] += r.count;
                EXPECT_NEAR(r.perSecond, r.count / (act.windowNs / 1e9), 1e-6 * r.perSecond);
            }
            EXPECT_EQ(got, want) << speed << " " << newest;
        }
    }
}

TEST_F(SyntheticActivity, EventPaceShowsOneTokenAtATime)
{
    Playback playback;  // event pace, 700 ms per event, 600 ms lifetime
    StateCursor cursor;
    size_t hopsSeen = 0;
    for (size_t newest = 1000; newest < 1100; ++newest)
    {
        playback.seekEvent(*store_, newest);
        cursor.moveTo(*store_, *timeline_, playback.position());
        Activity act = computeActivity(*store_, playback, *timeline_, cursor.state());
        EXPECT_FALSE(act.rateMode);
        EXPECT_LE(act.hops.size(), 1u);
        EXPECT_EQ(act.windowEvents, 1u);
        if (!act.hops.empty())
        {
            ++hopsSeen;
            // Half-way, unless it is a message still in its pipe (held at the sender) or the
            // newest event is the receive of one (the message is there).
            const CurrentHop& c = act.current;
            ASSERT_TRUE(c.hasEdge);
            EXPECT_EQ(act.hops[0].eventIndex, c.hopEvent);
            double want = c.hopEvent != newest ? 1.0
                          : c.delivered        ? 0.5
                                               : CurrentHop::kHeldAtSender;
            EXPECT_DOUBLE_EQ(act.hops[0].progress, want);
        }
    }
    EXPECT_GT(hopsSeen, 20u);
}

TEST_F(SyntheticActivity, CostDoesNotGrowWithTheWindow)
{
    // 100x real time puts the whole 200k-event trace inside the window: the answer must come
    // from two states, not from a scan. Generous bound: a frame is 16 ms.
    Playback playback;
    playback.setMode(PaceMode::RealTime);
    playback.setSpeed(Playback::kMaxSpeed);
    playback.seekEvent(*store_, store_->size() - 1, 0.0);
    StateCursor cursor;
    cursor.moveTo(*store_, *timeline_, playback.position());
    ASSERT_GT(playback.position() - playback.windowStart(*store_, playback.tokenLifetimeSec()),
              100000u);
    auto begin = std::chrono::steady_clock::now();
    constexpr int kFrames = 20;
    for (int frame = 0; frame < kFrames; ++frame)
    {
        Activity act = computeActivity(*store_, playback, *timeline_, cursor.state());
        ASSERT_TRUE(act.rateMode);
    }
    double msPerFrame =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
            .count() /
        kFrames;
    EXPECT_LT(msPerFrame, 5.0);
}

}  // namespace
}  // namespace rscope::viewer
