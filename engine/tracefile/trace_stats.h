// computeTraceStats: what `rscope trace stats` prints: counts per kind and actor, event rate,
// drops, the latency percentiles of the request hops (engine/format/hops.h: the viewer's
// Statistics tab measures the same hops with the same histograms) and the task worker figures
// (engine/format/task_tally.h, the viewer's too). Memory: the requests in flight plus one id per
// flow. Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/format/hops.h"
#include "engine/format/latency_histogram.h"
#include "engine/format/task_tally.h"
#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

struct LatencySummary
{
    std::string name;  // a hop's name: "read->dispatch" ... "read->write"
    uint64_t count = 0;
    double p50Us = 0;
    double p90Us = 0;
    double p99Us = 0;
    double p999Us = 0;
    double maxUs = 0;
};

// One task worker's row: tasks run and their onTask time.
struct TaskWorkerSummary
{
    std::string name;  // "task_worker[2]"
    uint64_t tasks = 0;
    LatencySummary onTask;
};

// One event worker's tasks: how many it dispatched, to an idle or a busy task worker.
struct TaskCallerSummary
{
    std::string name;  // "worker[0]"
    uint64_t dispatched = 0;
    uint64_t toIdle = 0;
    uint64_t toBusy = 0;
};

struct TraceStats
{
    std::string path;
    bool readable = false;
    uint64_t events = 0;  // event lines
    uint64_t unknownKinds = 0;
    uint64_t errors = 0;
    int64_t firstTsNs = -1;
    int64_t lastTsNs = -1;
    double durationS = 0;
    double eventsPerSec = 0;
    uint64_t droppedEvents = 0;  // sum of trace_dropped args.count
    uint64_t droppedAtEnd = 0;   // trace_end "dropped"
    uint64_t dropped = 0;        // total lost: max of the two (see traces/FORMAT.md)
    std::vector<std::pair<std::string, uint64_t>> kinds;  // in kind-table order, seen only
    // master, manager, reactor[i], worker[i], then task_worker[i]
    std::vector<std::pair<std::string, uint64_t>> actors;
    uint64_t flows = 0;  // distinct flow ids
    // The hops in trace::RequestHop order, and the histograms their figures come from.
    std::vector<LatencySummary> latencies;
    trace::HopHistograms hopHistograms;
    // Task workers (header settings.task_worker_num, or seen): empty without any. The rows come
    // from `tasks`, which the viewer's Statistics count the same way.
    std::vector<TaskWorkerSummary> taskWorkers;
    std::vector<TaskCallerSummary> taskCallers;
    trace::TaskTally tasks;
};

TraceStats computeTraceStats(const std::string& path,
                             const std::function<void(const Problem&)>& onProblem);

// p50 p90 p99 p999 (LatencyHistogram::percentileNs: nearest rank to bucket precision, the
// viewer's method) and the exact max, in µs.
LatencySummary summarizeLatencies(std::string name, const trace::LatencyHistogram& histogram);

std::string formatStats(const TraceStats& stats);
nlohmann::json statsToJson(const TraceStats& stats);

}  // namespace rscope::tracefile
