// LineParser, the one decoder of trace lines: line types, the envelope with absent ids, args by the
// kind table, raw args and payload, header and trace_end, and broken lines with their messages.
#include "engine/format/line_parser.h"

#include <string>

#include <gtest/gtest.h>

namespace rscope::tracefile
{
namespace
{

const char* const kPipeWrite =
    R"({"seq":19,"ts":7371759737080,"kind":"pipe_write","fn":"swReactorThread_send2worker",)"
    R"("actor":{"role":"reactor","index":0,"pid":10865,"tid":10870},"session":1,"fd":30,)"
    R"("reactor":0,"worker":2,"msg_id":1099511627777,"flow":4503599627370497,)"
    R"("args":{"direction":"to_worker","type":"CONNECT","bytes":48,"chunks":1,"queued":false}})";

std::string messages(const FieldProblems& problems)
{
    std::string s;
    for (const FieldProblem& p : problems) s += p.message + "\n";
    return s;
}

TEST(LineParser, EventDecodesEnvelopeArgsAndRawText)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(kPipeWrite, d);
    ASSERT_EQ(d.type, LineType::Event) << d.error;
    EXPECT_TRUE(d.envelopeValid);
    EXPECT_TRUE(d.problems.empty()) << messages(d.problems);
    EXPECT_TRUE(d.argProblems.empty()) << messages(d.argProblems);
    EXPECT_EQ(d.seq, 19u);
    EXPECT_EQ(d.tsNs, 7371759737080);
    EXPECT_EQ(d.kind, trace::EventKind::PipeWrite);
    EXPECT_EQ(d.kindName, "pipe_write");
    EXPECT_EQ(d.fn, "swReactorThread_send2worker");
    EXPECT_EQ(d.role, "reactor");
    EXPECT_EQ(d.index, 0);
    EXPECT_EQ(d.pid, 10865);
    EXPECT_EQ(d.tid, 10870);
    EXPECT_EQ(d.session, 1);
    EXPECT_EQ(d.fd, 30);
    EXPECT_EQ(d.worker, 2);
    EXPECT_EQ(d.msgId, 1099511627777u);
    EXPECT_EQ(d.flow, 4503599627370497u);
    ASSERT_EQ(d.argCount, 5u);
    EXPECT_EQ(d.arg("direction")->text, "to_worker");
    EXPECT_EQ(d.arg("type")->text, "CONNECT");
    EXPECT_EQ(d.arg("bytes")->number, 48);
    EXPECT_EQ(d.arg("queued")->number, 0);
    EXPECT_EQ(d.arg("queued")->state, DecodedArg::State::Ok);
    EXPECT_EQ(d.arg("nope"), nullptr);
    EXPECT_EQ(d.rawArgs,
              R"({"direction":"to_worker","type":"CONNECT","bytes":48,"chunks":1,"queued":false})");
    EXPECT_FALSE(d.payload.has_value());
}

TEST(LineParser, AbsentIdsAreAbsentAndEmptyArgsAreBraces)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"seq":1,"ts":5,"kind":"reactor_assign","fn":"swServer_master_onAccept",)"
                 R"("actor":{"role":"master","index":-1,"pid":1,"tid":1},"args":{}})",
                 d);
    ASSERT_EQ(d.type, LineType::Event) << d.error;
    EXPECT_FALSE(d.session || d.fd || d.reactor || d.worker || d.msgId || d.flow);
    EXPECT_EQ(d.rawArgs, "{}");
}

TEST(LineParser, PayloadIsGivenUnescapedAndAsWritten)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"seq":31,"ts":1,"kind":"read","fn":"swReactorThread_onRead",)"
                 R"("actor":{"role":"reactor","index":0,"pid":4100,"tid":4106},)"
                 R"("args":{"bytes":12,"buffered_total":0},"payload":"hi \"w\"\\n"})",
                 d);
    ASSERT_EQ(d.type, LineType::Event) << d.error;
    EXPECT_EQ(d.payload, R"(hi "w"\n)");
    EXPECT_EQ(d.rawPayload, R"(hi \"w\"\\n)");
    EXPECT_EQ(d.rawArgs, R"({"bytes":12,"buffered_total":0})");
}

TEST(LineParser, ArgsAreCheckedAgainstTheKindTable)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"seq":1,"ts":1,"kind":"accept","fn":"swSomething",)"
                 R"("actor":{"role":"master","index":-1,"pid":1,"tid":1},)"
                 R"("args":{"zz":2,"listen_fd":"3","peer_ip":"300.1.1.1","extra":1}})",
                 d);
    ASSERT_EQ(d.type, LineType::Event);
    EXPECT_TRUE(d.envelopeValid);
    EXPECT_TRUE(d.argMistyped);
    EXPECT_EQ(messages(d.argProblems),
              "\"fn\" is \"swSomething\"; the kind table names \"swServer_master_onAccept\" for "
              "accept\n"
              "\"args.listen_fd\" must be an integer (kind accept), not string \"3\"\n"
              "\"args.peer_ip\" must be an IPv4 address \"a.b.c.d\", not \"300.1.1.1\"\n"
              "\"args.peer_port\" is missing (kind accept)\n"
              "\"args.extra\" is not an arg of accept in format 1.1 (ignored)\n"
              "\"args.zz\" is not an arg of accept in format 1.1 (ignored)\n");
    EXPECT_EQ(d.arg("listen_fd")->state, DecodedArg::State::Mistyped);
    EXPECT_EQ(d.arg("peer_port")->state, DecodedArg::State::Missing);
}

