// TraceStatistics against figures computed independently from the trace file (nlohmann, whole-
// trace loops in statistics_reference.cpp): totals, series, hop samples and histograms, on the
// article trace, on a generated trace of thousands of interleaved requests and on the Ev-built
// synthetic trace; incremental extends and cursor histograms against one-shot results.
#include "viewer/model/trace_statistics.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/viewer/model/derived/interleaved_trace.h"
#include "tests/viewer/model/derived/statistics_reference.h"
#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_reader.h"

namespace rscope::viewer::test
{
namespace
{

constexpr size_t kHops = static_cast<size_t>(RequestHop::Count);

void build(TraceStatistics& stats, const TraceStore& store)
{
    stats.reset(store.topology());
    stats.extend(store);
}

std::string interleavedPath(uint32_t seed)
{
    std::string path =
        testing::TempDir() + "rscope_stats_interleaved_" + std::to_string(seed) + ".jsonl";
    writeInterleavedTrace(path, 3000, 40, 4, seed);
    return path;
}

void loadFile(const std::string& path, TraceStore& store)
{
    TraceReader reader(path);
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    ASSERT_EQ(store.errorCount(), 0u) << store.errors().front().text();
}

// The grid the statistics must have chosen: 1 ms doubled until the trace fits 512 buckets.
int64_t expectedWidth(const std::vector<RefEvent>& events)
{
    int64_t origin = events.front().tsNs, last = origin;
    for (const RefEvent& e : events) last = std::max(last, e.tsNs);
    int64_t width = TimeSeries::kInitialWidthNs;
    while ((last - origin) / width >= static_cast<int64_t>(TimeSeries::kMaxBuckets)) width *= 2;
    return width;
}

// Every figure of `stats` against the reference computed from `events`.
void expectMatchesReference(const TraceStatistics& stats, const std::vector<RefEvent>& events,
                            bool checkDepthSeries = true)
{
    int workers = static_cast<int>(stats.workers().size());
    int reactors = static_cast<int>(stats.reactors().size());
    Reference ref = computeReference(events, workers, reactors);
    ASSERT_EQ(stats.processed(), events.size());

    EXPECT_EQ(stats.requests(), ref.requests);
    for (int w = 0; w < workers; ++w)
    {
        SCOPED_TRACE("worker " + std::to_string(w));
        EXPECT_EQ(stats.workers()[w].requests, ref.workers[w].requests);
        EXPECT_EQ(stats.workers()[w].received, ref.workers[w].received);
        EXPECT_EQ(stats.workers()[w].busyNs, ref.workers[w].busyNs);
        EXPECT_EQ(stats.series().maxValue(stats.channels().pipeDepth[w]),
                  static_cast<double>(ref.workers[w].maxPipeDepth));
    }
    for (int r = 0; r < reactors; ++r)
    {
        SCOPED_TRACE("reactor " + std::to_string(r));
        EXPECT_EQ(stats.reactors()[r].connections, ref.reactors[r].connections);
        EXPECT_EQ(stats.reactors()[r].reads, ref.reactors[r].reads);
        EXPECT_EQ(stats.reactors()[r].bytesRead, ref.reactors[r].bytesRead);
        EXPECT_EQ(stats.reactors()[r].writes, ref.reactors[r].writes);
        EXPECT_EQ(stats.reactors()[r].bytesWritten, ref.reactors[r].bytesWritten);
    }

    std::vector<RefSample> got;
    for (const HopSample& s : stats.samples())
        got.push_back({s.event, static_cast<int>(s.hop), s.ns});
    EXPECT_EQ(got.size(), ref.samples.size());
    EXPECT_TRUE(got == ref.samples);

    // Histograms: counts per hop, and percentiles within one bucket of the exact nearest rank.
    std::vector<std::vector<int64_t>> perHop(kHops);
    for (const RefSample& s : ref.samples) perHop[s.hop].push_back(s.ns);
    for (size_t h = 0; h < kHops; ++h)
    {
        SCOPED_TRACE(hopName(static_cast<RequestHop>(h)));
        const LatencyHistogram& hist = stats.histograms()[h];
        auto& v = perHop[h];
        ASSERT_EQ(hist.count(), v.size());
        if (v.empty()) continue;
        std::sort(v.begin(), v.end());
        EXPECT_EQ(hist.maxNs(), v.back());
        EXPECT_EQ(hist.minNs(), std::max<int64_t>(0, v.front()));
        for (double p : {50.0, 90.0, 99.0})
        {
            size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
            int64_t exact = std::max<int64_t>(0, v[std::max<size_t>(rank, 1) - 1]);
            int64_t est = hist.percentileNs(p);
            EXPECT_GE(est, exact) << "p" << p;
            EXPECT_LE(est, LatencyHistogram::upperNs(LatencyHistogram::bucketOf(exact)))
                << "p" << p;
        }
    }

    // Series on the grid the statistics chose, recomputed bucket by bucket.
    const TimeSeries& s = stats.series();
    ASSERT_EQ(s.originNs(), events.front().tsNs);
    ASSERT_EQ(s.widthNs(), expectedWidth(events));
    const StatisticsChannels& ch = stats.channels();
    auto expectChannel = [&](size_t channel, const std::string& name)
    {
        EXPECT_EQ(s.values(channel),
                  referenceSeries(events, name, s.originNs(), s.widthNs(), s.buckets()))
            << name;
    };
    expectChannel(ch.events, "events");
    expectChannel(ch.requests, "requests");
    for (int r = 0; r < reactors; ++r)
    {
        expectChannel(ch.bytesRead[r], "read[" + std::to_string(r) + "]");
        expectChannel(ch.bytesWritten[r], "written[" + std::to_string(r) + "]");
    }
    if (checkDepthSeries)
        for (int w = 0; w < workers; ++w)
            expectChannel(ch.pipeDepth[w], "depth[" + std::to_string(w) + "]");
}

// Histograms of the reference samples completed before `position`, added one by one.
HopHistograms fromScratch(const std::vector<HopSample>& samples, size_t position)
{
    HopHistograms h;
    for (const HopSample& s : samples)
        if (s.event < position) h[static_cast<size_t>(s.hop)].add(s.ns);
    return h;
}

bool tsNeverGoesBack(const std::vector<RefEvent>& events)
{
    for (size_t i = 1; i < events.size(); ++i)
        if (events[i].tsNs < events[i - 1].tsNs) return false;
    return true;
}

TEST(TraceStatistics, ArticleMatchesCountsFromTheFile)
{
    TraceStore store;
    loadArticle(store);
    TraceStatistics stats;
    build(stats, store);
    auto events = readReferenceEvents(articlePath());
    ASSERT_TRUE(tsNeverGoesBack(events));
    expectMatchesReference(stats, events);
    // The one request of the article: worker 2 served it, the connection came through reactor 0.
    EXPECT_EQ(stats.requests(), 1u);
    EXPECT_EQ(stats.workers()[2].requests, 1u);
    EXPECT_EQ(stats.reactors()[0].connections, 1u);
    EXPECT_EQ(stats.openFlows(), 0u);
}

TEST(TraceStatistics, ArticleHopsAreTheRequestsStepTimes)
{
    TraceStore store;
    loadArticle(store);
    TraceStatistics stats;
    build(stats, store);
    // ts by seq, straight from the file.
    std::map<uint64_t, int64_t> ts;
    std::ifstream in(articlePath());
    std::string line;
    while (std::getline(in, line))
    {
        auto j = nlohmann::json::parse(line);
        if (j.contains("seq")) ts[j["seq"].get<uint64_t>()] = j["ts"].get<int64_t>();
    }
    // read 20 -> dispatch 21 -> worker_receive 26 (msg 1099511627779) -> send_request 28 ->
    // reactor_write 35 (msg 283673999966209).
    const int64_t expected[kHops] = {ts[21] - ts[20], ts[26] - ts[21], ts[28] - ts[26],
                                     ts[35] - ts[28], ts[35] - ts[20]};
    for (size_t h = 0; h < kHops; ++h)
    {
        SCOPED_TRACE(hopName(static_cast<RequestHop>(h)));
        ASSERT_EQ(stats.histograms()[h].count(), 1u);
        EXPECT_EQ(stats.histograms()[h].maxNs(), expected[h]);
        EXPECT_EQ(stats.histograms()[h].percentileNs(50), expected[h]);
    }
    // Before the reactor_write (seq 35) the request has no total yet; after it, it has.
    HopHistograms at;
    stats.histogramsAt(indexOfSeq(store, 35), at);
    EXPECT_EQ(at[static_cast<size_t>(RequestHop::Total)].count(), 0u);
    EXPECT_EQ(at[static_cast<size_t>(RequestHop::WorkerToSend)].count(), 1u);
    stats.histogramsAt(indexOfSeq(store, 35) + 1, at);
    EXPECT_EQ(at[static_cast<size_t>(RequestHop::Total)].count(), 1u);
}

TEST(TraceStatistics, InterleavedRequestsMatchCountsFromTheFile)
{
    std::string path = interleavedPath(7);
    TraceStore store;
    loadFile(path, store);
    TraceStatistics stats;
    build(stats, store);
    auto events = readReferenceEvents(path);
    ASSERT_TRUE(tsNeverGoesBack(events));
    expectMatchesReference(stats, events);
    // The trace is what it claims to be: thousands of requests, several on every worker, queues
    // deeper than one message, a grid that had to widen, and no flow left open at the end.
    EXPECT_GT(stats.requests(), 2500u);
    for (const WorkerTotals& w : stats.workers()) EXPECT_GT(w.requests, 300u);
    double deepest = 0;
    for (size_t c : stats.channels().pipeDepth)
        deepest = std::max(deepest, stats.series().maxValue(c));
    EXPECT_GE(deepest, 3.0);
    EXPECT_GT(stats.series().widthNs(), TimeSeries::kInitialWidthNs);
    EXPECT_LE(stats.series().buckets(), TimeSeries::kMaxBuckets);
    EXPECT_GT(stats.histograms()[static_cast<size_t>(RequestHop::Total)].count(), 2000u);
    EXPECT_EQ(stats.openFlows(), 0u);
}

TEST(TraceStatistics, ExtendInRandomSlicesEqualsOneExtend)
{
    std::string path = interleavedPath(11);
    TraceStore whole;
    loadFile(path, whole);
    TraceStatistics once;
    build(once, whole);

    for (uint32_t seed : {1u, 2u, 3u})
    {
        SCOPED_TRACE("seed " + std::to_string(seed));
        std::mt19937 rng(seed);
        TraceStore store;
        TraceReader reader(path);
        ASSERT_TRUE(reader.open());
        TraceStatistics sliced;
        bool shaped = false;
        bool more = true;
        while (more)
        {
            // Slices of 1 to ~2000 lines, as a file load or a live drain delivers them.
            size_t n = 1 + rng() % (rng() % 4 == 0 ? 2000 : 40);
            more = reader.step(store, n);
            if (!shaped && store.hasHeader())
            {
                sliced.reset(store.topology());
                shaped = true;
            }
            sliced.extend(store);
        }
        ASSERT_EQ(sliced.processed(), once.processed());
        EXPECT_EQ(sliced.requests(), once.requests());
        for (size_t w = 0; w < once.workers().size(); ++w)
        {
            EXPECT_EQ(sliced.workers()[w].busyNs, once.workers()[w].busyNs);
            EXPECT_EQ(sliced.workers()[w].requests, once.workers()[w].requests);
        }
        for (size_t r = 0; r < once.reactors().size(); ++r)
            EXPECT_EQ(sliced.reactors()[r].bytesRead, once.reactors()[r].bytesRead);
        EXPECT_TRUE(sliced.histograms() == once.histograms());
        ASSERT_EQ(sliced.samples().size(), once.samples().size());
        EXPECT_EQ(sliced.series().widthNs(), once.series().widthNs());
        for (size_t c = 0; c < once.series().channels(); ++c)
            EXPECT_EQ(sliced.series().values(c), once.series().values(c)) << "channel " << c;
        HopHistograms a, b;
        for (size_t p : {size_t{0}, whole.size() / 3, whole.size()})
        {
            sliced.histogramsAt(p, a);
            once.histogramsAt(p, b);
            EXPECT_TRUE(a == b) << "position " << p;
        }
    }
}

TEST(TraceStatistics, HistogramsAtEqualsHistogramsFromScratch)
{
    std::string path = interleavedPath(5);
    TraceStore store;
    loadFile(path, store);
    TraceStatistics stats;
    build(stats, store);
    ASSERT_GT(stats.samples().size(), 4 * TraceStatistics::kKeyframeSamples);

    std::vector<size_t> positions = {0, 1, store.size() - 1, store.size(), store.size() + 5};
    // Around keyframe boundaries: the event that completed sample k*N and its neighbours.
    for (size_t k = 1; k * TraceStatistics::kKeyframeSamples < stats.samples().size(); ++k)
    {
        size_t event = stats.samples()[k * TraceStatistics::kKeyframeSamples].event;
        for (size_t d : {0, 1, 2}) positions.push_back(event + d - 1);
    }
    std::mt19937 rng(3);
    for (int i = 0; i < 60; ++i) positions.push_back(rng() % store.size());

    // The reference samples come from the file, not from the statistics.
    Reference ref = computeReference(readReferenceEvents(path), 4, 2);
    std::vector<HopSample> refSamples;
    for (const RefSample& s : ref.samples)
        refSamples.push_back(HopSample{s.ns, s.event, static_cast<RequestHop>(s.hop)});
    HopHistograms at;
    for (size_t p : positions)
    {
        stats.histogramsAt(p, at);
        EXPECT_TRUE(at == fromScratch(refSamples, p)) << "position " << p;
    }
    stats.histogramsAt(store.size(), at);
    EXPECT_TRUE(at == stats.histograms());
}

TEST(TraceStatistics, SyntheticTraceTotalsMatchLoopsAndArchitectureState)
{
    TraceStore store;
    makeSyntheticTrace(store, 20000, 4);
    TraceStatistics stats;
    build(stats, store);
    auto events = referenceEvents(store);
    expectMatchesReference(stats, events);
    // Its events carry no flow: no hop can be measured and no flow is kept.
    EXPECT_TRUE(stats.samples().empty());
    EXPECT_EQ(stats.openFlows(), 0u);
    // The architecture state counts requests and busy time its own way; they must agree.
    ArchitectureState state = applyFromScratch(store, store.size());
    for (size_t w = 0; w < stats.workers().size(); ++w)
    {
        EXPECT_EQ(stats.workers()[w].requests, state.workers()[w].requests) << w;
        EXPECT_EQ(stats.workers()[w].busyNs, state.workers()[w].busyNs) << w;
    }
    for (size_t r = 0; r < stats.reactors().size(); ++r)
    {
        EXPECT_EQ(stats.reactors()[r].bytesRead, state.reactors()[r].bytesRead) << r;
        EXPECT_EQ(stats.reactors()[r].bytesWritten, state.reactors()[r].bytesWritten) << r;
    }
}

// The 1M-event recording (scripts/make-big-trace.sh) against the reference: opt-in, since parsing
// 280 MB with nlohmann takes about a minute. RSCOPE_BIG_TRACE=/tmp/rscope-1m.jsonl enables it.
TEST(TraceStatistics, BigTraceMatchesCountsFromTheFile)
{
    const char* path = std::getenv("RSCOPE_BIG_TRACE");
    if (!path) GTEST_SKIP() << "set RSCOPE_BIG_TRACE to a big .jsonl to run";
    TraceStore store;
    loadFile(path, store);
    TraceStatistics stats;
    build(stats, store);
    auto events = readReferenceEvents(path);
    // Between actors ts may go back a little (traces/FORMAT.md, Ordering): the pipe-depth series
    // reference needs ts order, the other figures do not.
    expectMatchesReference(stats, events, tsNeverGoesBack(events));
    EXPECT_GT(stats.samples().size(), 0u);
}

TEST(TraceStatistics, ResetForgetsTheOldTrace)
{
    TraceStore store;
    loadArticle(store);
    TraceStatistics stats;
    build(stats, store);
    ASSERT_EQ(stats.requests(), 1u);
    stats.reset(makeTopology(1, 2));
    EXPECT_EQ(stats.processed(), 0u);
    EXPECT_EQ(stats.requests(), 0u);
    EXPECT_EQ(stats.workers().size(), 2u);
    EXPECT_EQ(stats.samples().size(), 0u);
    HopHistograms at;
    stats.histogramsAt(100, at);
    EXPECT_EQ(at[static_cast<size_t>(RequestHop::Total)].count(), 0u);
    // A store that shrank without a reset is not read past its end.
    TraceStore empty;
    stats.extend(empty);
    EXPECT_EQ(stats.processed(), 0u);
}

}  // namespace
}  // namespace rscope::viewer::test
