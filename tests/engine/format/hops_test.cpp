// HopTracker (engine/format/hops.h) on hand-made flows: message matching, nested callbacks,
// requests without a reply, a second read in one flow, frames, and flows cut by lost events.
#include "engine/format/hops.h"

#include <vector>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

struct Step
{
    EventKind kind;
    int64_t tsNs;
    uint64_t flow;
    uint64_t msg = 0;
};

struct Sample
{
    RequestHop hop;
    int64_t ns;
    size_t step;  // the step that completed it
};

// Feeds the steps; returns every hop with the step that completed it.
std::vector<Sample> run(HopTracker& t, const std::vector<Step>& steps)
{
    std::vector<Sample> out;
    for (size_t i = 0; i < steps.size(); ++i)
    {
        HopSpan s[HopTracker::kMaxSamplesPerEvent];
        int n = t.apply(steps[i].kind, steps[i].flow, steps[i].msg, steps[i].tsNs, s);
        for (int k = 0; k < n; ++k)
        {
            EXPECT_EQ(s[k].toNs, steps[i].tsNs) << "a hop ends at the event that completes it";
            out.push_back({s[k].hop, s[k].toNs - s[k].fromNs, i});
        }
    }
    return out;
}

using K = EventKind;

TEST(HopTracker, InterleavedFlowsAreMatchedByFlowAndMessage)
{
    HopTracker t;
    // Two requests in flight; the worker takes flow 2's message first.
    auto s = run(t, {{K::Read, 100, 1},
                     {K::Read, 150, 2},
                     {K::Dispatch, 200, 1, 11},
                     {K::Dispatch, 260, 2, 21},
                     {K::WorkerReceive, 400, 2, 21},
                     {K::WorkerReceive, 500, 1, 11},
                     {K::SendRequest, 700, 1, 12},
                     {K::ReactorWrite, 900, 1, 12}});
    ASSERT_EQ(s.size(), 7u);
    EXPECT_EQ(s[0].hop, RequestHop::ReadToDispatch);
    EXPECT_EQ(s[0].ns, 100);
    EXPECT_EQ(s[1].ns, 110);  // flow 2
    EXPECT_EQ(s[2].hop, RequestHop::DispatchToWorker);
    EXPECT_EQ(s[2].ns, 140);  // flow 2: 260 -> 400
    EXPECT_EQ(s[3].ns, 300);  // flow 1: 200 -> 500
    EXPECT_EQ(s[4].hop, RequestHop::WorkerToSend);
    EXPECT_EQ(s[4].ns, 200);
    EXPECT_EQ(s[5].hop, RequestHop::SendToWrite);
    EXPECT_EQ(s[5].ns, 200);
    EXPECT_EQ(s[6].hop, RequestHop::Total);
    EXPECT_EQ(s[6].ns, 800);
    EXPECT_EQ(s[6].step, 7u);
    EXPECT_EQ(t.openFlows(), 1u);  // flow 2 waits for its reply
}

TEST(HopTracker, AWriteOfAnotherMessageDoesNotCompleteTheReply)
{
    HopTracker t;
    auto s = run(t, {{K::Read, 0, 1},
                     {K::Dispatch, 10, 1, 5},
                     {K::WorkerReceive, 20, 1, 4},  // another message (the connect's): skipped
                     {K::WorkerReceive, 30, 1, 5},
                     {K::SendRequest, 40, 1, 6},
                     {K::ReactorWrite, 50, 1, 7},  // not this reply
                     {K::ReactorWrite, 65, 1, 6}});
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s[1].ns, 20);  // dispatch 10 -> receive of msg 5 at 30
    EXPECT_EQ(s[3].ns, 25);  // send 40 -> write of msg 6 at 65
    EXPECT_EQ(s[4].ns, 65);
}

TEST(HopTracker, NestedOnCloseDoesNotEndTheRequestAndNoReplyEndsIt)
{
    HopTracker t;
    auto s = run(t, {{K::Read, 0, 1},
                     {K::Dispatch, 10, 1},
                     {K::WorkerReceive, 20, 1},
                     {K::CallbackEnter, 21, 1},  // onReceive
                     {K::CallbackEnter, 22, 1},  // onClose, nested
                     {K::CallbackExit, 23, 1},
                     {K::SendRequest, 30, 1},  // after the nested callback returned
                     {K::CallbackExit, 31, 1},
                     {K::ReactorWrite, 40, 1}});
    EXPECT_EQ(s.size(), 5u);
    EXPECT_EQ(t.openFlows(), 0u);

    // A handler that sends nothing: the flow is forgotten when it returns.
    s = run(t, {{K::Read, 100, 2},
                {K::Dispatch, 110, 2},
                {K::WorkerReceive, 120, 2},
                {K::CallbackEnter, 121, 2},
                {K::CallbackExit, 130, 2}});
    EXPECT_EQ(s.size(), 2u);
    EXPECT_EQ(t.openFlows(), 0u);
}

