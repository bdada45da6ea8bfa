// computeTraceStats: one pass over the file; per flow it keeps only the timestamps the latency
// definitions need (traces/FORMAT.md, "Statistics").
#include "engine/tracefile/trace_stats.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

namespace
{
using trace::EventKind;

// Timestamps of one flow; -1 = not seen.
struct FlowTimes
{
    int64_t firstRead = -1;
    int64_t firstDispatch = -1;
    int64_t firstReceive = -1;
    int64_t firstEnter = -1;
    int64_t lastExit = -1;
    int64_t firstSend = -1;
    int64_t lastWrite = -1;
};

// One latency: from one timestamp of a flow to another, when the flow has both.
struct Span
{
    const char* name;
    int64_t FlowTimes::*from;
    int64_t FlowTimes::*to;
};
const Span kSpans[] = {
    {"request", &FlowTimes::firstRead, &FlowTimes::lastWrite},
    {"read->dispatch", &FlowTimes::firstRead, &FlowTimes::firstDispatch},
    {"dispatch->worker_receive", &FlowTimes::firstDispatch, &FlowTimes::firstReceive},
    {"worker_receive->callback_exit", &FlowTimes::firstReceive, &FlowTimes::lastExit},
    {"callback_enter->callback_exit", &FlowTimes::firstEnter, &FlowTimes::lastExit},
    {"send_request->reactor_write", &FlowTimes::firstSend, &FlowTimes::lastWrite},
};

void setFirst(int64_t& slot, int64_t tsNs)
{
    if (slot < 0) slot = tsNs;
}

void record(FlowTimes& t, const TraceEventView& e)
{
    switch (e.kind)
    {
        case EventKind::Read:
            setFirst(t.firstRead, e.tsNs);
            break;
        case EventKind::Dispatch:
            setFirst(t.firstDispatch, e.tsNs);
            break;
        case EventKind::WorkerReceive:
            setFirst(t.firstReceive, e.tsNs);
            break;
        case EventKind::CallbackEnter:
            setFirst(t.firstEnter, e.tsNs);
            break;
        case EventKind::CallbackExit:
            t.lastExit = e.tsNs;
            break;
        case EventKind::SendRequest:
            setFirst(t.firstSend, e.tsNs);
            break;
        case EventKind::ReactorWrite:
            t.lastWrite = e.tsNs;
            break;
        default:
            break;
    }
}

int roleRank(const std::string& role)
{
    if (role == "master") return 0;
    if (role == "manager") return 1;
    if (role == "reactor") return 2;
    return 3;
}

// Value at nearest rank ceil(permille * n / 1000) of sorted values, in µs.
double percentileUs(const std::vector<int64_t>& sorted, uint64_t permille)
{
    uint64_t n = sorted.size();
    uint64_t rank = (permille * n + 999) / 1000;
    return static_cast<double>(sorted[std::max<uint64_t>(rank, 1) - 1]) / 1000.0;
}

nlohmann::json latencyJson(const LatencySummary& l)
{
    return {{"count", l.count},  {"p50_us", l.p50Us},   {"p90_us", l.p90Us},
            {"p99_us", l.p99Us}, {"p999_us", l.p999Us}, {"max_us", l.maxUs}};
}
}  // namespace

LatencySummary summarizeLatencies(std::string name, std::vector<int64_t>& valuesNs)
{
    LatencySummary s;
    s.name = std::move(name);
    s.count = valuesNs.size();
    if (valuesNs.empty()) return s;
    std::sort(valuesNs.begin(), valuesNs.end());
    s.p50Us = percentileUs(valuesNs, 500);
    s.p90Us = percentileUs(valuesNs, 900);
    s.p99Us = percentileUs(valuesNs, 990);
    s.p999Us = percentileUs(valuesNs, 999);
    s.maxUs = static_cast<double>(valuesNs.back()) / 1000.0;
    return s;
}

