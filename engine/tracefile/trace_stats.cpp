// computeTraceStats: one pass over the file; the hops come from trace::HopTracker, which keeps
// only the requests in flight (traces/FORMAT.md, section 9, "stats").
#include "engine/tracefile/trace_stats.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "engine/format/flow_table.h"
#include "engine/format/held_time.h"
#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

namespace
{
using trace::EventKind;
using trace::RequestHop;

// The value of the set of flow ids seen (TraceStats::flows).
struct Seen
{
};

// Task workers after the event workers: they are listed apart, never as event workers.
int roleRank(const std::string& role)
{
    if (role == "master") return 0;
    if (role == "manager") return 1;
    if (role == "reactor") return 2;
    if (role == "task_worker") return 4;
    return 3;
}

trace::TaskFacts taskFacts(const TraceEventView& e)
{
    trace::TaskFacts f;
    f.kind = e.kind;
    f.byTaskWorker = e.actor.role == "task_worker";
    if (e.actor.role == "worker" || f.byTaskWorker) f.actorWorker = static_cast<int>(e.actor.index);
    if (e.kind == EventKind::CallbackExit)
    {
        f.callback = e.stringArg("callback") == "onTask" ? trace::CallbackId::OnTask
                                                         : trace::CallbackId::None;
        f.durationNs = e.intArg("duration_ns", -1);
    }
    if (e.kind == EventKind::TaskDispatch)
        for (const TraceArg& a : e.args)
            if (a.info != nullptr && a.valid && std::string_view(a.info->name) == "idle")
                f.idle = a.number != 0;
    return f;
}

void summarizeTasks(TraceStats& stats)
{
    const trace::TaskTally& t = stats.tasks;
    if (!t.hasTaskWorkers()) return;
    for (size_t i = 0; i < t.taskWorkers().size(); ++i)
    {
        const trace::TaskWorkerFigures& w = t.taskWorkers()[i];
        std::string name = fmt::format("task_worker[{}]", t.workerNum() + static_cast<int>(i));
        stats.taskWorkers.push_back({name, w.tasks, summarizeLatencies(name, w.onTask)});
    }
    for (size_t w = 0; w < t.callers().size(); ++w)
    {
        const trace::TaskCallerFigures& c = t.callers()[w];
        stats.taskCallers.push_back(
            {fmt::format("worker[{}]", w), c.dispatched, c.toIdle, c.toBusy});
    }
}

nlohmann::json latencyJson(const LatencySummary& l)
{
    return {{"count", l.count},  {"p50_us", l.p50Us},   {"p90_us", l.p90Us},
            {"p99_us", l.p99Us}, {"p999_us", l.p999Us}, {"max_us", l.maxUs}};
}
}  // namespace

LatencySummary summarizeLatencies(std::string name, const trace::LatencyHistogram& histogram)
{
    auto us = [](int64_t ns) { return static_cast<double>(ns) / 1000.0; };
    LatencySummary s;
    s.name = std::move(name);
    s.count = histogram.count();
    if (s.count == 0) return s;
    s.p50Us = us(histogram.percentileNs(50));
    s.p90Us = us(histogram.percentileNs(90));
    s.p99Us = us(histogram.percentileNs(99));
    s.p999Us = us(histogram.percentileNs(99.9));
    s.maxUs = us(histogram.maxNs());
    return s;
}

