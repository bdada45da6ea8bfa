// HeldTime: held intervals from the gate events, and prefix sums over them for O(log n) queries.
#include "engine/format/held_time.h"

#include <algorithm>

namespace rscope::trace
{

void HeldTime::clear()
{
    *this = HeldTime{};
}

void HeldTime::close(int64_t tsNs)
{
    if (intervals_.empty() || intervals_.back().endNs != kOpen) return;
    intervals_.back().endNs = std::max(tsNs, intervals_.back().startNs);
}

void HeldTime::apply(EventKind kind, int64_t tsNs)
{
    switch (kind)
    {
        case EventKind::GateHold:
            if (holding_) return;  // a second holder took over: the hold goes on
            holding_ = true;
            ++holds_;
            stepNs_ = -1;
            open(tsNs);
            return;
        case EventKind::GateStep:
            if (!holding_) return;
            ++steps_;
            // A step after a step that produced no event (its thread went idle): the held time
            // goes on up to this one.
            stepNs_ = tsNs;
            return;
        case EventKind::GateRelease:
            if (!holding_) return;
            // Held up to the pending step (the server worked from there), else to the release.
            close(stepNs_ >= 0 ? stepNs_ : tsNs);
            holding_ = false;
            stepNs_ = -1;
            return;
        default:
            break;
    }
    if (!holding_ || stepNs_ < 0 || tsNs < stepNs_) return;
    // The event a step let out: the server worked from the step to here, and is held again.
    close(stepNs_);
    stepNs_ = -1;
    open(tsNs);
}

void HeldTime::open(int64_t tsNs)
{
    close(tsNs);
    int64_t before = 0;
    if (!intervals_.empty())
        before = heldBefore_.back() + (intervals_.back().endNs - intervals_.back().startNs);
    heldBefore_.push_back(before);
    intervals_.push_back(
        {std::max(tsNs, intervals_.empty() ? tsNs : intervals_.back().endNs), kOpen});
}

int64_t HeldTime::heldUpTo(int64_t t) const
{
    // The last interval starting before t: everything before it is held whole.
    auto it = std::upper_bound(intervals_.begin(), intervals_.end(), t,
                               [](int64_t v, const Interval& i) { return v < i.startNs; });
    if (it == intervals_.begin()) return 0;
    size_t k = static_cast<size_t>(it - intervals_.begin()) - 1;
    const Interval& i = intervals_[k];
    int64_t end = i.endNs == kOpen ? t : std::min(t, i.endNs);
    return heldBefore_[k] + std::max<int64_t>(0, end - i.startNs);
}

int64_t HeldTime::heldNs(int64_t t0, int64_t t1) const
{
    if (t1 <= t0 || intervals_.empty()) return 0;
    return heldUpTo(t1) - heldUpTo(t0);
}

int64_t HeldTime::activeNs(int64_t t0, int64_t t1) const
{
    if (t1 <= t0) return 0;
    return std::max<int64_t>(0, (t1 - t0) - heldNs(t0, t1));
}

}  // namespace rscope::trace
