// The adaptive grid: merging a pair of buckets is exact for sums and maxima, so the series after
// any number of doublings equals one bucketed at the final width from the start.
#include "viewer/model/time_series.h"

#include <algorithm>

namespace rscope::viewer
{

void TimeSeries::reset(int64_t originNs, int64_t initialWidthNs, size_t maxBuckets)
{
    originNs_ = originNs;
    widthNs_ = std::max<int64_t>(1, initialWidthNs);
    maxBuckets_ = std::max<size_t>(2, maxBuckets);
    buckets_ = 0;
    channels_.clear();
}

size_t TimeSeries::addChannel(ChannelKind kind)
{
    Channel c;
    c.kind = kind;
    // The whole capacity now: the grid never holds more than maxBuckets_, so samples never
    // allocate.
    c.values.reserve(maxBuckets_);
    c.values.assign(buckets_, 0.0);
    channels_.push_back(std::move(c));
    return channels_.size() - 1;
}

void TimeSeries::add(size_t channel, int64_t tsNs, double amount)
{
    size_t k = bucketFor(tsNs);
    channels_[channel].values[k] += amount;
}

void TimeSeries::set(size_t channel, int64_t tsNs, double level)
{
    size_t k = bucketFor(tsNs);
    Channel& c = channels_[channel];
    c.level = level;
    c.values[k] = std::max(c.values[k], level);
}

double TimeSeries::maxValue(size_t channel) const
{
    const auto& v = channels_[channel].values;
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

size_t TimeSeries::bucketFor(int64_t tsNs)
{
    int64_t offset = std::max<int64_t>(0, tsNs - originNs_);
    while (static_cast<uint64_t>(offset / widthNs_) >= maxBuckets_) doubleWidth();
    size_t k = static_cast<size_t>(offset / widthNs_);
    if (k >= buckets_)
    {
        // New buckets: nothing counted yet; a level holds where it was.
        for (Channel& c : channels_)
            c.values.resize(k + 1, c.kind == ChannelKind::Level ? c.level : 0.0);
        buckets_ = k + 1;
    }
    return k;
}

void TimeSeries::doubleWidth()
{
    size_t merged = (buckets_ + 1) / 2;
    for (Channel& c : channels_)
    {
        auto& v = c.values;
        for (size_t i = 0; i < merged; ++i)
        {
            double a = v[2 * i];
            double b = 2 * i + 1 < buckets_ ? v[2 * i + 1] : (c.kind == ChannelKind::Level ? a : 0);
            v[i] = c.kind == ChannelKind::Count ? a + b : std::max(a, b);
        }
        v.resize(merged);
    }
    buckets_ = merged;
    widthNs_ *= 2;
}

}  // namespace rscope::viewer
