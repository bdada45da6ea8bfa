// The viewer's side of the request hops, which engine/format/hops.h defines (the same hops and
// percentiles as `rscope trace stats`): each sample carries the index of the event that completed
// it, and step mode's held time is left out of its duration. Owner: whoever feeds it
// (TraceStatistics, GUI thread); not thread-safe.
#pragma once

#include <cstdint>

#include "engine/format/held_time.h"
#include "engine/format/hops.h"
#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

using trace::hopName;
using trace::RequestHop;

// One measured hop: completed by event `event` (its index in the store).
struct HopSample
{
    int64_t ns = 0;
    uint32_t event = 0;
    RequestHop hop = RequestHop::Count;
};

class HopTracker
{
  public:
    static constexpr int kMaxSamplesPerEvent = trace::HopTracker::kMaxSamplesPerEvent;

    void clear() { hops_.clear(); }
    // Feeds event `index` (events in seq order); writes the hops it completes to `out` and
    // returns how many. With `held` (the store's), step mode's held time is not counted.
    // Inline: it runs for every event the viewer loads.
    int apply(const Event& e, uint32_t index, HopSample out[kMaxSamplesPerEvent],
              const HeldTime* held = nullptr)
    {
        trace::HopSpan spans[kMaxSamplesPerEvent];
        int n = hops_.apply(e.kind, e.flow, e.msgId, e.tsNs, spans);
        for (int k = 0; k < n; ++k)
        {
            const trace::HopSpan& s = spans[k];
            int64_t ns = held != nullptr ? held->activeNs(s.fromNs, s.toNs) : s.toNs - s.fromNs;
            out[k] = HopSample{ns, index, s.hop};
        }
        return n;
    }
    size_t openFlows() const { return hops_.openFlows(); }

  private:
    trace::HopTracker hops_;
};

}  // namespace rscope::viewer
