// EventTally: what a trace_end line says of the events before it: how many, the events the
// trace_dropped events among them reported lost, and the flows left open. Kept by whoever ends
// a trace file: the server's trace-file writer and `rscope record`.
// Owner: one writer. Thread-safety: none.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/format/open_flows.h"
#include "engine/format/trace_event.h"

namespace rscope::trace
{

class EventTally
{
  public:
    // One event: its kind (unknown kinds have no flow to follow), flow, and for a
    // trace_dropped its count.
    void count(EventKind kind, uint64_t flow, uint64_t dropped)
    {
        ++events_;
        dropped_ += dropped;
        if (kind < EventKind::Count) flows_.observe(flow, isTerminalKind(kind));
    }
    void count(const TraceRecord& r)
    {
        auto kind = static_cast<EventKind>(r.kind);
        count(kind, r.flow,
              kind == EventKind::TraceDropped ? static_cast<uint64_t>(std::max<int64_t>(0, r.a0))
                                              : 0);
    }
    // An event line that could not be read: it counts, nothing else is known of it.
    void countUnreadable() { ++events_; }

    uint64_t events() const { return events_; }
    uint64_t dropped() const { return dropped_; }
    // Flows whose last event is not terminal, by id.
    std::vector<uint64_t> openFlows() const
    {
        std::vector<uint64_t> open = flows_.list();
        std::sort(open.begin(), open.end());
        return open;
    }

  private:
    OpenFlows flows_;  // no allocation per flow: a full-load stream opens ~100k a second
    uint64_t events_ = 0;
    uint64_t dropped_ = 0;
};

// `{"type":"trace_end","events":N,"dropped":N,"cut_flows":[...]}\n` (traces/FORMAT.md), with
// `"unwritten":N` before cut_flows when a trace file could not take every event queued for it.
std::string traceEndLine(uint64_t events, uint64_t dropped, const std::vector<uint64_t>& cutFlows,
                         uint64_t unwritten = 0);
inline std::string traceEndLine(const EventTally& t, uint64_t moreDropped = 0,
                                uint64_t unwritten = 0)
{
    return traceEndLine(t.events(), t.dropped() + moreDropped, t.openFlows(), unwritten);
}

}  // namespace rscope::trace
