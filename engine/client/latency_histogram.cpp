// LatencyHistogram: bucket = (exponent, top 6 mantissa bits), as HdrHistogram does.
#include "engine/client/latency_histogram.h"

#include <algorithm>

namespace rscope::client
{

int LatencyHistogram::bucketOf(uint64_t ns)
{
    if (ns < kSub) return static_cast<int>(ns);
    int exponent = 63 - __builtin_clzll(ns);  // >= kSubBits
    int shift = exponent - kSubBits;          // keep kSubBits bits below the top bit
    int mantissa = static_cast<int>((ns >> shift) & (kSub - 1));
    return (shift + 1) * kSub + mantissa;
}

uint64_t LatencyHistogram::bucketMidNs(int bucket)
{
    if (bucket < kSub) return static_cast<uint64_t>(bucket);
    int shift = bucket / kSub - 1;
    uint64_t mantissa = static_cast<uint64_t>(bucket % kSub);
    uint64_t low = (static_cast<uint64_t>(kSub) | mantissa) << shift;
    return low + ((uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::record(uint64_t ns)
{
    ++buckets_[bucketOf(ns)];
    ++count_;
    sumNs_ += ns;
    maxNs_ = std::max(maxNs_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
    for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    sumNs_ += other.sumNs_;
    maxNs_ = std::max(maxNs_, other.maxNs_);
}

double LatencyHistogram::percentileUs(double q) const
{
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i)
    {
        seen += buckets_[i];
        if (seen >= rank) return static_cast<double>(std::min(bucketMidNs(i), maxNs_)) / 1000.0;
    }
    return maxUs();
}

}  // namespace rscope::client
