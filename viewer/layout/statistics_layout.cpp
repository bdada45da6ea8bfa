// Statistics tab geometry: tables on top (with task workers, a second row of them: the task
// workers, the tasks each event worker dispatched), then requests/s across the width, pipe depths
// and bytes side by side, and one histogram per hop along the bottom. Sizes follow the font so the
// tab reads at any DPI.
#include "viewer/layout/statistics_layout.h"

#include <algorithm>
#include <cstdio>

#include "viewer/layout/layout_text.h"
#include "viewer/model/architecture_state.h"

namespace rscope::viewer
{

namespace
{

// Boxes are outlines on the cleared canvas: a filled box is one more blended layer per pixel,
// which llvmpipe pays for on every frame.
constexpr Color kBoxFill = 0;
constexpr Color kBoxBorder = rgba(70, 82, 104);

NodeRecord box(std::string id, std::string role, std::string title, RectF rect)
{
    NodeRecord n;
    n.id = std::move(id);
    n.role = std::move(role);
    n.title = std::move(title);
    n.rect = rect;
    n.fill = kBoxFill;
    n.border = kBoxBorder;
    return n;
}

std::string formatCount(double v)
{
    char buf[32];
    if (v < 10000)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (v < 1e6)
        std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
    return buf;
}

// Per second, for a Count channel's busiest bucket.
double maxRate(const TimeSeries& s, size_t channel)
{
    return s.buckets() ? s.maxValue(channel) * 1e9 / static_cast<double>(s.widthNs()) : 0.0;
}

// The task workers (tasks run, onTask time) left, under the workers; the tasks each event worker
// dispatched right, under the reactors. Task workers are listed by their worker id.
void layoutTaskTables(const trace::TaskTally& tasks, const RectF& row, float workersW, float gap,
                      DrawList& out)
{
    NodeRecord run = box("task_workers", "table", "Task workers at the cursor",
                         {row.x, row.y, workersW - gap / 2, row.h});
    for (size_t i = 0; i < tasks.taskWorkers().size(); ++i)
    {
        const trace::TaskWorkerFigures& t = tasks.taskWorkers()[i];
        std::string line = "task_worker[" +
                           std::to_string(tasks.workerNum() + static_cast<int>(i)) + "] tasks " +
                           std::to_string(t.tasks);
        if (t.tasks > 0)
            line += ", onTask p50 " + formatDurationNs(t.onTask.percentileNs(50)) + ", p99 " +
                    formatDurationNs(t.onTask.percentileNs(99)) + ", max " +
                    formatDurationNs(t.onTask.maxNs());
        run.lines.push_back(std::move(line));
    }
    out.nodes.push_back(std::move(run));
    NodeRecord sent = box("task_dispatch", "table", "Tasks dispatched by event workers",
                          {row.x + workersW + gap / 2, row.y, row.w - workersW - gap / 2, row.h});
    for (size_t w = 0; w < tasks.callers().size(); ++w)
    {
        const trace::TaskCallerFigures& d = tasks.callers()[w];
        sent.lines.push_back("worker[" + std::to_string(w) + "] dispatched " +
                             std::to_string(d.dispatched) + ": to an idle task worker " +
                             std::to_string(d.toIdle) + ", all busy " + std::to_string(d.toBusy));
    }
    out.nodes.push_back(std::move(sent));
}

}  // namespace

Color seriesColor(int index)
{
    static const Color kPalette[] = {rgba(110, 170, 240), rgba(240, 170, 80),  rgba(120, 210, 140),
                                     rgba(230, 110, 130), rgba(180, 140, 240), rgba(90, 210, 210),
                                     rgba(230, 220, 100), rgba(200, 160, 130)};
    return kPalette[static_cast<size_t>(std::max(index, 0)) % std::size(kPalette)];
}

RectF statisticsPlotArea(const NodeRecord& node, float fontSize)
{
    // Title row, then a row of text (maxima, legend; for histograms two rows of counts and
    // percentiles), the drawing, and a row of axis labels under it.
    float top = fontSize * (node.role == "histogram" ? 4.0f : 2.8f);
    float bottom = fontSize * 1.4f, pad = fontSize * 0.5f;
    return RectF{node.rect.x + pad, node.rect.y + top, std::max(1.0f, node.rect.w - 2 * pad),
                 std::max(1.0f, node.rect.h - top - bottom)};
}

float seriesX(const TimeSeries& series, const RectF& area, int64_t tsNs)
{
    double span = static_cast<double>(series.widthNs()) * static_cast<double>(series.buckets());
    if (span <= 0) return area.x;
    double t = static_cast<double>(tsNs - series.originNs()) / span;
    return area.x + area.w * static_cast<float>(std::clamp(t, 0.0, 1.0));
}

int64_t seriesNsAt(const TimeSeries& series, const RectF& area, float x)
{
    double span = static_cast<double>(series.widthNs()) * static_cast<double>(series.buckets());
    double t = std::clamp(static_cast<double>((x - area.x) / area.w), 0.0, 1.0);
    return series.originNs() + static_cast<int64_t>(t * span);
}

void histogramRange(const LatencyHistogram& whole, size_t& first, size_t& end)
{
    first = end = 0;
    for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i)
        if (whole.bucket(i) > 0)
        {
            if (end == 0) first = i;
            end = i + 1;
        }
}

