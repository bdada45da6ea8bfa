// FlowTracker: the last event of every request flow, in seq order, to tell closed flows from
// open ones. Memory: one small entry per flow id. Owner: one reader. Thread-safety: none.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/format/flow_table.h"
#include "engine/format/trace_event.h"

namespace rscope::tracefile
{

struct TraceEventView;

class FlowTracker
{
  public:
    struct FlowState
    {
        trace::EventKind lastKind = trace::EventKind::Count;
        uint64_t lastLine = 0;
        int64_t lastTsNs = 0;
    };
    struct OpenFlow
    {
        uint64_t flow = 0;
        FlowState last;
    };

    // A flow whose last event is one of these is closed: callback_exit, reactor_write, close,
    // discard, frame_error, reactor_register.
    static bool isTerminal(trace::EventKind kind);

    // Events without a flow id (or flow 0) are ignored. Call in seq order.
    void observe(const TraceEventView& event);
    void observe(uint64_t flow, trace::EventKind kind, uint64_t line, int64_t tsNs);

    // Flows whose last event is not terminal, by flow id.
    std::vector<OpenFlow> openFlows() const;
    const FlowState* find(uint64_t flow) const;
    size_t flowCount() const { return flows_.size(); }

  private:
    trace::FlowTable<FlowState> flows_;
};

}  // namespace rscope::tracefile
