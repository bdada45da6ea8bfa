// exportChromeTrace: the output parses, names every process and thread, gives every event a
// well-formed slice, nests slices per thread, and chains each flow with one bind_id.
#include "engine/tracefile/chrome_export.h"

#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

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

struct Exported
{
    ChromeExportSummary summary;
    json doc;
    Collected problems;
};

Exported exportText(const std::string& text)
{
    Exported e;
    std::ostringstream out;
    e.summary =
        exportChromeTrace(writeTrace(text), out, [&](const Problem& p) { e.problems.add(p); });
    e.doc = json::parse(out.str());  // throws (and fails the test) on invalid JSON
    return e;
}

std::pair<int, int> threadOf(const json& ev)
{
    return {ev.at("pid").get<int>(), ev.at("tid").get<int>()};
}

std::vector<json> withPh(const json& doc, const char* ph)
{
    std::vector<json> found;
    for (const json& ev : doc.at("traceEvents"))
        if (ev.at("ph") == ph) found.push_back(ev);
    return found;
}

TEST(ChromeExport, ParsesWithMetadataSlicesAndFlows)
{
    TraceBuilder b;
    b.request(281474976710657, 1'000'000'123, 12000).request(5, 1'000'100'000).end();
    Exported e = exportText(b.text());
    ASSERT_TRUE(e.summary.readable) << e.problems.describe();
    EXPECT_EQ(e.doc.at("displayTimeUnit"), "ns");

    std::map<int, std::string> processNames;
    std::set<std::pair<int, int>> namedThreads;
    for (const json& m : withPh(e.doc, "M"))
    {
        if (m.at("name") == "process_name") processNames[m.at("pid")] = m.at("args").at("name");
        if (m.at("name") == "thread_name") namedThreads.insert(threadOf(m));
    }
    EXPECT_EQ(processNames,
              (std::map<int, std::string>{{100, "master"}, {101, "manager"}, {102, "worker[0]"}}));
    EXPECT_EQ(namedThreads.size(), 4u);
    EXPECT_TRUE(namedThreads.count({100, 103}));

    std::vector<json> slices = withPh(e.doc, "X");
    ASSERT_EQ(slices.size(), 18u);
    EXPECT_EQ(e.summary.slices, 18u);
    for (const json& s : slices)
    {
        ASSERT_TRUE(s.contains("pid") && s.at("pid").is_number_integer()) << s;
        ASSERT_TRUE(s.contains("tid") && s.at("tid").is_number_integer()) << s;
        ASSERT_TRUE(s.contains("ts") && s.at("ts").is_number()) << s;
        ASSERT_TRUE(s.contains("dur") && s.at("dur").is_number()) << s;
        EXPECT_GE(s.at("dur").get<double>(), 0.0) << s;
        EXPECT_TRUE(namedThreads.count(threadOf(s))) << s;
        EXPECT_TRUE(s.at("args").contains("fn")) << s;
    }

    // Flow 281474976710657: nine slices, one bind_id, the first only flow_out.
    std::vector<json> flow;
    for (const json& s : slices)
        if (s.at("args").value("flow", uint64_t(0)) == 281474976710657u) flow.push_back(s);
    ASSERT_EQ(flow.size(), 9u);
    std::sort(flow.begin(), flow.end(),
              [](const json& x, const json& y)
              { return x.at("args").at("seq") < y.at("args").at("seq"); });
    for (size_t i = 0; i < flow.size(); ++i)
    {
        EXPECT_EQ(flow[i].at("bind_id"), "0x1000000000001");
        EXPECT_EQ(flow[i].value("flow_out", false), true);
        EXPECT_EQ(flow[i].value("flow_in", false), i > 0) << i;
    }
    const json& read = flow[0];
    EXPECT_EQ(read.at("name"), "read");
    EXPECT_EQ(read.at("cat"), "reactor");
    EXPECT_DOUBLE_EQ(read.at("ts").get<double>(), 1'000'000.123);  // ns precision in µs
    EXPECT_EQ(read.at("args").at("bytes"), 12);
    EXPECT_EQ(read.at("args").at("session"), 1);
    // callback_enter lasts until callback_exit (3 µs); the others at most 1 µs.
    EXPECT_EQ(flow[4].at("name"), "callback_enter");
    EXPECT_DOUBLE_EQ(flow[4].at("dur").get<double>(), 3.0);
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 8u})
        EXPECT_LE(flow[i].at("dur").get<double>(), 1.0) << flow[i];
}

