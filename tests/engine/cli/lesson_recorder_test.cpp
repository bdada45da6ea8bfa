// LessonRecorder (`rscope tutorial record`'s file writer) on hand-made streams: lines kept as
// sent, one file per server run (recordingPathForRun), trace_end counting as `rscope record` does
// (traces/FORMAT.md, section 7), and the errors: no header, a file that cannot be opened or
// written.
#include "engine/cli/lesson_recorder.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/tracefile/trace_check.h"
#include "engine/tracefile/trace_reader.h"
#include "engine/tutorial/lesson_check.h"
#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::cli
{
namespace
{
using nlohmann::json;
using tracefile::testing::kMaster;
using tracefile::testing::kReactor0;
using tracefile::testing::kWorker0;
using tracefile::testing::readFile;
using tracefile::testing::TraceBuilder;

// A path under the test temp dir named after the running test, with no file of run 1 or 2 left
// from an earlier run of the test.
std::string freshPath()
{
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path = ::testing::TempDir() + "rscope_cli_" + info->test_suite_name() + "_" +
                       info->name() + ".jsonl";
    std::remove(path.c_str());
    std::remove(tutorial::recordingPathForRun(path, 2).c_str());
    return path;
}

std::vector<std::string> linesOf(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Feeds every line of text; false when the recorder refused one.
bool feed(LessonRecorder& recorder, const std::string& text)
{
    for (const std::string& line : linesOf(text))
        if (!recorder.line(line)) return false;
    return true;
}

// The last line of a file.
std::string lastLine(const std::string& path)
{
    std::vector<std::string> lines = linesOf(readFile(path));
    return lines.empty() ? "" : lines.back();
}

// The trace_end line as `rscope record` writes it, keys in this order (traces/FORMAT.md, 7).
std::string traceEnd(uint64_t events, uint64_t dropped, std::vector<uint64_t> cut)
{
    nlohmann::ordered_json end = {
        {"type", "trace_end"}, {"events", events}, {"dropped", dropped}, {"cut_flows", cut}};
    return end.dump();
}

tracefile::CheckSummary check(const std::string& path)
{
    std::string problems;
    tracefile::CheckSummary s = tracefile::checkTrace(
        path, [&](const tracefile::Problem& p) { problems += p.where.toString() + "\n"; });
    EXPECT_EQ(s.errors, 0u) << problems;
    return s;
}

TEST(LessonRecorder, OneRunKeepsTheLinesAndEndsWithTraceEnd)
{
    std::string path = freshPath();
    TraceBuilder b;
    b.request(7, 1'000'000);
    json open = {{"session", 1}, {"flow", 9}};
    b.event("read", 2'000'000, kReactor0, open);
    b.event("dispatch", 2'001'000, kReactor0, open);

    LessonRecorder recorder(path);
    // Lines before the first header (a stream joined late) are not the recording's.
    ASSERT_TRUE(recorder.line(R"({"seq":1,"kind":"read"})"));
    ASSERT_TRUE(feed(recorder, b.text()));
    ASSERT_TRUE(recorder.finish()) << recorder.error();
    EXPECT_EQ(recorder.error(), "");

    ASSERT_EQ(recorder.files(), std::vector<std::string>{path});
    EXPECT_EQ(readFile(path), b.text() + traceEnd(11, 0, {9}) + "\n");
    EXPECT_EQ(recorder.events(), 11u);
    EXPECT_EQ(recorder.dropped(), 0u);
    EXPECT_EQ(recorder.cutFlows(), 1u);

    // The file is a finished recording to the trace tools: its end, counts and cut flow agree.
    tracefile::TraceReader reader(path);
    ASSERT_TRUE(reader.read(tracefile::TraceSink{}));
    EXPECT_TRUE(reader.hasEnd());
    EXPECT_EQ(reader.counts().eventLines, 11u);
    EXPECT_EQ(reader.counts().events, 11u);
    tracefile::CheckSummary s = check(path);
    EXPECT_EQ(s.events, 11u);
    EXPECT_EQ(s.flows, 2u);
    EXPECT_EQ(s.cutFlows, 1u);
}

TEST(LessonRecorder, EachHeaderStartsTheNextRunsFile)
{
    std::string path = freshPath();
    TraceBuilder run1;
    run1.request(1, 1'000'000);
    TraceBuilder run2;
    run2.request(2, 1'000'000);
    run2.event("read", 2'000'000, kReactor0, {{"session", 1}, {"flow", 5}});

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, run1.text()));
    ASSERT_EQ(recorder.files().size(), 1u);
    ASSERT_TRUE(feed(recorder, run2.text()));  // the server restarted
    ASSERT_TRUE(recorder.finish()) << recorder.error();

    std::string second = tutorial::recordingPathForRun(path, 2);
    EXPECT_EQ(second, path.substr(0, path.size() - 6) + "-run2.jsonl");
    ASSERT_EQ(recorder.files(), (std::vector<std::string>{path, second}));
    // Each file holds its own run only, and its trace_end counts that run.
    EXPECT_EQ(readFile(path), run1.text() + traceEnd(9, 0, {}) + "\n");
    EXPECT_EQ(readFile(second), run2.text() + traceEnd(10, 0, {5}) + "\n");
    // The totals are over both runs.
    EXPECT_EQ(recorder.events(), 19u);
    EXPECT_EQ(recorder.cutFlows(), 1u);
    EXPECT_EQ(check(path).cutFlows, 0u);
    EXPECT_EQ(check(second).cutFlows, 1u);
}

TEST(LessonRecorder, DroppedSumsTheTraceDroppedCounts)
{
    std::string path = freshPath();
    TraceBuilder b;
    b.request(3, 1'000'000);
    b.event("trace_dropped", 1'100'000, kMaster, {}, {{"count", 4}});
    b.event("trace_dropped", 1'200'000, kWorker0, {}, {{"count", 3}});

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, b.text()));
    ASSERT_TRUE(recorder.finish()) << recorder.error();
    EXPECT_EQ(lastLine(path), traceEnd(11, 7, {}));
    EXPECT_EQ(recorder.dropped(), 7u);
    EXPECT_EQ(recorder.events(), 11u);
}

