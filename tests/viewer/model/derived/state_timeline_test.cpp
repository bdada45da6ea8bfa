// StateTimeline and StateCursor: the state after any prefix, from keyframes, equals applying
// that prefix from scratch, field by field, whichever way the cursor moves.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

constexpr size_t kEvents = 50000;
constexpr size_t kInterval = 1024;

class SyntheticTimeline : public testing::Test
{
  protected:
    static void SetUpTestSuite()
    {
        store_ = new TraceStore();
        test::makeSyntheticTrace(*store_, kEvents, 7);
    }
    static void TearDownTestSuite()
    {
        delete store_;
        store_ = nullptr;
    }

    // Sorted prefixes worth checking: around keyframes, the ends, and random ones.
    static std::vector<size_t> prefixes()
    {
        std::vector<size_t> n = {0,
                                 1,
                                 2,
                                 kInterval - 1,
                                 kInterval,
                                 kInterval + 1,
                                 3 * kInterval,
                                 3 * kInterval + 517,
                                 kEvents - 1,
                                 kEvents};
        std::mt19937 rng(11);
        for (int i = 0; i < 300; ++i) n.push_back(rng() % (kEvents + 1));
        std::sort(n.begin(), n.end());
        n.erase(std::unique(n.begin(), n.end()), n.end());
        return n;
    }

    static TraceStore* store_;
};

TraceStore* SyntheticTimeline::store_ = nullptr;

TEST_F(SyntheticTimeline, TraceExercisesEveryPartOfTheState)
{
    // Guard for the other tests: the synthetic trace must make the state non-trivial.
    ASSERT_EQ(store_->size(), kEvents);
    ArchitectureState end = test::applyFromScratch(*store_, kEvents);
    EXPECT_GT(end.accepted(), 100u);
    EXPECT_GT(end.closed(), 100u);
    EXPECT_GT(end.managerRestarts(), 0u);
    EXPECT_FALSE(end.sessions().empty());
    // onClose nested in onReceive occurs, so keyframes can fall inside a nested callback.
    ArchitectureState walk;
    walk.reset(store_->topology());
    bool nested = false, bufferQueued = false, pipeQueued = false;
    for (size_t i = 0; i < kEvents; ++i)
    {
        walk.apply((*store_)[i], &store_->actorOf((*store_)[i]));
        for (const WorkerState& w : walk.workers()) nested |= w.callbackDepth == 2;
        for (const ReactorState& r : walk.reactors()) bufferQueued |= r.bytesQueued >= 70000;
        for (const PipeState& p : walk.pipes()) pipeQueued |= p.queuedBytes > 0;
    }
    EXPECT_TRUE(nested);
    // Output and pipes back up (args.queued, queued_bytes), so keyframes hold queued counts.
    EXPECT_TRUE(bufferQueued);
    EXPECT_TRUE(pipeQueued);
    int64_t queuedAtEnd = 0;
    for (const auto& entry : end.sessions()) queuedAtEnd += entry.second.queued;
    EXPECT_GT(queuedAtEnd, 0);
    uint64_t requests = 0;
    for (const WorkerState& w : end.workers()) requests += w.requests;
    EXPECT_GT(requests, 1000u);
}

TEST_F(SyntheticTimeline, KeyframeEveryIntervalEvents)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);
    EXPECT_EQ(timeline.interval(), kInterval);
    EXPECT_EQ(timeline.keyframes(), kEvents / kInterval + 1);
}

TEST_F(SyntheticTimeline, StateAtEqualsApplyingFromScratch)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);

    // One reference walks forward once; each checked prefix is compared there.
    ArchitectureState reference;
    reference.reset(store_->topology());
    size_t applied = 0;
    int busyWorkersSeen = 0;
    for (size_t n : prefixes())
    {
        for (; applied < n; ++applied)
            reference.apply((*store_)[applied], &store_->actorOf((*store_)[applied]));
        ArchitectureState fromKeyframe;
        timeline.stateAt(*store_, n, fromKeyframe);
        ASSERT_TRUE(test::sameState(fromKeyframe, reference)) << "prefix " << n;
        for (const WorkerState& w : reference.workers())
            busyWorkersSeen += w.status == WorkerStatus::Busy;
    }
    EXPECT_GT(busyWorkersSeen, 0);  // some prefixes end inside a callback
}

