// FlowTracker: the last event of a flow (in seq order) decides whether it is open.
#include "engine/tracefile/flow_tracker.h"

#include <gtest/gtest.h>

namespace rscope::tracefile
{
namespace
{
using K = trace::EventKind;

TEST(FlowTracker, TerminalKindsAreExactlyTheSixOfTheFormat)
{
    int terminal = 0;
    for (int k = 0; k < static_cast<int>(K::Count); ++k)
        terminal += FlowTracker::isTerminal(static_cast<K>(k)) ? 1 : 0;
    EXPECT_EQ(terminal, 6);
    for (K k : {K::CallbackExit, K::ReactorWrite, K::Close, K::Discard, K::FrameError,
                K::ReactorRegister})
        EXPECT_TRUE(FlowTracker::isTerminal(k)) << trace::kindInfo(k).name;
    EXPECT_FALSE(FlowTracker::isTerminal(K::PipeWrite));
}

TEST(FlowTracker, LastEventDecidesAndFlowZeroIsIgnored)
{
    FlowTracker flows;
    flows.observe(1, K::Read, 2, 100);
    flows.observe(1, K::CallbackExit, 3, 200);  // closed ...
    flows.observe(1, K::ReactorWrite, 4, 300);  // ... and still closed
    flows.observe(2, K::Accept, 5, 400);
    flows.observe(2, K::ReactorRegister, 6, 500);
    flows.observe(2, K::ConnectNotify, 7, 600);  // reopened by a later step
    flows.observe(3, K::PeerClose, 8, 700);
    flows.observe(0, K::Read, 9, 800);

    EXPECT_EQ(flows.flowCount(), 3u);
    std::vector<FlowTracker::OpenFlow> open = flows.openFlows();
    ASSERT_EQ(open.size(), 2u);
    EXPECT_EQ(open[0].flow, 2u);
    EXPECT_EQ(open[0].last.lastKind, K::ConnectNotify);
    EXPECT_EQ(open[0].last.lastLine, 7u);
    EXPECT_EQ(open[1].flow, 3u);
    EXPECT_EQ(open[1].last.lastTsNs, 700);
    ASSERT_NE(flows.find(1), nullptr);
    EXPECT_EQ(flows.find(1)->lastKind, K::ReactorWrite);
    EXPECT_EQ(flows.find(0), nullptr);
}

}  // namespace
}  // namespace rscope::tracefile