TraceStats computeTraceStats(const std::string& path,
                             const std::function<void(const Problem&)>& onProblem)
{
    TraceStats stats;
    stats.path = path;
    std::array<uint64_t, static_cast<size_t>(EventKind::Count)> kindCounts{};
    std::map<std::pair<int, int>, std::pair<std::string, uint64_t>> actors;
    trace::FlowTable<Seen> flows;
    trace::HopTracker hops;
    // Step mode's held time is left out of every hop, as in the viewer's statistics: a request
    // stepped through for seconds measures what the server spent on it.
    trace::HeldTime held;
    TraceSink sink;
    sink.onHeader = [&](const TraceHeader& h)
    { stats.tasks.reset(h.settings.workerNum, h.settings.taskWorkerNum); };
    sink.onEvent = [&](const TraceEventView& e)
    {
        if (e.kind == EventKind::TaskDispatch || e.kind == EventKind::CallbackExit)
            stats.tasks.count(taskFacts(e));
        ++kindCounts[static_cast<size_t>(e.kind)];
        auto& actor = actors[{roleRank(e.actor.role), e.actor.index}];
        if (actor.first.empty()) actor.first = e.actor.label();
        ++actor.second;
        if (e.kind == EventKind::TraceDropped)
            stats.droppedEvents += static_cast<uint64_t>(std::max<int64_t>(0, e.intArg("count")));
        held.apply(e.kind, e.tsNs);
        uint64_t flow = e.flowId();
        if (flow == 0) return;
        flows.insert(flow);
        trace::HopSpan spans[trace::HopTracker::kMaxSamplesPerEvent];
        int n = hops.apply(e.kind, flow, e.msgId.value_or(0), e.tsNs, spans);
        for (int k = 0; k < n; ++k)
            stats.hopHistograms[static_cast<size_t>(spans[k].hop)].add(
                held.activeNs(spans[k].fromNs, spans[k].toNs));
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
    summarizeTasks(stats);
    for (size_t h = 0; h < trace::kHopCount; ++h)
        stats.latencies.push_back(
            summarizeLatencies(trace::hopName(static_cast<RequestHop>(h)), stats.hopHistograms[h]));
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
    out +=
        "latency per hop, us (read->write = request to first reply; log-bucket percentiles, "
        "as in the viewer):\n";
    out += fmt::format("  {:<30} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "hop", "count", "p50",
                       "p90", "p99", "p999", "max");
    for (const LatencySummary& l : s.latencies)
        out += fmt::format("  {:<30} {:>8} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n",
                           l.name, l.count, l.p50Us, l.p90Us, l.p99Us, l.p999Us, l.maxUs);
    if (s.taskWorkers.empty()) return out;
    out += "task workers: tasks run and onTask time, us (callback_exit duration_ns):\n";
    out += fmt::format("  {:<30} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "task worker",
                       "tasks", "p50", "p90", "p99", "p999", "max");
    for (const TaskWorkerSummary& t : s.taskWorkers)
    {
        const LatencySummary& l = t.onTask;
        out += fmt::format("  {:<30} {:>8} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f}\n",
                           t.name, t.tasks, l.p50Us, l.p90Us, l.p99Us, l.p999Us, l.maxUs);
    }
    out += "tasks dispatched per event worker (to an idle task worker, or all were busy):\n";
    out += fmt::format("  {:<30} {:>10} {:>10} {:>10}\n", "worker", "dispatched", "to idle",
                       "to busy");
    for (const TaskCallerSummary& c : s.taskCallers)
        out += fmt::format("  {:<30} {:>10} {:>10} {:>10}\n", c.name, c.dispatched, c.toIdle,
                           c.toBusy);
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
    nlohmann::json out = {{"file", s.path},
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
    if (s.taskWorkers.empty()) return out;
    nlohmann::json taskWorkers = nlohmann::json::object();
    for (const TaskWorkerSummary& t : s.taskWorkers)
        taskWorkers[t.name] = {{"tasks", t.tasks}, {"on_task_us", latencyJson(t.onTask)}};
    nlohmann::json callers = nlohmann::json::object();
    for (const TaskCallerSummary& c : s.taskCallers)
        callers[c.name] = {
            {"dispatched", c.dispatched}, {"to_idle", c.toIdle}, {"to_busy", c.toBusy}};
    out["task_workers"] = taskWorkers;
    out["task_dispatch"] = callers;
    return out;
}

}  // namespace rscope::tracefile