// The viewer's parser skips the warnings, never an error: the same lines are readable.
TEST(LineParser, SkippingWarningsKeepsEveryError)
{
    const std::string line =
        R"({"seq":1,"ts":1,"kind":"pipe_write","fn":"swSomething",)"
        R"("actor":{"role":"reactor","index":0,"pid":1,"tid":1},)"
        R"("args":{"direction":"sideways","type":"NEW_TYPE","bytes":"48","chunks":1,)"
        R"("queued":false,"extra":1}})";
    LineParser full;
    LineParser quiet(Warnings::Skip);
    DecodedLine a;
    DecodedLine b;
    full.parse(line, a);
    quiet.parse(line, b);
    EXPECT_EQ(messages(a.argProblems),
              "\"fn\" is \"swSomething\"; the kind table names \"swReactorThread_send2worker\" "
              "for pipe_write\n"
              "\"args.direction\": unknown value \"sideways\"\n"
              "\"args.type\": unknown value \"NEW_TYPE\"\n"
              "\"args.bytes\" must be an integer (kind pipe_write), not string \"48\"\n"
              "\"args.extra\" is not an arg of pipe_write in format 1.1 (ignored)\n");
    EXPECT_EQ(messages(b.argProblems),
              "\"args.bytes\" must be an integer (kind pipe_write), not string \"48\"\n");
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(b.arg("direction")->text, "sideways");
    EXPECT_EQ(b.arg("type")->text, "NEW_TYPE");
}

TEST(LineParser, TraceDroppedCarriesItsCount)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"seq":170,"ts":1,"kind":"trace_dropped","fn":"rscope_trace_collect",)"
                 R"("actor":{"role":"reactor","index":1,"pid":4,"tid":5},"args":{"count":17}})",
                 d);
    ASSERT_EQ(d.type, LineType::Event) << d.error;
    EXPECT_EQ(d.droppedCount, 17u);
}

TEST(LineParser, HeaderIsDecodedWithItsTopology)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(
        R"({"type":"header","format":"reactorscope-trace","version":"1.3","live_from_seq":14,)"
        R"("settings":{"mode":"process","host":"127.0.0.1","port":9502,"worker_num":2,)"
        R"("reactor_num":2,"dispatch_mode":2,"protocol":"eof","trace_step":true},)"
        R"("topology":{"processes":[{"role":"worker","index":0,"pid":4102,"generation":3}],)"
        R"("connections":[{"session":1,"fd":12,"reactor":0,"peer":"127.0.0.1:40000"}]}})",
        d);
    ASSERT_EQ(d.type, LineType::Header) << d.error;
    const TraceHeader& h = d.header;
    EXPECT_TRUE(h.fatal.empty()) << h.fatal;
    EXPECT_EQ(h.versionMinor, 3);
    EXPECT_EQ(h.liveFromSeq, 14u);
    EXPECT_EQ(h.settings.port, 9502);
    EXPECT_TRUE(h.settings.traceStep);
    ASSERT_EQ(h.processes.size(), 1u);
    EXPECT_EQ(h.processes[0].generation, 3);
    ASSERT_EQ(h.connections.size(), 1u);
    EXPECT_EQ(h.connections[0].session, 1);
    // Missing required fields are problems, not a refusal.
    EXPECT_NE(messages(d.problems).find("\"settings.package_max_length\" is missing"),
              std::string::npos)
        << messages(d.problems);
    EXPECT_NE(messages(d.problems).find("\"topology.threads\" is missing"), std::string::npos);
}

// socket_buffer_size and buffer_output_size came later in 1.0: read when present, and an older
// header without them is no problem (0 = unknown).
TEST(LineParser, HeaderBufferLimitsAreOptional)
{
    auto settingsLine = [](const std::string& extra)
    {
        return R"({"type":"header","format":"reactorscope-trace","version":"1.0",)"
               R"("created_ns":1,"wall_time":"2026-11-27T03:55:00Z","trace_payload":"none",)"
               R"("settings":{"mode":"process","host":"127.0.0.1","port":9502,"worker_num":2,)"
               R"("reactor_num":2,"dispatch_mode":2,"protocol":"raw","package_max_length":65536,)"
               R"("max_request":0,"heartbeat_idle_time":0,"heartbeat_check_interval":0)" +
               extra +
               R"(},"topology":{"processes":[],"threads":[],"pipes":[],"listeners":[],)"
               R"("connections":[]}})";
    };
    LineParser parser;
    DecodedLine d;
    parser.parse(settingsLine(R"(,"socket_buffer_size":262144,"buffer_output_size":1048576)"), d);
    ASSERT_EQ(d.type, LineType::Header) << d.error;
    EXPECT_TRUE(d.problems.empty()) << messages(d.problems);
    EXPECT_EQ(d.header.settings.socketBufferSize, 262144);
    EXPECT_EQ(d.header.settings.bufferOutputSize, 1048576);
    parser.parse(settingsLine(""), d);
    ASSERT_EQ(d.type, LineType::Header) << d.error;
    EXPECT_TRUE(d.problems.empty()) << messages(d.problems);
    EXPECT_EQ(d.header.settings.socketBufferSize, 0);
    EXPECT_EQ(d.header.settings.bufferOutputSize, 0);
}

