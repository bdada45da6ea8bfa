// LatencyHistogram: percentiles of known distributions within the bucket precision, merge, edges.
#include "engine/client/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace rscope::client
{
namespace
{

// The exact q-quantile (nearest rank) of sorted values, in microseconds.
double exactUs(const std::vector<uint64_t>& sorted, double q)
{
    size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1));
    return static_cast<double>(sorted[rank]) / 1000.0;
}

void expectWithin(double actual, double expected, double relative)
{
    EXPECT_NEAR(actual, expected, expected * relative) << "expected " << expected;
}

TEST(LatencyHistogramTest, EmptyHistogramReportsZero)
{
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentileUs(0.5), 0.0);
    EXPECT_EQ(h.meanUs(), 0.0);
    EXPECT_EQ(h.maxUs(), 0.0);
}

TEST(LatencyHistogramTest, UniformDistributionPercentilesWithinTwoPercent)
{
    LatencyHistogram h;
    std::vector<uint64_t> values;
    for (uint64_t us = 1; us <= 10000; ++us)  // 1 us .. 10 ms, one sample each
    {
        values.push_back(us * 1000);
        h.record(us * 1000);
    }
    EXPECT_EQ(h.count(), 10000u);
    for (double q : {0.01, 0.25, 0.5, 0.9, 0.99, 0.999})
        expectWithin(h.percentileUs(q), exactUs(values, q), 0.02);
    EXPECT_NEAR(h.meanUs(), 5000.5, 0.01);
    EXPECT_DOUBLE_EQ(h.maxUs(), 10000.0);
}

TEST(LatencyHistogramTest, LogNormalDistributionPercentilesWithinTwoPercent)
{
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(std::log(200'000.0), 0.8);  // median 200 us
    LatencyHistogram h;
    std::vector<uint64_t> values;
    for (int i = 0; i < 200'000; ++i)
    {
        uint64_t ns = static_cast<uint64_t>(dist(rng));
        values.push_back(ns);
        h.record(ns);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99, 0.999})
        expectWithin(h.percentileUs(q), exactUs(values, q), 0.02);
    EXPECT_DOUBLE_EQ(h.maxUs(), static_cast<double>(values.back()) / 1000.0);
}

TEST(LatencyHistogramTest, BimodalDistributionSeparatesTheModes)
{
    LatencyHistogram h;
    for (int i = 0; i < 990; ++i) h.record(50'000);    // 50 us
    for (int i = 0; i < 10; ++i) h.record(5'000'000);  // 5 ms
    expectWithin(h.percentileUs(0.5), 50.0, 0.02);
    expectWithin(h.percentileUs(0.98), 50.0, 0.02);
    expectWithin(h.percentileUs(0.995), 5000.0, 0.02);
    EXPECT_DOUBLE_EQ(h.maxUs(), 5000.0);
}

TEST(LatencyHistogramTest, SmallAndHugeValuesStayInRange)
{
    LatencyHistogram h;
    h.record(0);
    h.record(1);
    h.record(63);
    h.record(UINT64_MAX / 2);
    EXPECT_EQ(h.count(), 4u);
    EXPECT_EQ(h.percentileUs(0.0), 0.0);
    expectWithin(h.percentileUs(1.0), static_cast<double>(UINT64_MAX / 2) / 1000.0, 0.02);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne)
{
    LatencyHistogram a;
    LatencyHistogram b;
    LatencyHistogram all;
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> dist(1.0 / 300'000.0);
    for (int i = 0; i < 50'000; ++i)
    {
        uint64_t ns = static_cast<uint64_t>(dist(rng));
        (i % 3 == 0 ? a : b).record(ns);
        all.record(ns);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_DOUBLE_EQ(a.maxUs(), all.maxUs());
    EXPECT_NEAR(a.meanUs(), all.meanUs(), 1e-9 * all.meanUs());
    for (double q : {0.1, 0.5, 0.99, 0.999}) EXPECT_EQ(a.percentileUs(q), all.percentileUs(q));
}

}  // namespace
}  // namespace rscope::client
