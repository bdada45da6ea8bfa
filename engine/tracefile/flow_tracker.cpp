// FlowTracker: the flow rule of traces/FORMAT.md ("a flow is closed when its last event is
// terminal").
#include "engine/tracefile/flow_tracker.h"

#include <algorithm>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

bool FlowTracker::isTerminal(trace::EventKind kind)
{
    return trace::isTerminalKind(kind);
}

void FlowTracker::observe(const TraceEventView& event)
{
    observe(event.flowId(), event.kind, event.line, event.tsNs);
}

void FlowTracker::observe(uint64_t flow, trace::EventKind kind, uint64_t line, int64_t tsNs)
{
    if (flow == 0) return;
    FlowState& state = *flows_.insert(flow).first;
    state.lastKind = kind;
    state.lastLine = line;
    state.lastTsNs = tsNs;
}

std::vector<FlowTracker::OpenFlow> FlowTracker::openFlows() const
{
    std::vector<OpenFlow> open;
    flows_.forEach(
        [&open](uint64_t flow, const FlowState& state)
        {
            if (!isTerminal(state.lastKind)) open.push_back({flow, state});
        });
    std::sort(open.begin(), open.end(),
              [](const OpenFlow& a, const OpenFlow& b) { return a.flow < b.flow; });
    return open;
}

const FlowTracker::FlowState* FlowTracker::find(uint64_t flow) const
{
    return flows_.find(flow);
}

}  // namespace rscope::tracefile