TEST(LineParser, HeaderOfAnotherFormatOrMajorIsFatal)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"type":"header","format":"other","version":"1.0"})", d);
    EXPECT_EQ(d.header.fatal.rfind("not a Reactorscope trace", 0), 0u) << d.header.fatal;
    parser.parse(R"({"type":"header","format":"reactorscope-trace","version":"2.0"})", d);
    EXPECT_EQ(d.header.fatal.rfind("trace format version 2.0 is newer than this reader", 0), 0u);
    parser.parse(R"({"type":"header","format":"reactorscope-trace","version":"1.0",)"
                 R"("settings":{"worker_num":20000000}})",
                 d);
    EXPECT_TRUE(d.header.fatal.empty());
    EXPECT_EQ(d.header.beyondLimits.rfind("worker_num 20000000 is beyond", 0), 0u);
}

TEST(LineParser, TraceEndAndOtherLineTypes)
{
    LineParser parser;
    DecodedLine d;
    parser.parse(R"({"type":"trace_end","events":3,"dropped":1,"cut_flows":[7,"x"]})", d);
    ASSERT_EQ(d.type, LineType::End);
    EXPECT_EQ(d.end.events, 3u);
    EXPECT_EQ(d.end.cutFlows, std::vector<uint64_t>{7});
    EXPECT_EQ(messages(d.problems),
              "\"cut_flows\" must hold unsigned integers, not string \"x\"\n");
    parser.parse(R"({"type":"marker"})", d);
    EXPECT_EQ(d.type, LineType::UnknownType);
    EXPECT_EQ(d.typeText, "\"marker\"");
    parser.parse(R"({"type":7})", d);
    EXPECT_EQ(d.lineError, LineError::BadType);
    EXPECT_EQ(d.error, "\"type\" must be a string, not number 7");
}

TEST(LineParser, BrokenLinesSayWhyAndWhere)
{
    LineParser parser;
    DecodedLine d;
    parser.parse("  ", d);
    EXPECT_EQ(d.lineError, LineError::Empty);
    parser.parse(R"({"seq":2,"ts":1001000,,})", d);
    EXPECT_EQ(d.lineError, LineError::InvalidJson);
    EXPECT_EQ(d.error, "invalid JSON at column 23: syntax error, expected a string key");
    parser.parse(R"({"seq":2,"ts":10)", d);
    EXPECT_EQ(d.error, "invalid JSON at column 17: unexpected end of line, expected ',' or '}'");
    parser.parse(std::string(20, '[') + std::string(20, ']'), d);
    EXPECT_EQ(d.lineError, LineError::TooDeep);
    EXPECT_EQ(d.error, "nested too deep (more than 8 levels of arrays and objects)");
    parser.parse("[1]", d);
    EXPECT_EQ(d.lineError, LineError::NotObject);
    EXPECT_EQ(d.error, "a line must be a JSON object, not array [1]");
    parser.parse(R"({"seq":-1,"ts":1,"kind":"read","fn":"f","actor":{"role":"boss","index":0,)"
                 R"("pid":1,"tid":1},"args":{},"fd":"x"})",
                 d);
    EXPECT_EQ(d.type, LineType::Event);
    EXPECT_FALSE(d.envelopeValid);
    EXPECT_EQ(messages(d.problems),
              "\"seq\" must be an unsigned integer, not number -1\n"
              "\"actor.role\" is \"boss\"; expected one of: master, reactor, manager, worker, "
              "task_worker\n"
              "\"fd\" must be an integer, not string \"x\"\n");
    EXPECT_EQ(d.error, "\"seq\" must be an unsigned integer, not number -1");
}

TEST(LineParser, ArgTextsGiveEveryArgAsMatcherText)
{
    LineParser parser;
    std::vector<std::pair<std::string, std::string>> args;
    parser.argTexts(R"({"type":"RECV_DATA","len":12,"direct":true,"x":[1]})", args);
    ASSERT_EQ(args.size(), 4u);
    EXPECT_EQ(args[0], (std::pair<std::string, std::string>{"type", "RECV_DATA"}));
    EXPECT_EQ(args[1].second, "12");
    EXPECT_EQ(args[2].second, "true");
    EXPECT_EQ(args[3].second, "[1]");
}

}  // namespace
}  // namespace rscope::tracefile
