// The architecture picture marks the cursor's newest hop: its edge (current, in the session's
// colour) and its token, held at the sender while the message is in the pipe, at the receiver
// once it was read; long after its flight, paused or stepped, it is still drawn.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/architecture_layout.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

constexpr size_t kPipeWrite = 21;  // article seq 22: reactor[0] -> worker[2], RECV_DATA
constexpr size_t kReceive = 25;    // seq 26: worker[2] takes it

DrawList layoutAt(const TraceStore& store, size_t event, double phaseSec)
{
    StateTimeline timeline;
    timeline.rebuild(store);
    Playback playback;
    playback.seekEvent(store, event, phaseSec);
    StateCursor cursor;
    cursor.moveTo(store, timeline, playback.position());
    Activity activity = computeActivity(store, playback, timeline, cursor.state());
    ArchitectureLayoutInput in;
    in.store = &store;
    in.state = &cursor.state();
    in.activity = &activity;
    in.canvas = RectF{0, 0, 1000, 700};
    in.fontSize = 15;
    return layoutArchitecture(in);
}

const EdgeRecord* onlyCurrentEdge(const DrawList& list)
{
    const EdgeRecord* found = nullptr;
    for (const EdgeRecord& e : list.edges)
        if (e.current)
        {
            EXPECT_EQ(found, nullptr) << "two current edges: " << found->id << ", " << e.id;
            found = &e;
        }
    return found;
}

TEST(CurrentHopLayout, APipeWriteLongAfterItsFlightIsHeldAtTheReactor)
{
    TraceStore store;
    test::loadArticle(store);
    DrawList list = layoutAt(store, kPipeWrite, 30.0);  // paused 30 s after the step
    const EdgeRecord* edge = onlyCurrentEdge(list);
    ASSERT_NE(edge, nullptr);
    EXPECT_EQ(edge->id, "pipe[0->2]");
    ASSERT_EQ(list.tokens.size(), 1u);
    const TokenRecord& t = list.tokens[0];
    EXPECT_TRUE(t.current);
    EXPECT_EQ(t.edge, "pipe[0->2]");
    EXPECT_EQ(t.label, "RECV_DATA 60B");
    EXPECT_NEAR(t.progress, CurrentHop::kHeldAtSender, 1e-6);
    // Nearer the reactor's end of the edge than the worker's.
    float toA = std::hypot(t.pos.x - edge->a.x, t.pos.y - edge->a.y);
    float toB = std::hypot(t.pos.x - edge->b.x, t.pos.y - edge->b.y);
    EXPECT_LT(toA, toB);
}

TEST(CurrentHopLayout, AtTheReceiveTheTokenIsAtTheWorker)
{
    TraceStore store;
    test::loadArticle(store);
    DrawList list = layoutAt(store, kReceive, 30.0);
    const EdgeRecord* edge = onlyCurrentEdge(list);
    ASSERT_NE(edge, nullptr);
    EXPECT_EQ(edge->id, "pipe[0->2]");
    ASSERT_EQ(list.tokens.size(), 1u);
    EXPECT_TRUE(list.tokens[0].current);
    EXPECT_NEAR(list.tokens[0].pos.x, edge->b.x, 0.01);
    EXPECT_NEAR(list.tokens[0].pos.y, edge->b.y, 0.01);
}

TEST(CurrentHopLayout, AnEventWithoutAnEdgeMarksNone)
{
    TraceStore store;
    test::loadArticle(store);
    DrawList list = layoutAt(store, 23, 30.0);  // callback_enter onConnect
    EXPECT_EQ(onlyCurrentEdge(list), nullptr);
    EXPECT_TRUE(list.tokens.empty());
}

}  // namespace
}  // namespace rscope::viewer
