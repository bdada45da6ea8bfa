// LineParser (the format's parser converted to the viewer's records) on hand-made lines: every
// field of an event, the header, trace_end, unknown kinds and line types, and every kind of broken
// line (which must give a short reason, never throw). The grammar itself is tested in
// tests/engine/format/line_parser_test.cpp.
#include "viewer/model/line_parser.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace rscope::viewer
{
namespace
{

const char* const kPipeWrite =
    R"({"seq":19,"ts":7371759737080,"kind":"pipe_write","fn":"swReactorThread_send2worker",)"
    R"("actor":{"role":"reactor","index":0,"pid":10865,"tid":10870},"session":1,"fd":30,)"
    R"("reactor":0,"worker":2,"msg_id":1099511627777,"flow":4503599627370497,)"
    R"("args":{"direction":"to_worker","type":"CONNECT","bytes":48,"chunks":1,"queued":false}})";

ParsedLine parse(const std::string& line)
{
    LineParser parser;
    ParsedLine out;
    parser.parse(line, out);
    return out;
}

TEST(LineParser, EventDecodesIdsActorAndArgs)
{
    ParsedLine p = parse(kPipeWrite);
    ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
    EXPECT_EQ(p.event.seq, 19u);
    EXPECT_EQ(p.event.tsNs, 7371759737080);
    EXPECT_EQ(p.event.kind, EventKind::PipeWrite);
    EXPECT_EQ(p.event.session, 1);
    EXPECT_EQ(p.event.fd, 30);
    EXPECT_EQ(p.event.reactor, 0);
    EXPECT_EQ(p.event.worker, 2);
    EXPECT_EQ(p.event.msgId, 1099511627777u);
    EXPECT_EQ(p.event.flow, 4503599627370497u);
    EXPECT_EQ(p.event.bytes, 48);
    EXPECT_EQ(p.event.pipeType, PipeType::Connect);
    EXPECT_EQ(p.event.direction, Direction::ToWorker);
    EXPECT_EQ(p.actor.role, Role::Reactor);
    EXPECT_EQ(p.actor.index, 0);
    EXPECT_EQ(p.actor.pid, 10865);
    EXPECT_EQ(p.actor.tid, 10870);
    EXPECT_EQ(p.args,
              R"({"direction":"to_worker","type":"CONNECT","bytes":48,"chunks":1,"queued":false})");
    EXPECT_TRUE(p.payload.empty());
}

TEST(LineParser, AbsentIdsStayAtTheirNoneValues)
{
    ParsedLine p = parse(R"({"seq":1,"ts":5,"kind":"server_start","fn":"swServer_start",)"
                         R"("actor":{"role":"master","index":-1,"pid":1,"tid":1},"args":{}})");
    ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
    EXPECT_EQ(p.event.session, 0);
    EXPECT_EQ(p.event.fd, -1);
    EXPECT_EQ(p.event.reactor, -1);
    EXPECT_EQ(p.event.worker, -1);
    EXPECT_EQ(p.event.msgId, 0u);
    EXPECT_EQ(p.event.flow, 0u);
    EXPECT_EQ(p.event.bytes, -1);
    EXPECT_EQ(p.args, "{}");
}

TEST(LineParser, PayloadStaysEscapedAsInTheFile)
{
    ParsedLine p = parse(
        R"({"seq":31,"ts":8814495000000,"kind":"read","fn":"swReactorThread_onRead",)"
        R"("actor":{"role":"reactor","index":0,"pid":4100,"tid":4106},"session":1,"fd":12,)"
        R"("reactor":0,"args":{"bytes":12,"buffered_total":0},"payload":"hello \"w\"\\n\u0001"})");
    ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
    EXPECT_EQ(p.payload, R"(hello \"w\"\\n\u0001)");
    EXPECT_EQ(p.args, R"({"bytes":12,"buffered_total":0})");
    EXPECT_EQ(p.event.bytes, 12);
}

// Writers put args (then payload) last; other key orders and look-alike keys inside strings or
// nested objects must still find the top-level values.
TEST(LineParser, RawArgsAndPayloadAreFoundInAnyKeyOrder)
{
    const char* const actor = R"("actor":{"role":"reactor","index":0,"pid":1,"tid":2})";
    struct Case
    {
        std::string line;
        const char* args;
        const char* payload;
    };
    const Case cases[] = {
        {std::string(R"({"payload":"p,\"args\":{}","args":{"bytes":1},"seq":1,"ts":2,)") +
             R"("kind":"read","fn":"swReactorThread_onRead",)" + actor + "}",
         R"({"bytes":1})", R"(p,\"args\":{})"},
        {std::string(R"({"seq":1,"ts":2,"kind":"read","fn":"swReactorThread_onRead",)") + actor +
             R"(,"args":{"bytes":1,"x":{"args":{}}}})",
         R"({"bytes":1,"x":{"args":{}}})", ""},
        {std::string(R"({"seq":1,"ts":2,"kind":"read","fn":"swReactorThread_onRead",)") + actor +
             R"(,"args" : { "bytes" : 1 } , "payload" : "a\"}"  })",
         R"({ "bytes" : 1 })", R"(a\"})"},
        {std::string(
             R"({"seq":1,"ts":2,"kind":"read","fn":"swReactorThread_onRead","args":{"bytes":1},)") +
             actor + R"(,"payload":"x"})",
         R"({"bytes":1})", "x"},
    };
    LineParser parser;
    ParsedLine out;
    for (const Case& c : cases)
    {
        parser.parse(c.line, out);
        ASSERT_EQ(out.type, ParsedLine::Type::Event) << c.line << "\n" << out.error;
        EXPECT_EQ(out.args, c.args) << c.line;
        EXPECT_EQ(out.payload, c.payload) << c.line;
        EXPECT_EQ(out.event.bytes, 1) << c.line;
    }
}

