// LatencyHistogram: the one percentile method for trace latencies (the hops of hops.h), used by
// `rscope trace stats` and the viewer's Statistics tab alike so both print the same figures.
// Fixed log-scale buckets (4 per octave from 100 ns to ~13 s): adding a sample allocates nothing,
// copies are cheap (the viewer's keyframes), percentiles are nearest ranks to bucket precision.
// Plain data; no owner, not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace rscope::trace
{

class LatencyHistogram
{
  public:
    static constexpr int kPerOctave = 4;
    static constexpr int kOctaves = 27;  // 100 ns * 2^27 = 13.4 s
    static constexpr int64_t kFirstBoundNs = 100;
    // Bucket 0 holds [0, 100 ns), bucket i in 1..kOctaves*kPerOctave holds
    // [lowerNs(i), upperNs(i)), the last bucket everything from ~13.4 s up.
    static constexpr size_t kBuckets = kOctaves * kPerOctave + 2;

    // Lower bound of bucket i: 0 for bucket 0, else round(100 * 2^((i-1)/4)) ns.
    static int64_t lowerNs(size_t bucket);
    // Upper bound (exclusive); INT64_MAX for the last bucket.
    static int64_t upperNs(size_t bucket);
    // The bucket a latency falls in (negative latencies, from ts disorder between actors, in 0).
    static size_t bucketOf(int64_t ns);

    void add(int64_t ns);
    void clear() { *this = LatencyHistogram(); }

    uint64_t count() const { return count_; }
    uint64_t bucket(size_t i) const { return counts_[i]; }
    int64_t minNs() const { return minNs_; }  // 0 when empty
    int64_t maxNs() const { return maxNs_; }
    int64_t sumNs() const { return sumNs_; }
    double meanNs() const { return count_ ? static_cast<double>(sumNs_) / count_ : 0.0; }
    // Nearest-rank percentile p (0..100) to bucket precision: the upper bound of the bucket
    // holding the rank-th sample, clamped to [minNs, maxNs], so it never overstates by more than
    // one bucket (19 %) and p100 is the exact maximum. 0 when empty.
    int64_t percentileNs(double p) const;

    bool operator==(const LatencyHistogram& other) const = default;

  private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    int64_t sumNs_ = 0;
    int64_t minNs_ = 0;
    int64_t maxNs_ = 0;
};

}  // namespace rscope::trace
