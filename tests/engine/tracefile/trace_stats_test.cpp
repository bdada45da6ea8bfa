// computeTraceStats on traces with known timestamps: percentiles, hops, counts, drops.
// The hops themselves are tested in tests/engine/format/hops_test.cpp; that the viewer's
// Statistics report the same figures, in tests/viewer/model/stats_agreement_test.cpp.
#include "engine/tracefile/trace_stats.h"

#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using nlohmann::json;
using testing::Collected;
using testing::kMaster;
using testing::kReactor0;
using testing::kWorker0;
using testing::TraceBuilder;
using testing::writeTrace;

const LatencySummary& latency(const TraceStats& s, const std::string& name)
{
    for (const LatencySummary& l : s.latencies)
        if (l.name == name) return l;
    ADD_FAILURE() << "no latency " << name;
    static const LatencySummary kNone;
    return kNone;
}

using H = trace::LatencyHistogram;

// The figure printed for a nearest rank of `exactNs`: the upper bound of its bucket, never above
// the maximum `maxNs`, in µs.
double bucketUs(int64_t exactNs, int64_t maxNs)
{
    return static_cast<double>(std::min(H::upperNs(H::bucketOf(exactNs)), maxNs)) / 1000.0;
}

TEST(TraceStats, PercentilesAreTheHistogramsNearestRanksAndMaxIsExact)
{
    H h;
    for (int64_t v = 1000; v >= 1; --v) h.add(v * 1000);  // 1..1000 µs, reversed
    LatencySummary l = summarizeLatencies("x", h);
    EXPECT_EQ(l.name, "x");
    EXPECT_EQ(l.count, 1000u);
    EXPECT_DOUBLE_EQ(l.p50Us, bucketUs(500'000, 1'000'000));
    EXPECT_DOUBLE_EQ(l.p90Us, bucketUs(900'000, 1'000'000));
    EXPECT_DOUBLE_EQ(l.p99Us, bucketUs(990'000, 1'000'000));
    EXPECT_DOUBLE_EQ(l.p999Us, bucketUs(999'000, 1'000'000));
    EXPECT_DOUBLE_EQ(l.maxUs, 1000);
    // Never more than one bucket (19 %) above the exact rank.
    EXPECT_GE(l.p50Us, 500);
    EXPECT_LT(l.p50Us, 500 * 1.19);

    EXPECT_EQ(summarizeLatencies("none", H{}).count, 0u);
}

TEST(TraceStats, HopLatenciesPerFlow)
{
    TraceBuilder b;
    // Flow k (1..10): read at t, dispatch 100*k ns later, reactor_write k µs later.
    for (int64_t k = 1; k <= 10; ++k)
    {
        int64_t t = k * 1'000'000;
        json ids = {{"session", k}, {"flow", k}};
        b.event("read", t, kReactor0, ids);
        b.event("dispatch", t + 100 * k, kReactor0, ids);
        b.event("worker_receive", t + 200 * k, kWorker0, ids);
        b.event("callback_enter", t + 250 * k, kWorker0, ids);
        b.event("send_request", t + 300 * k, kWorker0, ids);
        b.event("callback_exit", t + 400 * k, kWorker0, ids);
        b.event("reactor_write", t + 1000 * k, kReactor0, ids);
    }
    b.event("read", 20'000'000, kReactor0, {{"flow", 99}});  // no reply: not a request sample
    b.event("trace_dropped", 20'100'000, kMaster, {}, {{"count", 3}});
    b.end(3);
    Collected problems;
    TraceStats s =
        computeTraceStats(writeTrace(b.text()), [&](const Problem& p) { problems.add(p); });
    ASSERT_TRUE(s.readable);
    EXPECT_TRUE(problems.errors.empty()) << problems.describe();
    EXPECT_EQ(s.events, 72u);
    EXPECT_EQ(s.flows, 11u);
    EXPECT_EQ(s.droppedEvents, 3u);
    EXPECT_EQ(s.droppedAtEnd, 3u);
    EXPECT_EQ(s.dropped, 3u);  // the recorder's trace_end already includes trace_dropped
    EXPECT_DOUBLE_EQ(s.durationS, (20'100'000 - 1'000'000) / 1e9);
    EXPECT_NEAR(s.eventsPerSec, 72 / s.durationS, 1e-6);

    ASSERT_EQ(s.latencies.size(), trace::kHopCount);
    EXPECT_EQ(s.latencies.front().name, "read->dispatch");
    // Flow k: read->write k µs; flow 99 has no dispatch and no reply.
    const LatencySummary& request = latency(s, "read->write");
    EXPECT_EQ(request.count, 10u);
    EXPECT_DOUBLE_EQ(request.p50Us, bucketUs(5000, 10'000));
    EXPECT_DOUBLE_EQ(request.p90Us, bucketUs(9000, 10'000));
    EXPECT_DOUBLE_EQ(request.p99Us, 10);  // rank 10 of 10: the maximum
    EXPECT_DOUBLE_EQ(request.maxUs, 10);
    const LatencySummary& hop = latency(s, "read->dispatch");
    EXPECT_EQ(hop.count, 10u);
    EXPECT_DOUBLE_EQ(hop.p50Us, bucketUs(500, 1000));
    EXPECT_DOUBLE_EQ(hop.maxUs, 1.0);
    EXPECT_EQ(latency(s, "dispatch->worker").count, 10u);
    EXPECT_DOUBLE_EQ(latency(s, "dispatch->worker").maxUs, 1.0);
    EXPECT_DOUBLE_EQ(latency(s, "worker->send").maxUs, 1.0);
    EXPECT_DOUBLE_EQ(latency(s, "send->write").maxUs, 7.0);
    EXPECT_EQ(s.hopHistograms[static_cast<size_t>(trace::RequestHop::SendToWrite)].minNs(), 700);

    ASSERT_EQ(s.actors.size(), 3u);
    EXPECT_EQ(s.actors[0], std::make_pair(std::string("master"), uint64_t(1)));
    EXPECT_EQ(s.actors[1], std::make_pair(std::string("reactor[0]"), uint64_t(31)));
    EXPECT_EQ(s.actors[2], std::make_pair(std::string("worker[0]"), uint64_t(40)));
    EXPECT_EQ(s.kinds.front(), std::make_pair(std::string("read"), uint64_t(11)));

    nlohmann::json j = statsToJson(s);
    EXPECT_EQ(j["latency_us"]["read->write"]["p90_us"], bucketUs(9000, 10'000));
    EXPECT_EQ(j["latency_us"]["read->write"]["max_us"], 10.0);
    EXPECT_EQ(j["kinds"]["reactor_write"], 10);
    EXPECT_NE(formatStats(s).find("read->dispatch"), std::string::npos);
}

// Event worker 0 and task workers 1, 2: worker 0 dispatches four tasks (three to an idle task
// worker), task worker 1 runs three (1, 2, 3 ms), task worker 2 one (10 ms) and an onPipeMessage.
TEST(TraceStats, TaskWorkersAreListedApartWithTheirTasksAndOnTaskTime)
{
    json header = testing::headerJson("1.1");
    header["settings"]["task_worker_num"] = 2;
    TraceBuilder b = TraceBuilder::withHeader(header);
    json task1 = {{"role", "task_worker"}, {"index", 1}, {"pid", 103}, {"tid", 103}};
    json task2 = {{"role", "task_worker"}, {"index", 2}, {"pid", 104}, {"tid", 104}};
    int64_t t = 1'000'000;
    for (int k = 0; k < 4; ++k)
    {
        json ids = {{"session", 1}, {"flow", k + 1}, {"worker", k < 3 ? 1 : 2}};
        b.event("task_dispatch", t += 1000, kWorker0, ids,
                {{"task_id", k}, {"target", k < 3 ? 1 : 2}, {"idle", k != 1}});
        b.event(
            "callback_exit", t += 1000, k < 3 ? task1 : task2, ids,
            {{"callback", "onTask"}, {"duration_ns", k < 3 ? (k + 1) * 1'000'000 : 10'000'000}});
    }
    b.event("callback_exit", t += 1000, task2, {{"worker", 2}},
            {{"callback", "onPipeMessage"}, {"duration_ns", 5}});
    b.event("callback_exit", t += 1000, kWorker0, {{"worker", 0}},
            {{"callback", "onFinish"}, {"duration_ns", 5}});
    b.end(0);
    TraceStats s = computeTraceStats(writeTrace(b.text()), nullptr);
    ASSERT_TRUE(s.readable);
    EXPECT_EQ(s.errors, 0u);

    ASSERT_EQ(s.taskWorkers.size(), 2u);
    EXPECT_EQ(s.taskWorkers[0].name, "task_worker[1]");
    EXPECT_EQ(s.taskWorkers[0].tasks, 3u);
    EXPECT_EQ(s.taskWorkers[0].onTask.count, 3u);
    EXPECT_DOUBLE_EQ(s.taskWorkers[0].onTask.maxUs, 3000);
    EXPECT_DOUBLE_EQ(s.taskWorkers[0].onTask.p50Us, bucketUs(2'000'000, 3'000'000));
    EXPECT_EQ(s.taskWorkers[1].name, "task_worker[2]");
    EXPECT_EQ(s.taskWorkers[1].tasks, 1u) << "onPipeMessage is no task";
    EXPECT_DOUBLE_EQ(s.taskWorkers[1].onTask.maxUs, 10'000);
    ASSERT_EQ(s.taskCallers.size(), 1u);
    EXPECT_EQ(s.taskCallers[0].name, "worker[0]");
    EXPECT_EQ(s.taskCallers[0].dispatched, 4u);
    EXPECT_EQ(s.taskCallers[0].toIdle, 3u);
    EXPECT_EQ(s.taskCallers[0].toBusy, 1u);
    // Actors: the event worker, then the task workers, each under its own role.
    ASSERT_EQ(s.actors.size(), 3u);
    EXPECT_EQ(s.actors[0].first, "worker[0]");
    EXPECT_EQ(s.actors[1], std::make_pair(std::string("task_worker[1]"), uint64_t(3)));
    EXPECT_EQ(s.actors[2], std::make_pair(std::string("task_worker[2]"), uint64_t(2)));

    nlohmann::json j = statsToJson(s);
    EXPECT_EQ(j["task_workers"]["task_worker[1]"]["tasks"], 3);
    EXPECT_EQ(j["task_workers"]["task_worker[2]"]["on_task_us"]["max_us"], 10'000.0);
    EXPECT_EQ(j["task_dispatch"]["worker[0]"]["to_busy"], 1);
    std::string text = formatStats(s);
    EXPECT_NE(text.find(fmt::format("  {:<30} {:>8} ", "task_worker[1]", 3)), std::string::npos)
        << text;
    EXPECT_NE(text.find(fmt::format("  {:<30} {:>10} {:>10} {:>10}\n", "worker[0]", 4, 3, 1)),
              std::string::npos)
        << text;
}

TEST(TraceStats, NoTaskWorkersNoTaskSection)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    b.end(0);
    TraceStats s = computeTraceStats(writeTrace(b.text()), nullptr);
    EXPECT_TRUE(s.taskWorkers.empty());
    EXPECT_FALSE(statsToJson(s).contains("task_workers"));
    EXPECT_EQ(formatStats(s).find("task workers"), std::string::npos);
}

TEST(TraceStats, DroppedIsTheLargerOfEventsAndTraceEnd)
{
    TraceBuilder b;
    b.event("trace_dropped", 1'000'000, kReactor0, {}, {{"count", 2}});
    b.event("trace_dropped", 2'000'000, kWorker0, {}, {{"count", 4}});
    b.end(7);  // the recorder also lost an unfinished line
    TraceStats s = computeTraceStats(writeTrace(b.text()), nullptr);
    EXPECT_EQ(s.droppedEvents, 6u);
    EXPECT_EQ(s.droppedAtEnd, 7u);
    EXPECT_EQ(s.dropped, 7u);
    EXPECT_EQ(latency(s, "read->write").count, 0u);
}

}  // namespace
}  // namespace rscope::tracefile
