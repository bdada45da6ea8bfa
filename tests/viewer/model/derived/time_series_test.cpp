// TimeSeries: the adaptive grid equals one bucketed at its final width from the start.
#include "viewer/model/time_series.h"

#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace rscope::viewer
{
namespace
{

using Kind = TimeSeries::ChannelKind;

TEST(TimeSeries, DoublingEqualsDirectBucketingAtTheFinalWidth)
{
    std::mt19937_64 rng(9);
    TimeSeries s;
    const int64_t origin = 1'000'000'000;
    s.reset(origin, 1000, 64);
    size_t count = s.addChannel(Kind::Count);
    size_t level = s.addChannel(Kind::Level);
    struct Sample
    {
        int64_t ts;
        double amount;
        double level;
    };
    std::vector<Sample> samples;
    int64_t ts = origin;
    double depth = 0;
    for (int i = 0; i < 5000; ++i)
    {
        ts += static_cast<int64_t>(rng() % 200);
        if (rng() % 500 == 0) ts += 30'000;
        double amount = static_cast<double>(rng() % 100);
        depth = std::max(0.0, depth + (rng() % 2 ? 1.0 : -1.0));
        samples.push_back({ts, amount, depth});
        s.add(count, ts, amount);
        s.set(level, ts, depth);
    }
    int64_t width = 1000;
    while ((ts - origin) / width >= 64) width *= 2;
    ASSERT_EQ(s.widthNs(), width);
    ASSERT_GT(width, 1000);
    ASSERT_EQ(s.buckets(), static_cast<size_t>((ts - origin) / width + 1));

    std::vector<double> sums(s.buckets(), 0.0), maxima(s.buckets(), 0.0);
    double carried = 0;
    size_t filled = 0;
    for (const Sample& x : samples)
    {
        size_t k = static_cast<size_t>((x.ts - origin) / width);
        sums[k] += x.amount;
        for (; filled <= k; ++filled) maxima[filled] = carried;
        maxima[k] = std::max(maxima[k], x.level);
        carried = x.level;
    }
    EXPECT_EQ(s.values(count), sums);
    EXPECT_EQ(s.values(level), maxima);
    EXPECT_EQ(s.level(level), depth);
}

TEST(TimeSeries, LevelCarriesAcrossEmptyBucketsAndEarlyTimesLandInBucketZero)
{
    TimeSeries s;
    s.reset(1000, 10, 512);
    size_t c = s.addChannel(Kind::Count);
    size_t l = s.addChannel(Kind::Level);
    s.set(l, 1005, 3);
    s.add(c, 500, 2);  // before the origin (ts disorder): bucket 0
    s.touch(1095);     // nine more buckets, no change of level
    s.set(l, 1096, 1);
    ASSERT_EQ(s.buckets(), 10u);
    EXPECT_EQ(s.values(c)[0], 2);
    for (size_t k = 0; k < 10; ++k) EXPECT_EQ(s.values(l)[k], 3) << k;
    s.touch(1100);
    EXPECT_EQ(s.values(l)[10], 1);
    EXPECT_EQ(s.maxValue(l), 3);
}

TEST(TimeSeries, ALongSessionStaysWithinMaxBuckets)
{
    TimeSeries s;
    s.reset(0);
    size_t c = s.addChannel(Kind::Count);
    // Ten minutes of one sample per 10 ms.
    for (int64_t t = 0; t < 600'000'000'000; t += 10'000'000) s.add(c, t, 1);
    EXPECT_LE(s.buckets(), TimeSeries::kMaxBuckets);
    EXPECT_GT(s.buckets(), TimeSeries::kMaxBuckets / 2);
    double total = 0;
    for (double v : s.values(c)) total += v;
    EXPECT_EQ(total, 60000);
}

}  // namespace
}  // namespace rscope::viewer
