// The statistics as JSON for --dump-layout and the tests: totals, hop percentiles at a cursor
// position and the shape of each time series. Plain function; no owner.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

namespace rscope::viewer
{

class TraceStatistics;

// {"processed", "requests", "open_flows",
//  "hops": {"read->dispatch": {"count", "p50_ns", "p90_ns", "p99_ns", "max_ns"}, ...} over
//          events [0, position),
//  "workers": [{"worker", "requests", "received", "busy_ns", "pipe_depth"}],
//  "reactors": [{"reactor", "connections", "reads", "bytes_read", "writes", "bytes_written"}],
//  "series": {"origin_ns", "width_ns", "buckets", "requests_max", "events_max",
//             "pipe_depth_max": [...], "bytes_read_max": [...], "bytes_written_max": [...]},
//  with task workers also, over events [0, position):
//  "task_workers": [{"worker", "tasks", "on_task": {"count", "p50_ns", "p90_ns", "p99_ns",
//                    "max_ns"}}],
//  "task_dispatch": [{"worker", "dispatched", "to_idle", "to_busy"}]}
nlohmann::json statisticsJson(const TraceStatistics& stats, size_t position);

}  // namespace rscope::viewer
