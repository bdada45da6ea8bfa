// Values over trace time on one shared grid of buckets whose width adapts: it starts narrow and
// doubles (merging pairs of buckets) whenever more than `maxBuckets` would be needed, so a long
// live session stays a few hundred buckets per channel. Plain data; no owner, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rscope::viewer
{

class TimeSeries
{
  public:
    static constexpr int64_t kInitialWidthNs = 1'000'000;  // 1 ms
    static constexpr size_t kMaxBuckets = 512;

    enum class ChannelKind : uint8_t
    {
        Count,  // add(): amounts summed per bucket (requests, bytes); rates are value / width
        Level,  // set(): a step function (a queue depth); a bucket holds its maximum, and a bucket
                // with no change holds the level carried from before
    };

    // Empties the grid and its channels; bucket k covers [origin + k*width, origin + (k+1)*width).
    void reset(int64_t originNs, int64_t initialWidthNs = kInitialWidthNs,
               size_t maxBuckets = kMaxBuckets);
    size_t addChannel(ChannelKind kind);  // the channel's id; call after reset, before samples

    // Samples. A time before the origin (ts disorder between actors) counts in bucket 0; a time
    // past the grid extends it, doubling the width as often as needed.
    void add(size_t channel, int64_t tsNs, double amount);
    void set(size_t channel, int64_t tsNs, double level);
    // Extends the grid to cover tsNs without a sample (so every channel spans the whole trace).
    void touch(int64_t tsNs) { bucketFor(tsNs); }

    int64_t originNs() const { return originNs_; }
    int64_t widthNs() const { return widthNs_; }
    size_t buckets() const { return buckets_; }
    size_t channels() const { return channels_.size(); }
    // The channel's buckets (size buckets()); doubles so counts and bytes stay exact.
    const std::vector<double>& values(size_t channel) const { return channels_[channel].values; }
    double maxValue(size_t channel) const;
    double level(size_t channel) const { return channels_[channel].level; }  // Level: current

  private:
    struct Channel
    {
        ChannelKind kind = ChannelKind::Count;
        std::vector<double> values;
        double level = 0;  // Level channels: the value after the latest set()
    };
    size_t bucketFor(int64_t tsNs);
    void doubleWidth();

    int64_t originNs_ = 0;
    int64_t widthNs_ = kInitialWidthNs;
    size_t maxBuckets_ = kMaxBuckets;
    size_t buckets_ = 0;
    std::vector<Channel> channels_;
};

}  // namespace rscope::viewer