TEST(LessonRecorder, BrokenLinesCountAsEventsAsAReaderCountsThem)
{
    std::string path = freshPath();
    TraceBuilder b;
    b.request(3, 1'000'000);
    b.raw("{not json");
    b.raw(R"({"seq":10,"ts":2000000,"kind":"no_such_kind"})");

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, b.text()));
    ASSERT_TRUE(recorder.finish()) << recorder.error();
    EXPECT_EQ(lastLine(path), traceEnd(11, 0, {}));

    tracefile::TraceReader reader(path);
    reader.read(tracefile::TraceSink{});
    EXPECT_TRUE(reader.hasEnd());
    EXPECT_EQ(reader.counts().eventLines, 11u);
}

TEST(LessonRecorder, TheStreamsOwnTraceEndIsKeptAndNotDoubled)
{
    std::string path = freshPath();
    TraceBuilder b;
    b.request(4, 1'000'000);
    b.event("read", 2'000'000, kReactor0, {{"session", 1}, {"flow", 6}});
    b.end(2, {6});  // the server stopped and sent its own

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, b.text()));
    // Nothing after the end belongs to the run, until the next header.
    ASSERT_TRUE(recorder.line(R"({"seq":11,"ts":3000000,"kind":"read"})"));
    ASSERT_TRUE(recorder.finish()) << recorder.error();
    EXPECT_EQ(readFile(path), b.text());
    EXPECT_EQ(recorder.events(), 10u);
}

TEST(LessonRecorder, NoHeaderFinishFails)
{
    std::string path = freshPath();
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::vector<std::string> lines = linesOf(b.text());

    LessonRecorder recorder(path);
    for (size_t i = 1; i < lines.size(); ++i) EXPECT_TRUE(recorder.line(lines[i]));  // no header
    EXPECT_FALSE(recorder.finish());
    EXPECT_EQ(recorder.error(), "the server sent no trace header");
    EXPECT_TRUE(recorder.files().empty());
    EXPECT_FALSE(std::filesystem::exists(path));

    LessonRecorder silent(freshPath());
    EXPECT_FALSE(silent.finish());
    EXPECT_EQ(silent.error(), "the server sent no trace header");
}

TEST(LessonRecorder, UnopenablePathIsReported)
{
    std::string path = ::testing::TempDir() + "rscope_cli_no_such_dir/lesson.jsonl";
    ASSERT_FALSE(std::filesystem::exists(::testing::TempDir() + "rscope_cli_no_such_dir"));
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::vector<std::string> lines = linesOf(b.text());

    LessonRecorder recorder(path);
    EXPECT_FALSE(recorder.line(lines[0]));
    EXPECT_EQ(recorder.error(), "open(" + path + "): " + std::strerror(ENOENT));
    // The error stays: every later line and finish() fail with it.
    EXPECT_FALSE(recorder.line(lines[1]));
    EXPECT_FALSE(recorder.finish());
    EXPECT_EQ(recorder.error(), "open(" + path + "): " + std::strerror(ENOENT));
    EXPECT_TRUE(recorder.files().empty());
}

TEST(LessonRecorder, WriteFailureIsReported)
{
    // /dev/full opens, and every write to it fails with ENOSPC: a full disk.
    const std::string path = "/dev/full";
    if (!std::filesystem::exists(path))
    {
        GTEST_SKIP() << "no /dev/full";
    }
    TraceBuilder b;
    b.request(1, 1'000'000);

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, b.text()));  // buffered: seen when the file is finished
    EXPECT_FALSE(recorder.finish());
    EXPECT_EQ(recorder.error(), "write(/dev/full): " + std::string(std::strerror(ENOSPC)));
    EXPECT_EQ(recorder.files(), std::vector<std::string>{path});
}

TEST(LessonRecorder, WriteFailureStopsTheNextRun)
{
    const std::string path = "/dev/full";
    if (!std::filesystem::exists(path))
    {
        GTEST_SKIP() << "no /dev/full";
    }
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::vector<std::string> lines = linesOf(b.text());

    LessonRecorder recorder(path);
    ASSERT_TRUE(feed(recorder, b.text()));
    // The next header finishes run 1, whose writes failed: no file for run 2.
    EXPECT_FALSE(recorder.line(lines[0]));
    EXPECT_EQ(recorder.error(), "write(/dev/full): " + std::string(std::strerror(ENOSPC)));
    EXPECT_FALSE(recorder.line(lines[1]));
    EXPECT_FALSE(recorder.finish());
    EXPECT_EQ(recorder.files(), std::vector<std::string>{path});
    EXPECT_FALSE(std::filesystem::exists(tutorial::recordingPathForRun(path, 2)));
}

}  // namespace
}  // namespace rscope::cli
