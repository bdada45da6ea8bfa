// Log-scale latency buckets: one table of bounds built once, a binary search per sample.
#include "engine/format/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rscope::trace
{

namespace
{

constexpr size_t kBounds = LatencyHistogram::kBuckets - 1;  // lower bounds of buckets 1..last

// bounds[i] = lower bound of bucket i + 1. Immutable after its first use (a function-local static
// initialised thread-safely by the compiler); rounding once here keeps every bound an integer, so
// bucketOf and lowerNs agree exactly.
const std::array<int64_t, kBounds>& bounds()
{
    static const std::array<int64_t, kBounds> table = []
    {
        std::array<int64_t, kBounds> t{};
        for (size_t i = 0; i < kBounds; ++i)
            t[i] = std::llround(static_cast<double>(LatencyHistogram::kFirstBoundNs) *
                                std::exp2(static_cast<double>(i) / LatencyHistogram::kPerOctave));
        return t;
    }();
    return table;
}

}  // namespace

int64_t LatencyHistogram::lowerNs(size_t bucket)
{
    if (bucket == 0) return 0;
    return bounds()[std::min(bucket, kBounds) - 1];
}

int64_t LatencyHistogram::upperNs(size_t bucket)
{
    if (bucket >= kBounds) return std::numeric_limits<int64_t>::max();
    return bounds()[bucket];
}

size_t LatencyHistogram::bucketOf(int64_t ns)
{
    const auto& b = bounds();
    // Number of lower bounds <= ns is the bucket index (bucket 0 below the first bound).
    return static_cast<size_t>(std::upper_bound(b.begin(), b.end(), ns) - b.begin());
}

void LatencyHistogram::add(int64_t ns)
{
    ns = std::max<int64_t>(ns, 0);
    ++counts_[bucketOf(ns)];
    if (count_ == 0 || ns < minNs_) minNs_ = ns;
    if (count_ == 0 || ns > maxNs_) maxNs_ = ns;
    ++count_;
    sumNs_ += ns;
}

int64_t LatencyHistogram::percentileNs(double p) const
{
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    // Nearest rank: the smallest sample with at least p % of the samples at or below it.
    uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i)
    {
        seen += counts_[i];
        if (seen >= rank) return std::clamp(upperNs(i), minNs_, maxNs_);
    }
    return maxNs_;
}

}  // namespace rscope::trace