TEST(LineParser, CallbackCauseAndLenAreDecoded)
{
    ParsedLine enter = parse(
        R"({"seq":2,"ts":1,"kind":"callback_enter","fn":"swWorker_onTask",)"
        R"("actor":{"role":"worker","index":1,"pid":7,"tid":7},"args":{"callback":"onReceive"}})");
    ASSERT_EQ(enter.type, ParsedLine::Type::Event) << enter.error;
    EXPECT_EQ(enter.event.callback, CallbackId::OnReceive);
    // Format 1.1's callbacks, the last ones of the table; and a task worker's role.
    for (CallbackId cb : {CallbackId::OnTask, CallbackId::OnFinish, CallbackId::OnPipeMessage})
    {
        std::string name = trace::callbackName(static_cast<uint8_t>(cb));
        ParsedLine task =
            parse(R"({"seq":2,"ts":1,"kind":"callback_exit","fn":"swTaskWorker_onTask",)"
                  R"("actor":{"role":"task_worker","index":2,"pid":7,"tid":7},)"
                  R"("args":{"callback":")" +
                  name + R"(","duration_ns":5}})");
        ASSERT_EQ(task.type, ParsedLine::Type::Event) << task.error;
        EXPECT_EQ(task.event.callback, cb) << name;
        EXPECT_EQ(task.actor.role, Role::TaskWorker);
        EXPECT_EQ(task.actor.index, 2);
    }

    ParsedLine discard = parse(R"({"seq":3,"ts":1,"kind":"discard","fn":"swWorker_discard_data",)"
                               R"("actor":{"role":"worker","index":1,"pid":7,"tid":7},)"
                               R"("args":{"reason":"gone","len":12}})");
    ASSERT_EQ(discard.type, ParsedLine::Type::Event) << discard.error;
    EXPECT_EQ(discard.event.cause, static_cast<uint8_t>(trace::Cause::Gone));
    EXPECT_EQ(discard.event.bytes, 12);

    ParsedLine close = parse(R"({"seq":4,"ts":1,"kind":"close","fn":"swReactorThread_close",)"
                             R"("actor":{"role":"reactor","index":0,"pid":1,"tid":2},)"
                             R"("args":{"cause":"server_close","dropped_bytes":0}})");
    ASSERT_EQ(close.type, ParsedLine::Type::Event) << close.error;
    EXPECT_EQ(close.event.cause, static_cast<uint8_t>(trace::Cause::ServerClose));
}