TEST_F(SyntheticTimeline, StateAtBeyondTheEndIsTheEnd)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);
    ArchitectureState past;
    timeline.stateAt(*store_, kEvents + 100, past);
    EXPECT_TRUE(test::sameState(past, test::applyFromScratch(*store_, kEvents)));
}

TEST_F(SyntheticTimeline, ExtendAfterLiveAppendsEqualsRebuild)
{
    // Feed the same events in slices, as a live source would, extending after each.
    TraceStore live;
    live.setTopology(store_->topology());
    StateTimeline extended(kInterval);
    extended.rebuild(live);
    size_t slices[] = {1, 500, 1023, 1024, 2049, 7000, 20000, kEvents};
    for (size_t upTo : slices)
    {
        for (size_t i = live.size(); i < upTo; ++i)
        {
            const Event& e = (*store_)[i];
            Event copy = e;
            copy.actor = live.internActor(store_->actorOf(e));
            ASSERT_TRUE(live.append(copy, store_->args(e), store_->payload(e)));
        }
        // Appended but not yet extended: stateAt must still be exact.
        ArchitectureState beforeExtend;
        extended.stateAt(live, upTo, beforeExtend);
        ASSERT_TRUE(test::sameState(beforeExtend, test::applyFromScratch(live, upTo))) << upTo;
        extended.extend(live);
        EXPECT_EQ(extended.keyframes(), upTo / kInterval + 1);
    }
    StateTimeline rebuilt(kInterval);
    rebuilt.rebuild(live);
    for (size_t n : prefixes())
    {
        ArchitectureState a, b;
        extended.stateAt(live, n, a);
        rebuilt.stateAt(live, n, b);
        ASSERT_TRUE(test::sameState(a, b)) << "prefix " << n;
    }
}

TEST_F(SyntheticTimeline, ExtendAfterAClearStartsOver)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);
    TraceStore small;
    test::loadArticle(small);
    timeline.extend(small);  // the store shrank: a new trace
    EXPECT_EQ(timeline.keyframes(), 1u);
    ArchitectureState end;
    timeline.stateAt(small, small.size(), end);
    EXPECT_TRUE(test::sameState(end, test::applyFromScratch(small, small.size())));
}

TEST_F(SyntheticTimeline, StateCursorMovingBackAndForthEqualsFromScratch)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);
    StateCursor cursor;
    std::mt19937 rng(5);
    size_t n = 0;
    for (int move = 0; move < 200; ++move)
    {
        switch (rng() % 4)
        {
            case 0:
                n = std::min(kEvents, n + 1 + rng() % 40);  // playing: a few events
                break;
            case 1:
                n = std::min(kEvents, n + rng() % (3 * kInterval));  // a jump forward
                break;
            case 2:
                n -= std::min(n, static_cast<size_t>(1 + rng() % 40));  // stepping back
                break;
            default:
                n = rng() % (kEvents + 1);  // a click on the timeline
                break;
        }
        cursor.moveTo(*store_, timeline, n);
        ASSERT_EQ(cursor.position(), n);
        ASSERT_TRUE(test::sameState(cursor.state(), test::applyFromScratch(*store_, n)))
            << "move " << move << " to " << n;
    }
}

TEST_F(SyntheticTimeline, StateCursorResetForgetsTheOldTrace)
{
    StateTimeline timeline(kInterval);
    timeline.rebuild(*store_);
    StateCursor cursor;
    cursor.moveTo(*store_, timeline, 30);

    TraceStore article;
    test::loadArticle(article);
    StateTimeline articleTimeline(kInterval);
    articleTimeline.rebuild(article);
    cursor.reset();
    cursor.moveTo(article, articleTimeline, 33);
    EXPECT_TRUE(test::sameState(cursor.state(), test::applyFromScratch(article, 33)));
}

}  // namespace
}  // namespace rscope::viewer