TraceStats computeTraceStats(const std::string& path,
                             const std::function<void(const Problem&)>& onProblem)
{
    TraceStats stats;
    stats.path = path;
    std::array<uint64_t, static_cast<size_t>(EventKind::Count)> kindCounts{};
    std::map<std::pair<int, int>, std::pair<std::string, uint64_t>> actors;
    std::unordered_map<uint64_t, FlowTimes> flows;
    TraceSink sink;
    sink.onEvent = [&](const TraceEventView& e)
    {
        ++kindCounts[static_cast<size_t>(e.kind)];
        auto& actor = actors[{roleRank(e.actor.role), e.actor.index}];
        if (actor.first.empty()) actor.first = e.actor.label();
        ++actor.second;
        if (e.kind == EventKind::TraceDropped)
            stats.droppedEvents += static_cast<uint64_t>(std::max<int64_t>(0, e.intArg("count")));
        if (e.flowId() != 0) record(flows[e.flowId()], e);
    };
    sink.onEnd = [&](const TraceEnd& end) { stats.droppedAtEnd = end.dropped; };
    sink.onProblem = onProblem;
    TraceReader reader(path);
    stats.readable = reader.read(sink);

    const ReadCounts& counts = reader.counts();
    stats.events = counts.eventLines;
    stats.unknownKinds = counts.unknownKinds;
    stats.errors = counts.errors;
    stats.firstTsNs = counts.firstTsNs;
    stats.lastTsNs = counts.lastTsNs;
    if (counts.firstTsNs >= 0 && counts.lastTsNs > counts.firstTsNs)
    {
        stats.durationS = static_cast<double>(counts.lastTsNs - counts.firstTsNs) / 1e9;
        stats.eventsPerSec =
            static_cast<double>(counts.events + counts.unknownKinds) / stats.durationS;
    }
    // A recorder's trace_end already includes the trace_dropped counts it saw: no double count.
    stats.dropped = std::max(stats.droppedEvents, stats.droppedAtEnd);
    for (size_t k = 0; k < kindCounts.size(); ++k)
        if (kindCounts[k] > 0)
            stats.kinds.emplace_back(trace::kindInfo(static_cast<EventKind>(k)).name,
                                     kindCounts[k]);
    for (auto& [key, actor] : actors) stats.actors.push_back(std::move(actor));
    stats.flows = flows.size();
    for (const Span& span : kSpans)
    {
        std::vector<int64_t> values;
        for (const auto& [id, t] : flows)
            if (t.*span.from >= 0 && t.*span.to >= t.*span.from)
                values.push_back(t.*span.to - t.*span.from);
        stats.latencies.push_back(summarizeLatencies(span.name, values));
    }
    return stats;
}

std::string formatStats(const TraceStats& s)
{
    std::string out = fmt::format(
        "{}: {} events in {:.3f} s ({:.0f} events/s), {} dropped, {} unknown-kind skipped, {} "
        "flows\n",
        s.path, s.events, s.durationS, s.eventsPerSec, s.dropped, s.unknownKinds, s.flows);
    if (s.dropped > 0)
        out += fmt::format("dropped: {} in trace_dropped events, {} in trace_end\n",
                           s.droppedEvents, s.droppedAtEnd);
    out += "events per kind:\n";
    for (const auto& [name, count] : s.kinds) out += fmt::format("  {:<18} {:>10}\n", name, count);
    out += "events per actor:\n";
    for (const auto& [name, count] : s.actors) out += fmt::format("  {:<18} {:>10}\n", name, count);
    out += "latency per flow, us (request = first read -> last reactor_write):\n";
    out += fmt::format("  {:<30} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "span", "count",
                       "p50", "p90", "p99", "p999", "max");
    for (const LatencySummary& l : s.latencies)
        out += fmt::format("  {:<30} {:>8} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n",
                           l.name, l.count, l.p50Us, l.p90Us, l.p99Us, l.p999Us, l.maxUs);
    return out;
}

nlohmann::json statsToJson(const TraceStats& s)
{
    nlohmann::json kinds = nlohmann::json::object();
    for (const auto& [name, count] : s.kinds) kinds[name] = count;
    nlohmann::json actors = nlohmann::json::object();
    for (const auto& [name, count] : s.actors) actors[name] = count;
    nlohmann::json latency = nlohmann::json::object();
    for (const LatencySummary& l : s.latencies) latency[l.name] = latencyJson(l);
    return {{"file", s.path},
            {"events", s.events},
            {"unknown_kinds", s.unknownKinds},
            {"errors", s.errors},
            {"first_ts", s.firstTsNs},
            {"last_ts", s.lastTsNs},
            {"duration_s", s.durationS},
            {"events_per_sec", s.eventsPerSec},
            {"dropped", s.dropped},
            {"dropped_in_events", s.droppedEvents},
            {"dropped_at_end", s.droppedAtEnd},
            {"flows", s.flows},
            {"kinds", kinds},
            {"actors", actors},
            {"latency_us", latency}};
}

}  // namespace rscope::tracefile
