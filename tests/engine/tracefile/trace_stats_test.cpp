// computeTraceStats on traces with known timestamps: percentiles, hops, counts, drops.
#include "engine/tracefile/trace_stats.h"

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

TEST(TraceStats, NearestRankPercentilesOfKnownValues)
{
    std::vector<int64_t> values;
    for (int64_t v = 1000; v >= 1; --v) values.push_back(v * 1000);  // 1..1000 µs, reversed
    LatencySummary l = summarizeLatencies("x", values);
    EXPECT_EQ(l.count, 1000u);
    EXPECT_DOUBLE_EQ(l.p50Us, 500);
    EXPECT_DOUBLE_EQ(l.p90Us, 900);
    EXPECT_DOUBLE_EQ(l.p99Us, 990);
    EXPECT_DOUBLE_EQ(l.p999Us, 999);
    EXPECT_DOUBLE_EQ(l.maxUs, 1000);

    std::vector<int64_t> empty;
    EXPECT_EQ(summarizeLatencies("none", empty).count, 0u);
}

TEST(TraceStats, RequestAndHopLatenciesPerFlow)
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

    const LatencySummary& request = latency(s, "request");
    EXPECT_EQ(request.count, 10u);
    EXPECT_DOUBLE_EQ(request.p50Us, 5);
    EXPECT_DOUBLE_EQ(request.p90Us, 9);
    EXPECT_DOUBLE_EQ(request.p99Us, 10);
    EXPECT_DOUBLE_EQ(request.maxUs, 10);
    const LatencySummary& hop = latency(s, "read->dispatch");
    EXPECT_EQ(hop.count, 10u);  // flow 99 has no dispatch
    EXPECT_DOUBLE_EQ(hop.p50Us, 0.5);
    EXPECT_DOUBLE_EQ(hop.maxUs, 1.0);
    EXPECT_DOUBLE_EQ(latency(s, "dispatch->worker_receive").maxUs, 1.0);
    EXPECT_DOUBLE_EQ(latency(s, "worker_receive->callback_exit").maxUs, 2.0);
    EXPECT_DOUBLE_EQ(latency(s, "callback_enter->callback_exit").p50Us, 0.75);
    EXPECT_DOUBLE_EQ(latency(s, "send_request->reactor_write").maxUs, 7.0);

    ASSERT_EQ(s.actors.size(), 3u);
    EXPECT_EQ(s.actors[0], std::make_pair(std::string("master"), uint64_t(1)));
    EXPECT_EQ(s.actors[1], std::make_pair(std::string("reactor[0]"), uint64_t(31)));
    EXPECT_EQ(s.actors[2], std::make_pair(std::string("worker[0]"), uint64_t(40)));
    EXPECT_EQ(s.kinds.front(), std::make_pair(std::string("read"), uint64_t(11)));

    nlohmann::json j = statsToJson(s);
    EXPECT_EQ(j["latency_us"]["request"]["p90_us"], 9.0);
    EXPECT_EQ(j["kinds"]["reactor_write"], 10);
    EXPECT_NE(formatStats(s).find("read->dispatch"), std::string::npos);
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
    EXPECT_EQ(latency(s, "request").count, 0u);
}

}  // namespace
}  // namespace rscope::tracefile
