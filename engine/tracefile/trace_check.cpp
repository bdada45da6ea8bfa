// checkTrace: reader problems as they come, then the flow rule of traces/FORMAT.md against the
// trace_end line (or, without one, against the last 100 ms of the trace).
#include "engine/tracefile/trace_check.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "engine/tracefile/flow_tracker.h"
#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

std::string CheckSummary::toString() const
{
    return fmt::format(
        "{}: {} events, {} kinds, {} flows ({} cut), {} errors, {} warnings, {} unknown-kind "
        "events skipped",
        path, events, kinds, flows, cutFlows, errors, warnings, unknownKinds);
}

CheckSummary checkTrace(const std::string& path,
                        const std::function<void(const Problem&)>& onProblem)
{
    CheckSummary summary;
    summary.path = path;
    FlowTracker flows;
    std::optional<TraceEnd> end;
    TraceSink sink;
    // Events lost after a flow's last event may have been its continuation: a flow left open
    // before the last trace_dropped event was cut by the drop, not left dangling.
    uint64_t lastDropLine = 0;
    sink.onEvent = [&](const TraceEventView& event)
    {
        flows.observe(event);
        if (event.kind == trace::EventKind::TraceDropped) lastDropLine = event.line;
    };
    sink.onEnd = [&](const TraceEnd& e) { end = e; };
    sink.onProblem = onProblem;
    TraceReader reader(path);
    summary.readable = reader.read(sink);
    const ReadCounts& counts = reader.counts();
    summary.events = counts.eventLines;
    summary.kinds = counts.distinctKinds;
    summary.flows = flows.flowCount();
    summary.errors = counts.errors;
    summary.warnings = counts.warnings;
    summary.unknownKinds = counts.unknownKinds;
    if (!summary.readable) return summary;

    std::vector<Problem> flowProblems;
    auto add = [&](Severity severity, uint64_t line, std::string message)
    {
        ++(severity == Severity::Error ? summary.errors : summary.warnings);
        flowProblems.push_back({severity, {path, line, std::move(message)}});
    };
    std::vector<FlowTracker::OpenFlow> open;
    for (const FlowTracker::OpenFlow& f : flows.openFlows())
    {
        if (f.last.lastLine < lastDropLine)
            ++summary.cutFlows;
        else
            open.push_back(f);
    }
    if (end)
    {
        std::unordered_set<uint64_t> cut(end->cutFlows.begin(), end->cutFlows.end());
        for (const FlowTracker::OpenFlow& f : open)
        {
            if (cut.count(f.flow))
                ++summary.cutFlows;
            else
                add(Severity::Error, f.last.lastLine,
                    fmt::format("flow {} is open (its last event, {}, is not terminal) and "
                                "trace_end does not list it in cut_flows",
                                f.flow, trace::kindInfo(f.last.lastKind).name));
        }
        for (uint64_t flow : end->cutFlows)
        {
            const FlowTracker::FlowState* state = flows.find(flow);
            if (state == nullptr)
                add(Severity::Warning, end->line,
                    fmt::format("cut_flows lists flow {}, which no event carries", flow));
            else if (FlowTracker::isTerminal(state->lastKind))
                add(Severity::Warning, end->line,
                    fmt::format("cut_flows lists flow {}, but it closed ({} at line {})", flow,
                                trace::kindInfo(state->lastKind).name, state->lastLine));
        }
    }
    else
    {
        add(Severity::Warning, 0, "no trace_end line: the recording did not finish cleanly");
        for (const FlowTracker::OpenFlow& f : open)
        {
            int64_t beforeEndNs = counts.lastTsNs - f.last.lastTsNs;
            const char* kind = trace::kindInfo(f.last.lastKind).name;
            if (beforeEndNs <= kCutWindowNs)
            {
                ++summary.cutFlows;
                add(Severity::Warning, f.last.lastLine,
                    fmt::format("flow {} cut without trace_end (last event {}, {:.3f} ms before "
                                "the end)",
                                f.flow, kind, beforeEndNs / 1e6));
            }
            else
                add(Severity::Error, f.last.lastLine,
                    fmt::format("flow {} never closed: its last event, {}, is not terminal and "
                                "lies {:.3f} ms before the end of the trace",
                                f.flow, kind, beforeEndNs / 1e6));
        }
    }
    std::stable_sort(flowProblems.begin(), flowProblems.end(),
                     [](const Problem& a, const Problem& b)
                     { return a.where.line < b.where.line; });
    if (onProblem)
        for (const Problem& p : flowProblems) onProblem(p);
    return summary;
}

}  // namespace rscope::tracefile
