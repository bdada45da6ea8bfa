// TraceReader and TraceLineParser on hand-made traces: valid input, every kind of broken line,
// version policy, unknown kinds, and line splitting across read chunks.
#include "engine/tracefile/trace_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/format/line_splitter.h"
#include "engine/format/trace_line_parser.h"
#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using nlohmann::json;
using testing::Collected;
using testing::kReactor0;
using testing::kWorker0;
using testing::TraceBuilder;
using testing::writeTrace;

struct ReadResult
{
    bool ok = false;
    std::vector<TraceEventView> events;
    Collected problems;
    ReadCounts counts;
    TraceHeader header;
};

ReadResult readText(const std::string& text)
{
    ReadResult r;
    TraceSink sink;
    sink.onEvent = [&](const TraceEventView& e) { r.events.push_back(e); };
    sink.onProblem = [&](const Problem& p) { r.problems.add(p); };
    TraceReader reader(writeTrace(text));
    r.ok = reader.read(sink);
    r.counts = reader.counts();
    r.header = reader.header();
    return r;
}

TEST(TraceReader, ValidTraceDeliversEveryEventWithItsFields)
{
    TraceBuilder b;
    b.request(281474976710657, 1'000'000);
    b.event("read", 2'000'000, kReactor0,
            {{"session", 5}, {"fd", 12}, {"reactor", 0}, {"payload", "hello world\\n"}},
            {{"bytes", 12}, {"buffered_total", 0}});
    b.end();
    ReadResult r = readText(b.text());
    ASSERT_TRUE(r.ok) << r.problems.describe();
    EXPECT_TRUE(r.problems.errors.empty()) << r.problems.describe();
    EXPECT_TRUE(r.problems.warnings.empty()) << r.problems.describe();
    ASSERT_EQ(r.events.size(), 10u);
    EXPECT_EQ(r.counts.eventLines, 10u);
    EXPECT_EQ(r.header.versionMajor, 1);
    EXPECT_EQ(r.header.settings.port, 9502);

    const TraceEventView& first = r.events[0];
    EXPECT_EQ(first.seq, 1u);
    EXPECT_EQ(first.line, 2u);
    EXPECT_EQ(first.kind, trace::EventKind::Read);
    EXPECT_EQ(first.fn, "swReactorThread_onRead");
    EXPECT_EQ(first.actor.label(), "reactor[0]");
    EXPECT_EQ(first.actor.tid, 103);
    EXPECT_EQ(first.flowId(), 281474976710657u);
    EXPECT_EQ(first.session.value_or(-1), 1);
    EXPECT_FALSE(first.fd.has_value());

    const TraceEventView& last = r.events[9];
    EXPECT_EQ(last.fd.value_or(-1), 12);
    EXPECT_EQ(last.intArg("bytes"), 12);
    EXPECT_EQ(last.payload.value_or(""), "hello world\\n");
    EXPECT_EQ(last.line, 11u);
}

TEST(TraceReader, TruncatedLastLineIsAnErrorWithFileAndLine)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string text = b.text() + R"({"seq":10,"ts":2000000,"kind":"re)";  // no newline
    ReadResult r = readText(text);
    EXPECT_TRUE(r.ok);  // the lines before it are still read
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    const ParseError& where = r.problems.errors[0].where;
    EXPECT_EQ(where.line, 11u);
    EXPECT_NE(where.message.find("truncated last line"), std::string::npos) << where.message;
    EXPECT_EQ(where.toString().rfind(where.file + ":11: truncated", 0), 0u) << where.toString();
    EXPECT_EQ(r.events.size(), 9u);
}

TEST(TraceReader, NewerMajorVersionIsRefused)
{
    TraceBuilder b("2.0");
    b.request(1, 1'000'000);
    ReadResult r = readText(b.text());
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.events.empty());
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 1u);
    EXPECT_NE(r.problems.errors[0].where.message.find("2.0 is newer"), std::string::npos)
        << r.problems.describe();
}

TEST(TraceReader, NewerMinorVersionIsReadAndItsAdditionsIgnored)
{
    TraceBuilder b("1.7");
    b.event("read", 1'000'000, kReactor0, {{"new_field", "x"}}, {{"new_arg", 1}});
    b.event("quantum_leap", 1'001'000, kReactor0);
    b.event("close", 1'002'000, kReactor0);
    ReadResult r = readText(b.text());
    ASSERT_TRUE(r.ok) << r.problems.describe();
    EXPECT_TRUE(r.problems.errors.empty()) << r.problems.describe();
    EXPECT_TRUE(r.problems.warnings.empty()) << r.problems.describe();
    EXPECT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.counts.unknownKinds, 1u);
}

