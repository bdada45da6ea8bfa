// computeTraceStats: what `rscope trace stats` prints: counts per kind and actor, event rate,
// drops, and per-request and per-hop latency percentiles from the flows. Memory: a few
// timestamps per flow. Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

struct LatencySummary
{
    std::string name;  // "request", "read->dispatch" ...
    uint64_t count = 0;
    double p50Us = 0;
    double p90Us = 0;
    double p99Us = 0;
    double p999Us = 0;
    double maxUs = 0;
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
    std::vector<std::pair<std::string, uint64_t>> kinds;   // in kind-table order, seen only
    std::vector<std::pair<std::string, uint64_t>> actors;  // master, manager, reactor[i], worker[i]
    uint64_t flows = 0;
    // "request" (first read -> last reactor_write of a flow), then the hops.
    std::vector<LatencySummary> latencies;
};

TraceStats computeTraceStats(const std::string& path,
                             const std::function<void(const Problem&)>& onProblem);

// Nearest-rank percentiles (p50 p90 p99 p999 max) of nanosecond values; sorts values.
LatencySummary summarizeLatencies(std::string name, std::vector<int64_t>& valuesNs);

std::string formatStats(const TraceStats& stats);
nlohmann::json statsToJson(const TraceStats& stats);

}  // namespace rscope::tracefile
