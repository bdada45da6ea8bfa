// Time the server spent held by live step mode, from the trace's gate_hold / gate_step /
// gate_release events (traces/FORMAT.md): durations shown to a learner subtract it, so a request
// stepped for 13 s of wall time still reads as the microseconds the server worked on it.
// In the format library so that `rscope trace stats` and the viewer subtract the same held time.
// Owner: whoever feeds it in event order (the viewer's TraceStore, trace stats). Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/format/trace_event.h"

namespace rscope::trace
{

// While the gate holds, the server works only from a step until the next event (the thread the
// step let go emitted it and paused again); everything else is held. So the held intervals are:
// from gate_hold to the first step, from each event that follows a step to the next step, and
// from there to gate_release. A step after which no event came (the thread went idle) leaves the
// held interval open. Causal: what is known up to an event's ts never changes afterwards, so the
// derived indexes that extend event by event see final values.
class HeldTime
{
  public:
    static bool isGateKind(EventKind kind)
    {
        return kind == EventKind::GateHold || kind == EventKind::GateStep ||
               kind == EventKind::GateRelease;
    }

    void clear();
    // Every event, in store order (gate events and the others).
    void apply(EventKind kind, int64_t tsNs);

    // Held time in [t0, t1] (0 when t1 <= t0).
    int64_t heldNs(int64_t t0, int64_t t1) const;
    // t1 - t0 minus the held time in between: what the server really took (never negative).
    int64_t activeNs(int64_t t0, int64_t t1) const;
    bool any() const { return !intervals_.empty(); }
    bool holding() const { return holding_; }
    size_t holds() const { return holds_; }
    size_t steps() const { return steps_; }

  private:
    struct Interval
    {
        int64_t startNs;
        int64_t endNs;  // kOpen while it lasts
    };
    static constexpr int64_t kOpen = INT64_MAX;
    // Held time in (-inf, t].
    int64_t heldUpTo(int64_t t) const;
    void close(int64_t tsNs);
    void open(int64_t tsNs);

    std::vector<Interval> intervals_;  // in time order, disjoint; only the last may be open
    std::vector<int64_t> heldBefore_;  // per interval: the held time of the intervals before it
    bool holding_ = false;
    int64_t stepNs_ = -1;  // the step waiting for its event (-1: none)
    size_t holds_ = 0;
    size_t steps_ = 0;
};

}  // namespace rscope::trace
