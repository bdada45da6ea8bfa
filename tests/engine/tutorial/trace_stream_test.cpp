// parseEventLine and StreamEvent::facts: what `rscope tutorial check` hands to the tracker.
#include "engine/tutorial/trace_stream.h"

#include <gtest/gtest.h>

namespace rscope::tutorial
{
namespace
{

TEST(ParseEventLine, DecodesIdsActorAndArgs)
{
    const char* line =
        R"({"seq":35,"ts":8814495009800,"kind":"worker_receive","fn":"swWorker_onPipeReceive",)"
        R"("actor":{"role":"worker","index":2,"pid":4102,"tid":4102},"session":1,"reactor":0,)"
        R"("worker":2,"msg_id":1099511627783,"flow":1099511627783,)"
        R"("args":{"type":"RECV_DATA","len":12,"chunks":1,"direct":true}})";
    StreamEvent e;
    ASSERT_TRUE(parseEventLine(line, e));
    EXPECT_EQ(e.seq, 35u);
    EXPECT_EQ(e.tsNs, 8814495009800);
    EXPECT_EQ(e.kind, "worker_receive");
    EXPECT_EQ(e.role, "worker");
    EXPECT_EQ(e.index, 2);
    EXPECT_EQ(e.pid, 4102);
    EXPECT_EQ(e.session, 1);
    EXPECT_EQ(e.reactor, 0);
    EXPECT_EQ(e.worker, 2);
    EXPECT_EQ(e.msgId, 1099511627783u);
    EXPECT_FALSE(e.fd.has_value());
    EventFacts f = e.facts();
    EXPECT_EQ(f.kind, "worker_receive");
    EXPECT_EQ(f.tsNs, 8814495009800);
    EXPECT_EQ(f.arg("type"), "RECV_DATA");
    EXPECT_EQ(f.arg("len"), "12");
    EXPECT_EQ(f.arg("direct"), "true");
    EXPECT_EQ(f.arg("missing"), std::nullopt);
}

TEST(ParseEventLine, RefusesHeaderTraceEndAndJunk)
{
    StreamEvent e;
    EXPECT_FALSE(parseEventLine(R"({"type":"header","format":"reactorscope-trace"})", e));
    EXPECT_FALSE(parseEventLine(R"({"type":"trace_end","events":3})", e));
    EXPECT_FALSE(parseEventLine("not json", e));
    EXPECT_FALSE(parseEventLine(R"({"seq":1,"kind":"read"})", e));  // no actor
}

TEST(ParseEventLine, FeedsACheckpointTracker)
{
    Checkpoint c;
    Matcher dispatch;
    dispatch.kinds = {"dispatch"};
    dispatch.args["type"].text = "RECV_DATA";
    dispatch.ids["worker"].variable = "$w";
    c.events = {dispatch};
    CheckpointTracker t(c);
    StreamEvent e;
    ASSERT_TRUE(parseEventLine(
        R"({"seq":3,"ts":5,"kind":"dispatch","actor":{"role":"reactor","index":0,"pid":1,"tid":2},)"
        R"("session":1,"worker":3,"args":{"type":"RECV_DATA","len":12,"mode":2}})",
        e));
    EXPECT_TRUE(t.observe(e.facts()));
    EXPECT_EQ(t.bindings().at("$w"), "3");
}

}  // namespace
}  // namespace rscope::tutorial