TEST(TraceReader, ExtraArgInSameMinorIsAWarning)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0, {}, {{"new_arg", 1}});
    ReadResult r = readText(b.text());
    EXPECT_TRUE(r.problems.errors.empty()) << r.problems.describe();
    ASSERT_EQ(r.problems.warnings.size(), 1u) << r.problems.describe();
    EXPECT_NE(r.problems.warnings[0].where.message.find("args.new_arg"), std::string::npos);
}

TEST(TraceReader, WrongTypeOfRequiredFieldNamesTheFieldAndLine)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0);
    b.event("read", 1'001'000, kReactor0, {{"seq", "2"}});
    b.event("read", 1'002'000, kReactor0);
    ReadResult r = readText(b.text());
    EXPECT_TRUE(r.ok);
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();  // no seq cascade after it
    const ParseError& where = r.problems.errors[0].where;
    EXPECT_EQ(where.line, 3u);
    EXPECT_NE(where.message.find("\"seq\" must be an unsigned integer, not string"),
              std::string::npos)
        << where.message;
    EXPECT_EQ(r.events.size(), 2u);  // the bad line is not handed out
}

TEST(TraceReader, MissingRequiredFieldIsAnError)
{
    TraceBuilder b;
    b.raw(R"({"seq":1,"ts":5,"kind":"read","fn":"swReactorThread_onRead","args":{}})");
    ReadResult r = readText(b.text());
    bool namesActor = false;
    for (const Problem& p : r.problems.errors)
        namesActor = namesActor || p.where.message == "\"actor\" is missing";
    EXPECT_TRUE(namesActor) << r.problems.describe();
    EXPECT_TRUE(r.events.empty());
}

TEST(TraceReader, NegativeTsIsAnError)
{
    TraceBuilder b;
    b.event("read", -5, kReactor0);
    ReadResult r = readText(b.text());
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_NE(r.problems.errors[0].where.message.find("negative"), std::string::npos);
}

TEST(TraceReader, SeqGoingBackwardsIsAnError)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0, {{"seq", 1}});
    b.event("read", 1'001'000, kReactor0, {{"seq", 2}});
    b.event("read", 1'002'000, kReactor0, {{"seq", 3}});
    b.event("read", 1'003'000, kReactor0, {{"seq", 2}});
    ReadResult r = readText(b.text());
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 5u);
    EXPECT_NE(r.problems.errors[0].where.message.find("backwards: 2 after 3"), std::string::npos)
        << r.problems.describe();
}

TEST(TraceReader, SeqGapIsAnError)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0, {{"seq", 7}});  // any first seq is fine
    b.event("read", 1'001'000, kReactor0, {{"seq", 8}});
    b.event("read", 1'002'000, kReactor0, {{"seq", 11}});
    b.event("read", 1'003'000, kReactor0, {{"seq", 12}});
    ReadResult r = readText(b.text());
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 4u);
    EXPECT_NE(r.problems.errors[0].where.message.find("jumps from 8 to 11: 2 missing"),
              std::string::npos)
        << r.problems.describe();
}

TEST(TraceReader, UnknownKindIsSkippedAndCounted)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0);
    b.event("teleport", 1'001'000, kWorker0, {{"flow", 9}});
    b.event("close", 1'002'000, kReactor0);
    ReadResult r = readText(b.text());
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.problems.errors.empty()) << r.problems.describe();
    EXPECT_EQ(r.counts.unknownKinds, 1u);
    EXPECT_EQ(r.counts.eventLines, 3u);
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.events[1].kind, trace::EventKind::Close);
}

TEST(TraceReader, MissingHeaderStopsReading)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0);
    std::string text = b.text().substr(b.text().find('\n') + 1);  // drop the header
    ReadResult r = readText(text);
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 1u);
    EXPECT_NE(r.problems.errors[0].where.message.find("missing header"), std::string::npos);
    EXPECT_TRUE(r.events.empty());
}

TEST(TraceReader, EmptyFileAndMissingFileAreErrors)
{
    ReadResult empty = readText("");
    EXPECT_FALSE(empty.ok);
    ASSERT_EQ(empty.problems.errors.size(), 1u);
    EXPECT_NE(empty.problems.errors[0].where.toString().find(": empty trace"), std::string::npos);

    Collected problems;
    TraceSink sink;
    sink.onProblem = [&](const Problem& p) { problems.add(p); };
    TraceReader reader("/nonexistent/dir/trace.jsonl");
    EXPECT_FALSE(reader.read(sink));
    ASSERT_EQ(problems.errors.size(), 1u);
    EXPECT_EQ(problems.errors[0].where.toString(),
              "/nonexistent/dir/trace.jsonl: open: No such file or directory");
}

