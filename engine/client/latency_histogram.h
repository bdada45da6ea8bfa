// LatencyHistogram: log-linear buckets (64 per power of two, ~1.6% precision); record() never
// allocates. Owner: one thread; merge() combines per-thread histograms.
#pragma once

#include <array>
#include <cstdint>

namespace rscope::client
{

class LatencyHistogram
{
  public:
    void record(uint64_t ns);
    void merge(const LatencyHistogram& other);
    // Latency at quantile q (0..1) in microseconds; 0 when empty.
    double percentileUs(double q) const;
    double meanUs() const { return count_ ? static_cast<double>(sumNs_) / count_ / 1000.0 : 0; }
    double maxUs() const { return static_cast<double>(maxNs_) / 1000.0; }
    uint64_t count() const { return count_; }

  private:
    static constexpr int kSubBits = 6;
    static constexpr int kSub = 1 << kSubBits;
    static constexpr int kBuckets = (64 - kSubBits + 1) * kSub;
    static int bucketOf(uint64_t ns);
    static uint64_t bucketMidNs(int bucket);

    std::array<uint64_t, kBuckets> buckets_{};
    uint64_t count_ = 0;
    uint64_t sumNs_ = 0;
    uint64_t maxNs_ = 0;
};

}  // namespace rscope::client
