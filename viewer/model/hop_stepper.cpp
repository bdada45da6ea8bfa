// HopStepper: one cursor event per hop asked for, stepping the held server only at the newest.
#include "viewer/model/hop_stepper.h"

#include <algorithm>

#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

void HopStepper::request(int hops)
{
    pending_ += std::max(hops, 0);
}

void HopStepper::reset()
{
    *this = HopStepper{};
}

bool HopStepper::update(const TraceStore& store, Playback& playback, int64_t nowMs)
{
    if (pending_ <= 0) return false;
    const size_t n = store.size();
    size_t pos = std::min(playback.position(), n);
    if (pos < n || playback.live())
    {
        // The cursor stops following the newest event: what a step lets out beyond the one
        // shown waits for the next hop instead of sliding past the learner.
        playback.pause();
        playback.leaveLive();
    }
    while (pending_ > 0 && pos < n)
    {
        playback.seekEvent(store, pos);  // event pos becomes the newest: one event further
        ++pos;
        --pending_;
        stepSent_ = false;
    }
    if (pending_ == 0) return false;
    if (stepSent_ && n == sizeAtStep_ && nowMs - stepAtMs_ < kRetryMs) return false;
    stepSent_ = true;
    sizeAtStep_ = n;
    stepAtMs_ = nowMs;
    return true;
}

}  // namespace rscope::viewer