TEST(TraceReader, InvalidJsonLineIsReportedAndReadingGoesOn)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0);
    b.raw(R"({"seq":2,"ts":1001000,,})");
    b.nextSeq();
    b.event("close", 1'002'000, kReactor0);
    ReadResult r = readText(b.text());
    EXPECT_TRUE(r.ok);
    ASSERT_EQ(r.problems.errors.size(), 1u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 3u);
    EXPECT_NE(r.problems.errors[0].where.message.find("invalid JSON at column"), std::string::npos)
        << r.problems.describe();
    EXPECT_EQ(r.events.size(), 2u);
}

TEST(TraceReader, ArgOfWrongTypeOrMissingIsAnError)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0, {}, {{"bytes", "12"}});
    b.event("dispatch", 1'001'000, kReactor0, {}, {{"type", 0}});
    b.raw(json{{"seq", b.nextSeq()},
               {"ts", 1'002'000},
               {"kind", "accept"},
               {"fn", "swServer_master_onAccept"},
               {"actor", testing::kMaster},
               {"args", {{"listen_fd", 3}, {"peer_ip", "300.1.1.1"}}}}
              .dump());
    ReadResult r = readText(b.text());
    ASSERT_EQ(r.problems.errors.size(), 4u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.message,
              "\"args.bytes\" must be an integer (kind read), not string \"12\"");
    EXPECT_EQ(r.problems.errors[1].where.message,
              "\"args.type\" must be a string (kind dispatch), not number 0");
    EXPECT_NE(r.problems.errors[2].where.message.find("IPv4"), std::string::npos);
    EXPECT_EQ(r.problems.errors[3].where.message, "\"args.peer_port\" is missing (kind accept)");
    EXPECT_EQ(r.events.size(), 3u);  // a bad arg does not hide the event
}

TEST(TraceReader, FnDifferentFromTheTableIsAWarning)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0, {{"fn", "swSomething_else"}});
    ReadResult r = readText(b.text());
    EXPECT_TRUE(r.problems.errors.empty()) << r.problems.describe();
    ASSERT_EQ(r.problems.warnings.size(), 1u) << r.problems.describe();
    EXPECT_NE(r.problems.warnings[0].where.message.find("swReactorThread_onRead"),
              std::string::npos);
}

TEST(TraceReader, TraceEndMustCountTheEventsAndComeLast)
{
    TraceBuilder b;
    b.event("read", 1'000'000, kReactor0);
    b.raw(R"({"type":"trace_end","events":5,"dropped":0,"cut_flows":[]})");
    b.event("close", 1'002'000, kReactor0);
    ReadResult r = readText(b.text());
    ASSERT_EQ(r.problems.errors.size(), 2u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.line, 3u);
    EXPECT_NE(r.problems.errors[0].where.message.find("counts 5 events, but 1"), std::string::npos);
    EXPECT_EQ(r.problems.errors[1].where.line, 4u);
    EXPECT_NE(r.problems.errors[1].where.message.find("after the trace_end"), std::string::npos);
}

TEST(TraceReader, BadHeaderFieldsAreErrorsButReadingGoesOn)
{
    json header = testing::headerJson();
    header["settings"]["port"] = "9502";
    header["topology"]["threads"][1].erase("tid");
    std::string text = header.dump() + "\n";
    ReadResult r = readText(text);
    EXPECT_TRUE(r.ok);
    ASSERT_EQ(r.problems.errors.size(), 2u) << r.problems.describe();
    EXPECT_EQ(r.problems.errors[0].where.message,
              "\"settings.port\" must be an integer, not string \"9502\"");
    EXPECT_EQ(r.problems.errors[1].where.message, "\"topology.threads[1].tid\" is missing");
}

TEST(LineSplitter, LinesSplitAcrossChunksComeOutWhole)
{
    std::string text = "first line\nsecond\r\n\nthird";
    for (size_t chunk : {1u, 2u, 3u, 7u, 100u})
    {
        LineSplitter splitter;
        std::vector<std::string> lines;
        for (size_t i = 0; i < text.size(); i += chunk)
            splitter.feed(std::string_view(text).substr(i, chunk),
                          [&](std::string_view line, bool tooLong)
                          {
                              EXPECT_FALSE(tooLong);
                              lines.emplace_back(line);
                          });
        EXPECT_EQ(lines, (std::vector<std::string>{"first line", "second", ""})) << chunk;
        EXPECT_EQ(splitter.partial(), "third") << chunk;
    }
}

TEST(LineSplitter, TooLongLineIsCutOnceAndTheNextLineSurvives)
{
    LineSplitter splitter(8);
    std::vector<std::pair<std::string, bool>> lines;
    auto onLine = [&](std::string_view line, bool tooLong) { lines.emplace_back(line, tooLong); };
    splitter.feed("0123456789abc", onLine);
    splitter.feed("def\nok\n", onLine);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], std::make_pair(std::string("01234567"), true));
    EXPECT_EQ(lines[1], std::make_pair(std::string("ok"), false));
}

}  // namespace
}  // namespace rscope::tracefile