DrawList layoutStatistics(const StatisticsLayoutInput& in)
{
    DrawList out;
    out.picture = "statistics";
    out.canvas = in.canvas;
    const float f = in.fontSize, gap = f * 0.6f;
    const RectF c{in.canvas.x + gap, in.canvas.y + gap, in.canvas.w - 2 * gap,
                  in.canvas.h - 2 * gap};
    if (!in.stats || !in.state || in.stats->processed() == 0)
    {
        out.labels.push_back(LabelRecord{
            "no statistics: no events yet", {c.x + f, c.y + f}, rgba(170, 180, 195), "empty"});
        return out;
    }
    const TraceStatistics& st = *in.stats;
    const TimeSeries& s = st.series();
    const StatisticsChannels& ch = st.channels();
    const ArchitectureState& state = *in.state;

    // Row heights: the tables as tall as their rows (capped), then the series plots side by
    // side, then the histograms, which need the most height (bars plus two lines of text).
    size_t eventWorkers = static_cast<size_t>(
        std::count_if(state.workers().begin(), state.workers().end(),
                      [&](const WorkerState& w) { return !st.isTaskWorkerId(w.index); }));
    size_t rows = std::max(eventWorkers, state.reactors().size());
    float lineH = f * 1.45f;
    const trace::TaskTally& tasks = in.tasks ? *in.tasks : st.tasks();
    bool hasTasks = st.tasks().hasTaskWorkers();
    // Four workers (the article's) fit whole in a 1024x700 window's canvas. Task workers add a
    // second row of tables: each row then gets at most 27 % of the height (two workers and two
    // task workers still fit whole there), and the plots and histograms shrink first.
    float tablesH =
        std::min(lineH * static_cast<float>(rows + 2) + f * 0.5f, c.h * (hasTasks ? 0.27f : 0.38f));
    float taskTablesH = 0;
    if (hasTasks)
    {
        size_t taskRows = std::max(tasks.taskWorkers().size(), tasks.callers().size());
        taskTablesH = std::min(lineH * static_cast<float>(taskRows + 2) + f * 0.5f, c.h * 0.27f);
    }
    // A small canvas shrinks the plots rather than letting them leave it.
    float rest = std::max(1.0f, c.h - tablesH - 2 * gap - (hasTasks ? taskTablesH + gap : 0.0f));
    float seriesH = rest * 0.47f, histH = rest - seriesH - gap;

    float y = c.y;
    float workersW = c.w * 0.56f;
    NodeRecord workers =
        box("workers", "table", "Workers at the cursor", {c.x, y, workersW - gap / 2, tablesH});
    int64_t elapsed = std::max<int64_t>(1, std::max(in.cursorNs, state.nowNs()) - s.originNs());
    for (const WorkerState& w : state.workers())
    {
        if (st.isTaskWorkerId(w.index)) continue;  // in the task workers' table
        int64_t busy = state.busyNs(w, std::max(in.cursorNs, state.nowNs()));
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.2f %%", 100.0 * static_cast<double>(busy) / elapsed);
        workers.lines.push_back("worker[" + std::to_string(w.index) + "] requests " +
                                std::to_string(w.requests) + ", busy " + formatDurationNs(busy) +
                                " (" + pct + ")");
    }
    out.nodes.push_back(std::move(workers));
    NodeRecord reactors = box("reactors", "table", "Reactor threads at the cursor",
                              {c.x + workersW + gap / 2, y, c.w - workersW - gap / 2, tablesH});
    for (const ReactorState& r : state.reactors())
        reactors.lines.push_back("reactor[" + std::to_string(r.index) + "] connections " +
                                 std::to_string(r.connections) + ", read " +
                                 formatBytes(static_cast<int64_t>(r.bytesRead)) + ", written " +
                                 formatBytes(static_cast<int64_t>(r.bytesWritten)));
    out.nodes.push_back(std::move(reactors));
    y += tablesH + gap;
    if (hasTasks)
    {
        layoutTaskTables(tasks, {c.x, y, c.w, taskTablesH}, workersW, gap, out);
        y += taskTablesH + gap;
    }

    float plotW = (c.w - 2 * gap) / 3;
    size_t requestsNode = out.nodes.size();
    NodeRecord requests =
        box("plot:requests", "plot", "Requests/s (onReceive returned)", {c.x, y, plotW, seriesH});
    requests.lines = {"max " + formatRate(maxRate(s, ch.requests)),
                      std::to_string(st.requests()) + " in the trace",
                      formatDurationNs(s.widthNs()) + " buckets"};
    out.nodes.push_back(std::move(requests));

    NodeRecord depth = box("plot:pipe_depth", "plot", "Pipe depth (messages waiting)",
                           {c.x + plotW + gap, y, plotW, seriesH});
    for (size_t w = 0; w < ch.pipeDepth.size(); ++w)
        depth.lines.push_back("worker[" + std::to_string(w) + "] max " +
                              formatCount(s.maxValue(ch.pipeDepth[w])));
    out.nodes.push_back(std::move(depth));
    NodeRecord bytes = box("plot:bytes", "plot", "Bytes/s per reactor",
                           {c.x + 2 * (plotW + gap), y, c.w - 2 * (plotW + gap), seriesH});
    for (size_t r = 0; r < ch.bytesRead.size(); ++r)
        bytes.lines.push_back(
            "reactor[" + std::to_string(r) + "] read max " +
            formatBytes(static_cast<int64_t>(maxRate(s, ch.bytesRead[r]))) + "/s, written max " +
            formatBytes(static_cast<int64_t>(maxRate(s, ch.bytesWritten[r]))) + "/s");
    out.nodes.push_back(std::move(bytes));
    y += seriesH + gap;

    // One histogram per hop, left to right in the order a request takes them.
    const size_t hops = static_cast<size_t>(RequestHop::Count);
    float histW = (c.w - gap * static_cast<float>(hops - 1)) / static_cast<float>(hops);
    for (size_t h = 0; h < hops; ++h)
    {
        const char* name = hopName(static_cast<RequestHop>(h));
        NodeRecord n = box(std::string("hist:") + name, "histogram", name,
                           {c.x + static_cast<float>(h) * (histW + gap), y, histW, histH});
        const LatencyHistogram& hist = in.histograms ? (*in.histograms)[h] : st.histograms()[h];
        n.lines = {"n " + std::to_string(hist.count())};
        if (hist.count() > 0)
            for (int p : {50, 90, 99})
                n.lines.push_back("p" + std::to_string(p) + " " +
                                  formatDurationNs(hist.percentileNs(p)));
        out.nodes.push_back(std::move(n));
    }

    // The cursor's time over the series plots (the painter draws the marker line).
    out.labels.push_back(
        LabelRecord{formatDurationNs(std::max<int64_t>(0, in.cursorNs - s.originNs())),
                    {seriesX(s, statisticsPlotArea(out.nodes[requestsNode], f), in.cursorNs),
                     out.nodes[requestsNode].rect.y},
                    rgba(255, 220, 120),
                    "cursor"});
    return out;
}

}  // namespace rscope::viewer