TEST(LineParser, QueuedBytesOfBuffersAndPipesAreDecoded)
{
    auto queuedOf = [](const std::string& kind, const std::string& fn, const std::string& args)
    {
        ParsedLine p =
            parse(R"({"seq":5,"ts":1,"kind":")" + kind + R"(","fn":")" + fn +
                  R"(","actor":{"role":"reactor","index":1,"pid":1,"tid":3},"session":4,"fd":21,)"
                  R"("reactor":1,"worker":2,"args":)" +
                  args + "}");
        EXPECT_EQ(p.type, ParsedLine::Type::Event) << p.error;
        return p.event;
    };
    // A connection's output buffer: args.queued (an Int for these kinds).
    Event write = queuedOf("reactor_write", "swReactorThread_send",
                           R"({"bytes":35,"queued":5000,"direct":false})");
    EXPECT_EQ(write.bytes, 35);
    EXPECT_EQ(write.queued, 5000);
    EXPECT_EQ(
        queuedOf("buffer_full", "swReactorThread_send", R"({"queued":70000,"watermark":65536})")
            .queued,
        70000);
    EXPECT_EQ(
        queuedOf("buffer_drain", "swReactorThread_onWrite", R"({"queued":0,"watermark":65536})")
            .queued,
        0);
    // A pipe: args.queued_bytes.
    EXPECT_EQ(queuedOf("pipe_full", "swReactorThread_send2worker",
                       R"({"direction":"to_worker","queued_bytes":300000})")
                  .queued,
              300000);
    EXPECT_EQ(queuedOf("pipe_drain", "swReactorThread_onPipeWrite",
                       R"({"direction":"to_worker","queued_bytes":0})")
                  .queued,
              0);
    // Clamped like bytes; pipe_write's "queued" is a Bool, not a count; absent stays -1.
    EXPECT_EQ(queuedOf("buffer_full", "swReactorThread_send",
                       R"({"queued":9000000000,"watermark":65536})")
                  .queued,
              INT32_MAX);
    EXPECT_EQ(parse(kPipeWrite).event.queued, -1);
    EXPECT_EQ(queuedOf("read", "swReactorThread_onRead", R"({"bytes":12})").queued, -1);
}

// buffer_full / buffer_drain carry the limit (socket_buffer_size) as args.watermark: it goes into
// Event::bytes, which these kinds have no other use for, so an older trace's limit is known.
TEST(LineParser, WatermarkOfBufferEventsIsTheirBytes)
{
    ParsedLine p =
        parse(R"({"seq":5,"ts":1,"kind":"buffer_full","fn":"swReactorThread_send","actor":{"role":)"
              R"("reactor","index":1,"pid":1,"tid":3},"session":4,"fd":21,"reactor":1,"args":)"
              R"({"queued":300000,"watermark":262144}})");
    ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
    EXPECT_EQ(p.event.bytes, 262144);
    EXPECT_EQ(p.event.queued, 300000);
}

TEST(LineParser, TraceDroppedIsAnEventWithItsCount)
{
    ParsedLine p =
        parse(R"({"seq":170,"ts":8821845000000,"kind":"trace_dropped","fn":"rscope_trace_collect",)"
              R"("actor":{"role":"reactor","index":1,"pid":4100,"tid":4107},"args":{"count":17}})");
    ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
    EXPECT_EQ(p.event.kind, EventKind::TraceDropped);
    EXPECT_EQ(p.droppedCount, 17u);
}

