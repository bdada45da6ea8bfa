// Lays out the statistics tab: where the per-worker and per-reactor tables, the time-series plots
// and the per-hop latency histograms go, and what each shows in words (titles, maxima,
// percentiles) for the layout dump. The painter fills the plots from the series themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "viewer/layout/draw_records.h"
#include "viewer/model/trace_statistics.h"

namespace rscope::viewer
{

class ArchitectureState;
class TraceStore;

struct StatisticsLayoutInput
{
    const TraceStatistics* stats = nullptr;     // null: a "no data" picture
    const ArchitectureState* state = nullptr;   // the counters at the cursor
    const HopHistograms* histograms = nullptr;  // per-hop histograms at the cursor
    RectF canvas;
    int64_t cursorNs = 0;
    float fontSize = 13.0f;
    const trace::TaskTally* tasks = nullptr;  // task figures at the cursor (null: all events)
};

// Node ids: "workers", "reactors" (the tables), with task workers "task_workers" and
// "task_dispatch" (tables under them), "plot:requests", "plot:pipe_depth", "plot:bytes",
// "hist:<hopName>" (one per hop). Each node's `lines` say what it shows.
DrawList layoutStatistics(const StatisticsLayoutInput& in);

// The drawing area of a plot or histogram node: its rect below the title line.
RectF statisticsPlotArea(const NodeRecord& node, float fontSize);
// Where the cursor falls in a series plot (x in screen coordinates), clamped to the area.
float seriesX(const TimeSeries& series, const RectF& area, int64_t tsNs);
// The trace time under x in a series plot.
int64_t seriesNsAt(const TimeSeries& series, const RectF& area, float x);
// A stable colour per worker / reactor index, the same in every plot.
Color seriesColor(int index);
// Histogram bucket range shown (first and one past the last bucket with samples over the whole
// trace, so the axis stays put while the cursor moves); [0, 0) when empty.
void histogramRange(const LatencyHistogram& whole, size_t& first, size_t& end);

}  // namespace rscope::viewer
