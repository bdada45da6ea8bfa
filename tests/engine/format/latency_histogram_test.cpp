// LatencyHistogram: bucket bounds from the formula, percentiles against exact nearest ranks.
#include "engine/format/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

using H = LatencyHistogram;

TEST(LatencyHistogram, BoundsAreFourPerOctaveFrom100Ns)
{
    EXPECT_EQ(H::lowerNs(0), 0);
    EXPECT_EQ(H::lowerNs(1), 100);
    EXPECT_EQ(H::lowerNs(5), 200);  // one octave later
    EXPECT_EQ(H::lowerNs(9), 400);
    EXPECT_EQ(H::lowerNs(H::kBuckets - 1), 100LL << H::kOctaves);
    EXPECT_GT(H::lowerNs(H::kBuckets - 1), 10'000'000'000LL);  // reaches past 10 s
    for (size_t i = 0; i + 1 < H::kBuckets; ++i)
    {
        EXPECT_LT(H::lowerNs(i), H::upperNs(i));
        EXPECT_EQ(H::upperNs(i), H::lowerNs(i + 1));
    }
}

TEST(LatencyHistogram, BucketOfAgreesWithTheLogFormula)
{
    std::mt19937_64 rng(1);
    for (int i = 0; i < 20000; ++i)
    {
        int64_t ns = static_cast<int64_t>(rng() % 20'000'000'000ULL) >> (rng() % 30);
        size_t b = H::bucketOf(ns);
        EXPECT_GE(ns, H::lowerNs(b));
        EXPECT_LT(ns, H::upperNs(b));
        if (ns >= 200 && ns < 10'000'000'000LL)
        {
            // Away from the bounds (rounded to whole ns in the table) the formula and the table
            // agree.
            double exact = 1 + 4 * std::log2(static_cast<double>(ns) / 100.0);
            double nearestBound = 100.0 * std::exp2((std::round(exact) - 1) / 4.0);
            if (std::abs(static_cast<double>(ns) - nearestBound) > 1.0)
            {
                EXPECT_EQ(b, static_cast<size_t>(std::floor(exact))) << ns;
            }
        }
    }
    EXPECT_EQ(H::bucketOf(-5), 0u);
    EXPECT_EQ(H::bucketOf(99), 0u);
    EXPECT_EQ(H::bucketOf(100), 1u);
    EXPECT_EQ(H::bucketOf(INT64_MAX), H::kBuckets - 1);
}

TEST(LatencyHistogram, PercentilesAreWithinOneBucketOfTheExactRank)
{
    std::mt19937_64 rng(2);
    std::lognormal_distribution<double> dist(10.0, 2.0);  // ~22 us median, long tail
    H h;
    std::vector<int64_t> v;
    for (int i = 0; i < 5000; ++i)
    {
        int64_t ns = static_cast<int64_t>(dist(rng));
        v.push_back(ns);
        h.add(ns);
    }
    std::sort(v.begin(), v.end());
    ASSERT_EQ(h.count(), v.size());
    EXPECT_EQ(h.minNs(), v.front());
    EXPECT_EQ(h.maxNs(), v.back());
    uint64_t total = 0;
    for (size_t i = 0; i < H::kBuckets; ++i) total += h.bucket(i);
    EXPECT_EQ(total, v.size());
    for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9})
    {
        int64_t exact = v[static_cast<size_t>(std::ceil(p / 100 * v.size())) - 1];
        int64_t est = h.percentileNs(p);
        EXPECT_GE(est, exact) << p;
        EXPECT_LE(est, H::upperNs(H::bucketOf(exact))) << p;
        EXPECT_LE(static_cast<double>(est), exact * 1.19 + 1) << p;
    }
    EXPECT_EQ(h.percentileNs(100), v.back());
}

TEST(LatencyHistogram, EmptyAndSingleSample)
{
    H h;
    EXPECT_EQ(h.percentileNs(50), 0);
    EXPECT_EQ(h.count(), 0u);
    h.add(299155);
    EXPECT_EQ(h.percentileNs(50), 299155);
    EXPECT_EQ(h.percentileNs(99), 299155);
    EXPECT_DOUBLE_EQ(h.meanNs(), 299155.0);
    h.add(-20);  // ts disorder between actors: counted as 0
    EXPECT_EQ(h.minNs(), 0);
    EXPECT_EQ(h.bucket(0), 1u);
}

}  // namespace
}  // namespace rscope::trace