TEST(LineParser, HeaderFillsTheTopology)
{
    std::string header =
        R"({"type":"header","format":"reactorscope-trace","version":"1.0","live_from_seq":14,)"
        R"("settings":{"mode":"process","host":"127.0.0.1","port":9502,"worker_num":2,)"
        R"("reactor_num":2,"dispatch_mode":2,"protocol":"eof"},)"
        R"("topology":{"processes":[{"role":"master","index":-1,"pid":4100},)"
        R"({"role":"worker","index":0,"pid":4102,"generation":3}],)"
        R"("threads":[{"role":"reactor","index":1,"pid":4100,"tid":4107,"name":"reactor[1]"}],)"
        R"("pipes":[{"worker":1,"master_fd":9,"worker_fd":8,"reactor":1}],)"
        R"("listeners":[{"host":"127.0.0.1","port":9502,"fd":3}],)"
        R"("connections":[{"session":1,"fd":12,"reactor":0,"peer":"127.0.0.1:40000"}]}})";
    ParsedLine p = parse(header);
    ASSERT_EQ(p.type, ParsedLine::Type::Header) << p.error;
    const Topology& t = p.topology;
    EXPECT_EQ(t.formatVersion, "1.0");
    EXPECT_EQ(t.mode, "process");
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 9502);
    EXPECT_EQ(t.workerNum, 2);
    EXPECT_EQ(t.reactorNum, 2);
    EXPECT_EQ(t.dispatchMode, 2);
    EXPECT_EQ(t.protocol, "eof");
    EXPECT_EQ(t.liveFromSeq, 14u);
    ASSERT_EQ(t.processes.size(), 2u);
    EXPECT_EQ(t.processes[1].role, Role::Worker);
    EXPECT_EQ(t.processes[1].generation, 3);
    ASSERT_EQ(t.threads.size(), 1u);
    EXPECT_EQ(t.threads[0].name, "reactor[1]");
    EXPECT_EQ(t.threads[0].tid, 4107);
    ASSERT_EQ(t.pipes.size(), 1u);
    EXPECT_EQ(t.pipes[0].masterFd, 9);
    EXPECT_EQ(t.pipes[0].workerFd, 8);
    EXPECT_EQ(t.pipes[0].reactor, 1);
    ASSERT_EQ(t.listeners.size(), 1u);
    EXPECT_EQ(t.listeners[0].fd, 3);
    ASSERT_EQ(t.connections.size(), 1u);
    EXPECT_EQ(t.connections[0].peer, "127.0.0.1:40000");
    EXPECT_EQ(t.headerJson, header);
}

TEST(LineParser, NewerMajorVersionIsAnErrorThatSaysSo)
{
    ParsedLine p = parse(R"({"type":"header","format":"reactorscope-trace","version":"2.0"})");
    ASSERT_EQ(p.type, ParsedLine::Type::Error);
    EXPECT_NE(p.error.find("version 2.0 is newer than this reader (1.1)"), std::string::npos)
        << p.error;
}

TEST(LineParser, NewerMinorVersionIsRead)
{
    ParsedLine p = parse(R"({"type":"header","format":"reactorscope-trace","version":"1.7",)"
                         R"("new_field":[1,2]})");
    EXPECT_EQ(p.type, ParsedLine::Type::Header) << p.error;
}

TEST(LineParser, OtherFormatOrUnreadableVersionIsAnError)
{
    EXPECT_EQ(parse(R"({"type":"header","format":"other","version":"1.0"})").type,
              ParsedLine::Type::Error);
    EXPECT_EQ(parse(R"({"type":"header","format":"reactorscope-trace","version":"one"})").type,
              ParsedLine::Type::Error);
}