// A request that calls task() (model section 10): onReceive returns without a reply, the task
// worker's onTask runs in the same flow, and onFinish in the first worker sends the reply. The
// request is measured to that reply, its worker->send hop from the first receive.
TEST(HopTracker, ARequestHandedToATaskIsMeasuredToTheReplyOfOnFinish)
{
    HopTracker t;
    auto s = run(t, {{K::Read, 0, 1},
                     {K::Dispatch, 10, 1, 5},
                     {K::WorkerReceive, 20, 1, 5},
                     {K::CallbackEnter, 21, 1},  // onReceive
                     {K::TaskDispatch, 22, 1},
                     {K::PipeWrite, 23, 1, 6},  // TASK
                     {K::CallbackExit, 24, 1},  // returns, no reply yet
                     {K::WorkerReceive, 30, 1, 6},
                     {K::CallbackEnter, 31, 1},  // onTask
                     {K::TaskFinish, 80, 1},
                     {K::PipeWrite, 81, 1, 7},  // FINISH
                     {K::CallbackExit, 82, 1},
                     {K::WorkerReceive, 90, 1, 7},
                     {K::CallbackEnter, 91, 1},  // onFinish
                     {K::SendRequest, 92, 1, 8},
                     {K::PipeWrite, 93, 1, 8},
                     {K::CallbackExit, 94, 1},
                     {K::ReactorWrite, 100, 1, 8}});
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s[2].hop, RequestHop::WorkerToSend);
    EXPECT_EQ(s[2].ns, 72);
    EXPECT_EQ(s[4].hop, RequestHop::Total);
    EXPECT_EQ(s[4].ns, 100);
    EXPECT_EQ(t.openFlows(), 0u);
}

TEST(HopTracker, ASecondReadOfTheFlowDoesNotRestartIt)
{
    HopTracker t;
    auto s = run(t, {{K::Read, 0, 1},
                     {K::Read, 50, 1},
                     {K::Dispatch, 60, 1},
                     {K::Close, 70, 1},
                     {K::Dispatch, 80, 1}});
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].ns, 60);  // from the first read
    EXPECT_EQ(t.openFlows(), 0u);
}

TEST(HopTracker, AFrameOpensTheRequestAndEventsWithoutFlowAreIgnored)
{
    HopTracker t;
    // eof/length framing: the read carries no flow, each frame opens one.
    auto s = run(t, {{K::Read, 0, 0},
                     {K::Frame, 5, 1},
                     {K::Frame, 6, 2},
                     {K::Dispatch, 10, 1},
                     {K::Dispatch, 12, 2},
                     {K::FrameError, 13, 2},
                     {K::WorkerReceive, 20, 1},
                     {K::WorkerReceive, 21, 2}});
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].ns, 5);
    EXPECT_EQ(s[1].ns, 6);
    EXPECT_EQ(s[2].ns, 10);
    EXPECT_EQ(t.openFlows(), 1u);
}

TEST(HopTracker, FlowsCutByLossAreDroppedWhenStale)
{
    HopTracker t;
    HopSpan out[HopTracker::kMaxSamplesPerEvent];
    // 70000 reads whose requests never finish, over 70 s of trace time.
    for (uint64_t i = 0; i < 70000; ++i)
        t.apply(K::Read, i + 1, 0, static_cast<int64_t>(i) * 1'000'000, out);
    // The sweep at 65536 open flows dropped those older than 10 s.
    EXPECT_LT(t.openFlows(), 20000u);
    EXPECT_GT(t.openFlows(), 10000u);
    t.clear();
    EXPECT_EQ(t.openFlows(), 0u);
}

TEST(HopTracker, HopNames)
{
    EXPECT_STREQ(hopName(RequestHop::ReadToDispatch), "read->dispatch");
    EXPECT_STREQ(hopName(RequestHop::DispatchToWorker), "dispatch->worker");
    EXPECT_STREQ(hopName(RequestHop::WorkerToSend), "worker->send");
    EXPECT_STREQ(hopName(RequestHop::SendToWrite), "send->write");
    EXPECT_STREQ(hopName(RequestHop::Total), "read->write");
    EXPECT_EQ(kHopCount, 5u);
}

}  // namespace
}  // namespace rscope::trace
