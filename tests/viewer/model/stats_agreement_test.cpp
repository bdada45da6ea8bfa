// `rscope trace stats` (engine/tracefile/trace_stats.h) and the viewer's Statistics
// (viewer/model/trace_statistics.h) measure the same hops (engine/format/hops.h) with the same
// histograms: over every bundled trace and over recordings of the real server under load (raw and
// eof framing, recorded by `rscope record`), the event count, the samples per hop, the
// histograms bucket by bucket and p50/p90/p99/max per hop agree, in the library and in the
// command's --json and text output. With task workers, the task figures (engine/format/
// task_tally.h) and the model findings of both agree too.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/client/load_client.h"
#include "engine/tracefile/model_check.h"
#include "engine/tracefile/trace_stats.h"
#include "tests/integration/test_support.h"
#include "viewer/model/model_findings.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_statistics.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using trace::kHopCount;

std::string hopAt(size_t h)
{
    return hopName(static_cast<RequestHop>(h));
}

double us(int64_t ns)
{
    return static_cast<double>(ns) / 1000.0;
}

// What the viewer computes for a file: the store and the statistics over all of it.
struct ViewerFigures
{
    TraceStore store;
    TraceStatistics stats;
};

void loadViewer(const std::string& path, ViewerFigures& v)
{
    TraceReader reader(path);
    ASSERT_TRUE(reader.loadAll(v.store)) << reader.error();
    v.stats.reset(v.store.topology());
    v.stats.extend(v.store);
}

// Events the viewer keeps plus those it sets apart: what `trace stats` counts as event lines.
uint64_t viewerEventLines(const TraceStore& store)
{
    return store.size() + store.gateEvents() + store.unknownKinds();
}

// The library's figures against the viewer's; returns the samples seen over all hops.
uint64_t expectSameFigures(const std::string& path)
{
    SCOPED_TRACE(path);
    ViewerFigures v;
    loadViewer(path, v);
    tracefile::TraceStats cli = tracefile::computeTraceStats(path, nullptr);
    EXPECT_TRUE(cli.readable);
    EXPECT_EQ(cli.errors, 0u);
    EXPECT_EQ(v.store.errorCount(), 0u);
    EXPECT_EQ(cli.events, viewerEventLines(v.store));

    HopHistograms atEnd;
    v.stats.histogramsAt(v.store.size(), atEnd);
    std::vector<uint64_t> samplesPerHop(kHopCount, 0);
    for (const HopSample& s : v.stats.samples()) ++samplesPerHop[static_cast<size_t>(s.hop)];
    uint64_t samples = 0;
    EXPECT_EQ(cli.latencies.size(), kHopCount);
    for (size_t h = 0; h < kHopCount && h < cli.latencies.size(); ++h)
    {
        SCOPED_TRACE(hopAt(h));
        const LatencyHistogram& hist = v.stats.histograms()[h];
        const tracefile::LatencySummary& l = cli.latencies[h];
        EXPECT_EQ(l.name, hopAt(h));
        EXPECT_EQ(l.count, hist.count());
        EXPECT_EQ(l.count, samplesPerHop[h]);
        EXPECT_TRUE(cli.hopHistograms[h] == hist) << "the same samples, bucket by bucket";
        EXPECT_TRUE(atEnd[h] == hist) << "the Statistics tab at the last event";
        EXPECT_DOUBLE_EQ(l.p50Us, us(hist.percentileNs(50)));
        EXPECT_DOUBLE_EQ(l.p90Us, us(hist.percentileNs(90)));
        EXPECT_DOUBLE_EQ(l.p99Us, us(hist.percentileNs(99)));
        EXPECT_DOUBLE_EQ(l.maxUs, us(hist.maxNs()));
        samples += hist.count();
    }
    return samples;
}