// Found by the fuzzer (then tests/fuzz/viewer_line_parser_fuzzer.cpp): a missing key's lookup was
// converted to an element, which throws, and the exception ended the viewer.
TEST(LineParser, HeaderWithoutFormatVersionOrRoleIsAnErrorNotAThrow)
{
    ParsedLine p;
    EXPECT_NO_THROW(p = parse(R"({"type":"header"})"));
    EXPECT_EQ(p.type, ParsedLine::Type::Error);
    EXPECT_NO_THROW(p = parse(R"({"type":"header","format":"reactorscope-trace"})"));
    EXPECT_EQ(p.type, ParsedLine::Type::Error);
    EXPECT_NE(p.error.find("\"version\" must be a \"MAJOR.MINOR\" string"), std::string::npos)
        << p.error;
    EXPECT_NO_THROW(p = parse(R"({"type":"header","format":"reactorscope-trace","version":"1.0",)"
                              R"("topology":{"processes":[{"index":0}],"threads":[{"tid":1}]}})"));
    ASSERT_EQ(p.type, ParsedLine::Type::Header) << p.error;
    ASSERT_EQ(p.topology.processes.size(), 1u);
}

TEST(LineParser, TraceEndAndUnknownLineTypes)
{
    EXPECT_EQ(parse(R"({"type":"trace_end","events":36,"dropped":0,"cut_flows":[]})").type,
              ParsedLine::Type::End);
    // A line type of a newer minor version is skipped like an unknown kind.
    EXPECT_EQ(parse(R"({"type":"marker","label":"x"})").type, ParsedLine::Type::UnknownKind);
}

TEST(LineParser, UnknownKindIsSkippedNotAnError)
{
    ParsedLine p = parse(R"({"seq":5,"ts":1,"kind":"teleport","fn":"x",)"
                         R"("actor":{"role":"worker","index":0,"pid":1,"tid":1},"args":{}})");
    EXPECT_EQ(p.type, ParsedLine::Type::UnknownKind) << p.error;
}

struct BadLine
{
    const char* line;
    const char* reason;  // a part of the expected error
};

TEST(LineParser, BrokenLinesGiveAShortReason)
{
#define RS_ACTOR R"("actor":{"role":"reactor","index":0,"pid":1,"tid":2})"
#define RS_READ R"("kind":"read","fn":"swReactorThread_onRead",)"
    const BadLine cases[] = {
        {"", "empty line"},
        {"not json", "invalid JSON at column 1"},
        {R"({"seq":1,"ts":2,"kind":"read","fn":"swReactorThread_onRead","actor":{"role":"rea)",
         "invalid JSON"},
        {"[1,2]", "must be a JSON object, not array [1,2]"},
        {R"({"ts":2,)" RS_READ RS_ACTOR R"(,"args":{}})", "\"seq\" is missing"},
        {R"({"seq":1,)" RS_READ RS_ACTOR R"(,"args":{}})", "\"ts\" is missing"},
        {R"({"seq":1,"ts":2,"fn":"f",)" RS_ACTOR R"(,"args":{}})", "\"kind\" is missing"},
        {R"({"seq":1,"ts":2,)" RS_READ R"("args":{}})", "\"actor\" is missing"},
        {R"({"seq":"5","ts":2,)" RS_READ RS_ACTOR R"(,"args":{}})",
         "\"seq\" must be an unsigned integer, not string \"5\""},
        {R"({"seq":1,"ts":-2,)" RS_READ RS_ACTOR R"(,"args":{}})", "\"ts\" must not be negative"},
        {R"({"seq":1,"ts":2,"kind":7,"fn":"f",)" RS_ACTOR R"(,"args":{}})",
         "\"kind\" must be a string, not number 7"},
        {R"({"seq":1,"ts":2,)" RS_READ R"("actor":{"role":"reactor","index":0,"pid":1},"args":{}})",
         "\"actor.tid\" is missing"},
        {R"({"seq":1,"ts":2,)" RS_READ R"("actor":"reactor","args":{}})",
         "\"actor\" must be an object"},
        {R"({"seq":1,"ts":2,)" RS_READ RS_ACTOR R"(,"fd":"x","args":{}})",
         "\"fd\" must be an integer"},
        {R"({"seq":1,"ts":2,)" RS_READ RS_ACTOR R"(,"args":[1]})", "\"args\" must be an object"},
        {R"({"seq":1,"ts":2,)" RS_READ RS_ACTOR R"(,"args":{"bytes":"12","buffered_total":0}})",
         "\"args.bytes\" must be an integer (kind read), not string \"12\""},
        {R"({"seq":1,"ts":2,"kind":"dispatch","fn":"swFactoryProcess_dispatch",)" RS_ACTOR
         R"(,"args":{"type":3,"len":1,"mode":1}})",
         "\"args.type\" must be a string (kind dispatch), not number 3"},
    };
