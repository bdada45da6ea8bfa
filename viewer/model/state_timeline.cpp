// StateTimeline and StateCursor: the architecture state after any prefix of the trace, from
// keyframes, so scrubbing a 1M-event trace costs at most one keyframe interval of applies.
#include <algorithm>

#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

const Actor* actorOf(const TraceStore& store, const Event& e)
{
    // Events built by hand (tests) may carry no interned actor.
    return e.actor < store.actors().size() ? &store.actors()[e.actor] : nullptr;
}

void applyRange(const TraceStore& store, size_t from, size_t to, ArchitectureState& state)
{
    state.setHeldTime(&store.held());
    for (size_t i = from; i < to; ++i) state.apply(store[i], actorOf(store, store[i]));
}

}  // namespace

StateTimeline::StateTimeline(size_t interval) : interval_(std::max<size_t>(interval, 1)) {}

void StateTimeline::rebuild(const TraceStore& store)
{
    keyframes_.clear();
    tail_.reset(store.topology());
    keyframes_.push_back(tail_);
    extend(store);
}

void StateTimeline::extend(const TraceStore& store)
{
    // A store that shrank was cleared and refilled (a new live header): start over.
    if (keyframes_.empty() || tail_.applied() > store.size())
    {
        rebuild(store);
        return;
    }
    tail_.setHeldTime(&store.held());
    for (size_t i = tail_.applied(); i < store.size(); ++i)
    {
        tail_.apply(store[i], actorOf(store, store[i]));
        if (tail_.applied() % interval_ == 0) keyframes_.push_back(tail_);
    }
}

void StateTimeline::stateAt(const TraceStore& store, size_t n, ArchitectureState& out) const
{
    n = std::min(n, store.size());
    if (keyframes_.empty())
    {
        // Never built: correct but O(n); the viewer always rebuilds after a load.
        out.reset(store.topology());
        applyRange(store, 0, n, out);
        return;
    }
    // The live end is asked for every frame: the tail is already there.
    if (n == tail_.applied())
    {
        out = tail_;
        return;
    }
    // Events appended since the last extend() have no keyframe yet: start from the last one.
    size_t k = std::min(n / interval_, keyframes_.size() - 1);
    out = keyframes_[k];
    applyRange(store, k * interval_, n, out);
}

void StateCursor::moveTo(const TraceStore& store, const StateTimeline& timeline, size_t n)
{
    n = std::min(n, store.size());
    size_t at = state_.applied();
    // Playing forward is the common case: a few applies per frame, no copy.
    if (valid_ && n >= at && n - at < timeline.interval())
    {
        applyRange(store, at, n, state_);
        return;
    }
    timeline.stateAt(store, n, state_);
    valid_ = true;
}

}  // namespace rscope::viewer