// Runs `rscope args...` to completion; returns its exit code and leaves its output in `output`.
int runRscope(const std::vector<std::string>& args, std::string& output)
{
    std::string outPath = fmt::format("/tmp/rscope-agree-{}-cli.txt", ::getpid());
    pid_t pid = testing::spawnRscope(args, outPath);
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
    std::ifstream in(outPath);
    std::stringstream text;
    text << in.rdbuf();
    output = text.str();
    fs::remove(outPath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `rscope trace stats --json` and the plain table against the viewer's figures.
void expectCommandAgrees(const std::string& path)
{
    SCOPED_TRACE(path);
    ViewerFigures v;
    loadViewer(path, v);
    std::string out;
    ASSERT_EQ(runRscope({"trace", "stats", "--json", path}, out), 0) << out;
    // The object is the last line (problems, on stderr, would come first).
    size_t start = out.rfind('\n', out.size() >= 2 ? out.size() - 2 : 0);
    nlohmann::json j = nlohmann::json::parse(
        start == std::string::npos ? out : out.substr(start + 1), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out;
    EXPECT_EQ(j.at("events").get<uint64_t>(), viewerEventLines(v.store));
    ASSERT_EQ(runRscope({"trace", "stats", path}, out), 0) << out;
    for (size_t h = 0; h < kHopCount; ++h)
    {
        SCOPED_TRACE(hopAt(h));
        const LatencyHistogram& hist = v.stats.histograms()[h];
        const nlohmann::json& l = j.at("latency_us").at(hopAt(h));
        EXPECT_EQ(l.at("count").get<uint64_t>(), hist.count());
        EXPECT_EQ(l.at("p50_us").get<double>(), us(hist.percentileNs(50)));
        EXPECT_EQ(l.at("p90_us").get<double>(), us(hist.percentileNs(90)));
        EXPECT_EQ(l.at("p99_us").get<double>(), us(hist.percentileNs(99)));
        // The table's row: name, count, p50, p90, p99 (one decimal), then p999 and max.
        std::string row = fmt::format("  {:<30} {:>8} {:>10.1f} {:>10.1f} {:>10.1f} ", hopAt(h),
                                      hist.count(), us(hist.percentileNs(50)),
                                      us(hist.percentileNs(90)), us(hist.percentileNs(99)));
        EXPECT_NE(out.find(row), std::string::npos) << row << "\nin\n" << out;
    }
}

TEST(TraceStatisticsAgreement, EveryBundledTraceGivesTheSameFiguresAsTraceStats)
{
    std::vector<std::string> paths;
    for (const auto& entry : fs::directory_iterator(fs::path(RSCOPE_SOURCE_DIR) / "traces"))
        if (entry.path().extension() == ".jsonl") paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
    ASSERT_GE(paths.size(), 12u);
    uint64_t samples = 0;
    for (const std::string& path : paths) samples += expectSameFigures(path);
    EXPECT_GT(samples, 3000u) << "lesson-08-numbers alone has 600 requests";
    for (const std::string& path : paths) expectCommandAgrees(path);
}

// The article's trace as if a learner had stepped through it in live step mode: a gate_hold
// before the first event, then before each event a gate_step, one second after the event before
// it; every event moves one more second later. What the server did between a step and its event
// is the original gap, the rest is held: so with the held time left out, every hop measures
// what it measured in the original, though the file spans minutes.
std::string writeSteppedTrace(const std::string& from)
{
    std::ifstream in(from);
    std::string out = fmt::format("/tmp/rscope-agree-{}-stepped.jsonl", ::getpid());
    std::ofstream file(out);
    constexpr int64_t kHeldNs = 1'000'000'000;
    uint64_t seq = 0;
    int64_t shift = 0;
    int64_t previousTs = -1;
    int pid = 0;
    auto gate = [&](const char* kind, int64_t ts, nlohmann::json args)
    {
        nlohmann::json g = {
            {"seq", ++seq},
            {"ts", ts},
            {"kind", kind},
            {"fn", "rscope_step_gate"},
            {"actor", {{"role", "master"}, {"index", -1}, {"pid", pid}, {"tid", pid}}},
            {"args", std::move(args)}};
        file << g.dump() << "\n";
    };
    std::string line;
    while (std::getline(in, line))
    {
        nlohmann::json j = nlohmann::json::parse(line);
        if (j.value("type", "") == "header") file << line << "\n";
        if (!j.contains("kind")) continue;  // the header, and trace_end: written below
        if (pid == 0) pid = j.at("actor").at("pid").get<int>();
        int64_t ts = j.at("ts").get<int64_t>();
        if (previousTs < 0)
            gate("gate_hold", ts - 1, nlohmann::json::object());
        else
        {
            shift += kHeldNs;
            gate("gate_step", previousTs + shift, {{"count", 1}, {"released", 1}});
        }
        previousTs = ts;
        j["ts"] = ts + shift;
        j["seq"] = ++seq;
        file << j.dump() << "\n";
    }
    gate("gate_release", previousTs + shift + 1, {{"held_ns", shift + 2}, {"steps", seq / 2}});
    file << nlohmann::json{{"type", "trace_end"},
                           {"events", seq},
                           {"dropped", 0},
                           {"cut_flows", nlohmann::json::array()}}
                .dump()
         << "\n";
    return out;
}

TEST(TraceStatisticsAgreement, AStepModeTraceLeavesTheHeldTimeOutInBoth)
{
    const std::string article = std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";
    std::string stepped = writeSteppedTrace(article);
    EXPECT_GT(expectSameFigures(stepped), 0u);
    expectCommandAgrees(stepped);

    tracefile::TraceStats original = tracefile::computeTraceStats(article, nullptr);
    tracefile::TraceStats held = tracefile::computeTraceStats(stepped, nullptr);
    EXPECT_GT(held.durationS, 30.0) << "a second held before each of the 35 events";
    for (size_t h = 0; h < kHopCount; ++h)
    {
        SCOPED_TRACE(hopAt(h));
        EXPECT_TRUE(held.hopHistograms[h] == original.hopHistograms[h])
            << "held time left out: the hops of the unstepped trace";
    }
    ViewerFigures v;
    loadViewer(stepped, v);
    EXPECT_GT(v.store.held().steps(), 20u);
    if (!HasFailure()) fs::remove(stepped);
}

// The real server (echo, 2 reactors, 2 workers) under load from 16 connections for `seconds`,
// recorded by `rscope record`; returns the recording's path ("" after a failure).
std::string recordLoad(const std::string& name, std::vector<std::string> serverArgs,
                       client::LoadOptions::Framing framing, double seconds)
{
    std::string dir = fmt::format("/tmp/rscope-agree-{}", ::getpid());
    fs::create_directories(dir);
    std::string out = dir + "/" + name + ".jsonl";
    for (const char* a : {"--handler", "echo", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "127.0.0.1:0"})
        serverArgs.push_back(a);
    testing::ServerProcess server(serverArgs);
    if (!server.start())
    {
        ADD_FAILURE() << "server did not start: " << server.stderrText();
        return "";
    }
    uint16_t tracePort = testing::traceSocketPort(server.output());
    if (tracePort == 0)
    {
        ADD_FAILURE() << "no trace port in: " << server.output();
        return "";
    }
    pid_t recorder = testing::spawnRscope(
        {"record", "--from", fmt::format("127.0.0.1:{}", tracePort), "--out", out},
        dir + "/" + name + ".record.log");
    // The recorder has the stream once the server switched it to binary frames (their spool).
    EXPECT_TRUE(testing::waitUntil([&] { return fs::exists(out + ".frames"); }, 5s));

    client::LoadOptions load;
    load.port = server.port();
    load.connections = 16;
    load.durationS = seconds;
    load.framing = framing;
    load.packageEof = "\r\n";
    client::LoadSummary summary = client::runLoad(load);
    EXPECT_EQ(summary.errors, 0u);
    EXPECT_GT(summary.requests, 1000u);
    std::this_thread::sleep_for(200ms);  // the trace of the last replies reaches the recorder

    EXPECT_EQ(testing::terminateAndWait(&recorder, 10s), 0) << "record ends on SIGTERM";
    EXPECT_EQ(server.stop(), 0);
    return out;
}

TEST(TraceStatisticsAgreement, ARecordedLoadGivesTheSameFiguresAsTraceStats)
{
    std::string raw = recordLoad("raw", {}, client::LoadOptions::Framing::Raw, 1.0);
    ASSERT_FALSE(raw.empty());
    EXPECT_GT(expectSameFigures(raw), 5000u);
    expectCommandAgrees(raw);

    // eof framing: the reads carry no flow, each frame opens its request.
    std::string eof = recordLoad("eof", {"--protocol", "eof", "--package-eof", "\\r\\n"},
                                 client::LoadOptions::Framing::Eof, 0.5);
    ASSERT_FALSE(eof.empty());
    EXPECT_GT(expectSameFigures(eof), 2500u);
    expectCommandAgrees(eof);

    if (!HasFailure()) fs::remove_all(fs::path(raw).parent_path());
}

// The task figures of `trace stats` (library and --json) against the viewer's, at the last
// event and over all of it; returns the tasks run. Task workers are no event workers in either.
uint64_t expectSameTaskFigures(const std::string& path, int workerNum)
{
    SCOPED_TRACE(path);
    ViewerFigures v;
    loadViewer(path, v);
    tracefile::TraceStats cli = tracefile::computeTraceStats(path, nullptr);
    const trace::TaskTally& viewer = v.stats.tasks();
    trace::TaskTally atEnd;
    v.stats.tasksAt(v.store.size(), atEnd);
    EXPECT_EQ(v.stats.workers().size(), static_cast<size_t>(workerNum));
    for (size_t i = 0; i < viewer.taskWorkers().size(); ++i)
    {
        std::string id = std::to_string(workerNum + static_cast<int>(i)) + "]";
        auto listed = [&](const std::string& name)
        {
            return std::any_of(cli.actors.begin(), cli.actors.end(),
                               [&](const auto& a) { return a.first == name; });
        };
        EXPECT_TRUE(listed("task_worker[" + id)) << id;
        EXPECT_FALSE(listed("worker[" + id)) << "a task worker listed as an event worker";
    }
    std::string out;
    EXPECT_EQ(runRscope({"trace", "stats", "--json", path}, out), 0) << out;
    nlohmann::json j =
        nlohmann::json::parse(out.substr(out.rfind('\n', out.size() - 2) + 1), nullptr, false);
    EXPECT_TRUE(j.contains("task_workers")) << out;

    uint64_t tasks = 0;
    EXPECT_EQ(cli.tasks.workerNum(), viewer.workerNum());
    EXPECT_EQ(cli.taskWorkers.size(), viewer.taskWorkers().size());
    EXPECT_EQ(atEnd.taskWorkers().size(), viewer.taskWorkers().size());
    for (size_t i = 0; i < viewer.taskWorkers().size() && i < cli.taskWorkers.size(); ++i)
    {
        const trace::TaskWorkerFigures& w = viewer.taskWorkers()[i];
        const tracefile::TaskWorkerSummary& c = cli.taskWorkers[i];
        SCOPED_TRACE(c.name);
        EXPECT_EQ(c.name, "task_worker[" + std::to_string(workerNum + static_cast<int>(i)) + "]");
        EXPECT_EQ(c.tasks, w.tasks);
        EXPECT_TRUE(cli.tasks.taskWorkers()[i].onTask == w.onTask) << "bucket by bucket";
        EXPECT_TRUE(atEnd.taskWorkers()[i].onTask == w.onTask) << "the table at the last event";
        EXPECT_DOUBLE_EQ(c.onTask.p50Us, us(w.onTask.percentileNs(50)));
        EXPECT_DOUBLE_EQ(c.onTask.p99Us, us(w.onTask.percentileNs(99)));
        EXPECT_DOUBLE_EQ(c.onTask.maxUs, us(w.onTask.maxNs()));
        const nlohmann::json& jw = j["task_workers"][c.name];
        EXPECT_EQ(jw.value("tasks", uint64_t(0)), w.tasks);
        EXPECT_EQ(jw["on_task_us"].value("p90_us", -1.0), us(w.onTask.percentileNs(90)));
        tasks += w.tasks;
    }
    EXPECT_EQ(cli.taskCallers.size(), viewer.callers().size());
    for (size_t w = 0; w < viewer.callers().size() && w < cli.taskCallers.size(); ++w)
    {
        const trace::TaskCallerFigures& d = viewer.callers()[w];
        const tracefile::TaskCallerSummary& c = cli.taskCallers[w];
        SCOPED_TRACE(c.name);
        EXPECT_EQ(c.dispatched, d.dispatched);
        EXPECT_EQ(c.toIdle, d.toIdle);
        EXPECT_EQ(c.toBusy, d.toBusy);
        EXPECT_EQ(atEnd.callers()[w].dispatched, d.dispatched);
        EXPECT_EQ(j["task_dispatch"][c.name].value("to_busy", uint64_t(0)), d.toBusy);
    }

    // And the same model rules, fed from the file and from the viewer's events.
    std::vector<tracefile::ModelFinding> fileFindings = tracefile::checkModel(path);
    ModelFindings viewerFindings;
    viewerFindings.reset(v.store.topology());
    viewerFindings.extend(v.store);
    EXPECT_EQ(fileFindings.size(), viewerFindings.findings().size());
    for (const tracefile::ModelFinding& f : fileFindings)
        ADD_FAILURE() << path << ":" << f.line << ": " << f.message;
    return tasks;
}

// The real server with two event workers and two task workers (handler task:2: onReceive calls
// task(), onFinish replies) under load from 8 connections: more tasks at once than task workers,
// so some find every task worker busy.
TEST(TraceStatisticsAgreement, ATraceWithTaskWorkersGivesTheSameTaskFiguresAsTraceStats)
{
    std::string file = fmt::format("/tmp/rscope-agree-{}-tasks.jsonl", ::getpid());
    testing::ServerProcess server({"--handler", "task:2", "--worker-num", "2", "--reactor-num", "2",
                                   "--task-worker-num", "2", "--trace-listen", "off",
                                   "--trace-file", file});
    ASSERT_TRUE(server.start()) << server.stderrText();
    client::LoadOptions load;
    load.port = server.port();
    load.connections = 8;
    load.durationS = 0.5;
    client::LoadSummary summary = client::runLoad(load);
    EXPECT_EQ(summary.errors, 0u);
    EXPECT_GT(summary.requests, 50u) << "2 task workers of 2 ms each: up to 1000 tasks/s";
    ASSERT_EQ(server.stop(), 0);

    EXPECT_GT(expectSameFigures(file), 0u);
    expectCommandAgrees(file);
    EXPECT_GE(expectSameTaskFigures(file, 2), summary.requests) << "one task per reply";
    tracefile::TraceStats cli = tracefile::computeTraceStats(file, nullptr);
    uint64_t toBusy = 0;
    for (const tracefile::TaskCallerSummary& c : cli.taskCallers) toBusy += c.toBusy;
    EXPECT_GT(toBusy, 0u) << "8 connections, 2 task workers";
    if (!HasFailure()) fs::remove(file);
}

// A big recording (scripts/make-big-trace.sh: 1M events under load), when one is named.
TEST(TraceStatisticsAgreement, ABigTraceGivesTheSameFiguresAsTraceStats)
{
    const char* path = std::getenv("RSCOPE_BIG_TRACE");
    if (!path) GTEST_SKIP() << "set RSCOPE_BIG_TRACE to a big .jsonl to run";
    EXPECT_GT(expectSameFigures(path), 0u);
    expectCommandAgrees(path);
}

}  // namespace
}  // namespace rscope::viewer