#undef RS_ACTOR
#undef RS_READ
    LineParser parser;
    ParsedLine out;
    for (const BadLine& c : cases)
    {
        parser.parse(c.line, out);
        EXPECT_EQ(out.type, ParsedLine::Type::Error) << c.line;
        EXPECT_NE(out.error.find(c.reason), std::string::npos)
            << "line: " << c.line << "\nerror: " << out.error;
    }
}

TEST(LineParser, ReusedLineForgetsThePreviousOne)
{
    LineParser parser;
    ParsedLine out;
    parser.parse(R"({"type":"header","format":"reactorscope-trace","version":"1.0"})", out);
    ASSERT_EQ(out.type, ParsedLine::Type::Header);
    parser.parse(kPipeWrite, out);
    ASSERT_EQ(out.type, ParsedLine::Type::Event);
    EXPECT_TRUE(out.topology.headerJson.empty());
    parser.parse(R"({"seq":1,"ts":5,"kind":"reactor_assign","fn":"f",)"
                 R"("actor":{"role":"master","index":-1,"pid":1,"tid":1},"args":{}})",
                 out);
    ASSERT_EQ(out.type, ParsedLine::Type::Event);
    EXPECT_EQ(out.event.worker, -1);
    EXPECT_EQ(out.event.pipeType, kNoPipeType);
    EXPECT_EQ(out.args, "{}");
}

// The args hold the format's values: every pipe type keeps its own wire value and name (the
// forced and forwarded closes are closes by isCloseType, not by a name of the viewer's), and a
// name the format does not know is kept apart from "no type".
TEST(LineParser, PipeTypesAreTheFormatsValuesAndNames)
{
    const std::string head = kPipeWrite;
    const size_t at = head.find("CONNECT");
    auto withType = [&](const std::string& name)
    { return head.substr(0, at) + name + head.substr(at + std::string("CONNECT").size()); };
    const PipeType all[] = {PipeType::RecvData,    PipeType::SendData,   PipeType::Close,
                            PipeType::Connect,     PipeType::CloseForce, PipeType::CloseForward,
                            PipeType::PipeMessage, PipeType::Incoming,   PipeType::Shutdown};
    for (PipeType t : all)
    {
        ParsedLine p = parse(withType(trace::pipeTypeName(t)));
        ASSERT_EQ(p.type, ParsedLine::Type::Event) << p.error;
        EXPECT_EQ(p.event.pipeType, t) << trace::pipeTypeName(t);
        EXPECT_STREQ(pipeTypeLabel(p.event.pipeType), trace::pipeTypeName(t));
        EXPECT_EQ(isCloseType(t),
                  t == PipeType::Close || t == PipeType::CloseForce || t == PipeType::CloseForward);
    }
    ParsedLine unknown = parse(withType("CONFIRM"));
    EXPECT_EQ(unknown.event.pipeType, kOtherPipeType);
    EXPECT_STREQ(pipeTypeLabel(unknown.event.pipeType), "UNKNOWN");
    EXPECT_STREQ(pipeTypeLabel(kNoPipeType), "");
    EXPECT_STREQ(callbackLabel(CallbackId::OnReceive), "onReceive");
    EXPECT_STREQ(callbackLabel(CallbackId::None), "");
}

TEST(LineParser, CarriageReturnIsIgnored)
{
    ParsedLine p = parse(std::string(kPipeWrite) + "\r");
    EXPECT_EQ(p.type, ParsedLine::Type::Event) << p.error;
}

}  // namespace
}  // namespace rscope::viewer