TEST(ChromeExport, SlicesOfOneThreadNestOrFollowEachOther)
{
    TraceBuilder b;
    // Back-to-back requests 300-500 ns apart: each slice is cut short by the next event.
    for (int i = 0; i < 20; ++i) b.request(100 + i, 1'000'000 + i * 11'500, 11'000 + i * 10);
    Exported e = exportText(b.text());
    std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> perThread;
    for (const json& s : withPh(e.doc, "X"))
        perThread[threadOf(s)].push_back(
            {s.at("ts").get<double>(), s.at("ts").get<double>() + s.at("dur").get<double>()});
    ASSERT_EQ(perThread.size(), 2u);
    for (auto& [thread, spans] : perThread)
    {
        std::sort(spans.begin(), spans.end());
        for (size_t i = 0; i + 1 < spans.size(); ++i)
        {
            auto [s1, e1] = spans[i];
            auto [s2, e2] = spans[i + 1];
            // The next slice starts after this one ends, or lies wholly inside it.
            bool ok = s2 >= e1 - 1e-9 || e2 <= e1 + 1e-9;
            EXPECT_TRUE(ok) << thread.second << ": [" << s1 << "," << e1 << ") then [" << s2 << ","
                            << e2 << ")";
        }
    }
}

TEST(ChromeExport, ThreadSeenOnlyInEventsIsNamed)
{
    TraceBuilder b;
    json restarted = {{"role", "worker"}, {"index", 0}, {"pid", 555}, {"tid", 555}};
    b.event("worker_start", 1'000'000, restarted, {{"worker", 0}});
    Exported e = exportText(b.text());
    bool process = false;
    bool thread = false;
    for (const json& m : withPh(e.doc, "M"))
    {
        if (m.at("pid") != 555) continue;
        process =
            process || (m.at("name") == "process_name" && m.at("args").at("name") == "worker[0]");
        thread = thread || (m.at("name") == "thread_name" && m.at("tid") == 555 &&
                            m.at("args").at("name") == "worker[0]");
    }
    EXPECT_TRUE(process);
    EXPECT_TRUE(thread);
}

TEST(ChromeExport, UnreadableTraceStillGivesAValidDocument)
{
    TraceBuilder b("2.0");
    b.request(1, 1'000'000);
    Exported e = exportText(b.text());
    EXPECT_FALSE(e.summary.readable);
    EXPECT_TRUE(e.doc.at("traceEvents").empty());
}

// Extreme values a file may hold (an index of INT_MAX, timestamps at both ends of int64): sort
// indexes stay positive and durations never negative, without signed overflow (UBSan found
// three in this file).
TEST(ChromeExport, ExtremeIndexesAndTimestampsDoNotOverflow)
{
    const json bigWorker = {{"role", "worker"}, {"index", INT32_MAX}, {"pid", 7}, {"tid", 7}};
    const json bigReactor = {{"role", "reactor"}, {"index", INT32_MAX}, {"pid", 8}, {"tid", 9}};
    TraceBuilder b;
    b.event("callback_enter", INT64_MIN + 1, bigWorker, {{"session", 1}, {"flow", 1}});
    b.event("read", 0, bigReactor, {{"session", 1}, {"flow", 1}});
    b.event("worker_receive", INT64_MAX, bigWorker, {{"session", 1}, {"flow", 1}});
    Exported e = exportText(b.text());
    for (const json& ev : withPh(e.doc, "M"))
    {
        if (ev.at("name").get<std::string>().find("sort_index") != std::string::npos)
        {
            EXPECT_GE(ev.at("args").at("sort_index").get<int64_t>(), 0) << ev.dump();
        }
    }
    for (const json& ev : withPh(e.doc, "X"))
        EXPECT_GE(ev.at("dur").get<double>(), 0.0) << ev.dump();
}

}  // namespace
}  // namespace rscope::tracefile
