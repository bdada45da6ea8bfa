// The statistics tab: tables of the workers, reactor threads and task workers at the cursor
// (statistics_tables.cpp), requests/s, pipe depths and bytes/s over the whole trace with the
// cursor marked (click or drag to seek), and one latency histogram per hop at the cursor. Reads
// TraceStatistics only: nothing here scans the trace, a frame costs the plots' few hundred buckets
// and at most one keyframe's worth of adds.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <imgui.h>

#include "viewer/layout/layout_text.h"
#include "viewer/layout/statistics_layout.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_statistics.h"
#include "viewer/view/panels.h"
#include "viewer/view/statistics_tables.h"

namespace rscope::viewer
{

namespace
{

constexpr ImU32 kTitleColor = IM_COL32(215, 222, 235, 255);
constexpr ImU32 kDimText = IM_COL32(150, 160, 178, 255);
constexpr ImU32 kCursorColor = IM_COL32(255, 220, 120, 230);
constexpr ImU32 kGridColor = IM_COL32(60, 70, 88, 255);

ImVec2 v(float x, float y)
{
    return ImVec2(x, y);
}

ImU32 withAlpha(Color c, uint8_t alpha)
{
    return (c & 0x00FFFFFFu) | (static_cast<ImU32>(alpha) << 24);
}

void paintBox(ImDrawList* dl, const NodeRecord& n, float f)
{
    const RectF& r = n.rect;
    if ((n.fill >> 24) != 0)
        dl->AddRectFilled(v(r.x, r.y), v(r.x + r.w, r.y + r.h), n.fill, f * 0.3f);
    dl->AddRect(v(r.x, r.y), v(r.x + r.w, r.y + r.h), n.border, f * 0.3f);
    dl->AddText(v(r.x + f * 0.5f, r.y + f * 0.25f), kTitleColor, n.title.c_str());
}

// Text right-aligned at (right, y).
void textRight(ImDrawList* dl, float right, float y, ImU32 col, const std::string& text)
{
    ImVec2 size = ImGui::CalcTextSize(text.c_str());
    dl->AddText(v(right - size.x, y), col, text.c_str());
}

// A series as a polyline scaled to maxY. Under llvmpipe each segment costs triangle setup, so
// buckets are merged (keeping each group's maximum, so peaks survive) to about one point per
// kPixelsPerPoint pixels.
constexpr float kPixelsPerPoint = 2.5f;
void plotLine(ImDrawList* dl, const RectF& a, const std::vector<double>& values, double maxY,
              ImU32 col, std::vector<ImVec2>& points)
{
    size_t n = values.size();
    if (n == 0 || maxY <= 0) return;
    size_t maxPoints = std::max<size_t>(16, static_cast<size_t>(a.w / kPixelsPerPoint));
    size_t group = (n + maxPoints - 1) / maxPoints;
    points.clear();
    for (size_t i = 0; i < n; i += group)
    {
        size_t end = std::min(n, i + group);
        double peak = *std::max_element(values.begin() + static_cast<std::ptrdiff_t>(i),
                                        values.begin() + static_cast<std::ptrdiff_t>(end));
        float x = a.x + a.w * (static_cast<float>(i + end) * 0.5f) / static_cast<float>(n);
        float t = static_cast<float>(std::min(1.0, peak / maxY));
        points.push_back(v(x, a.y + a.h - t * a.h));
    }
    if (points.size() == 1) points.push_back(v(a.x + a.w, points[0].y));
    dl->AddPolyline(points.data(), static_cast<int>(points.size()), col, 0, 1.0f);
}

enum class SeriesPlot
{
    Requests,
    PipeDepth,
    Bytes
};

// The bucket under the mouse, in words.
void seriesTooltip(const TraceStatistics& stats, SeriesPlot plot, size_t k)
{
    const TimeSeries& s = stats.series();
    const StatisticsChannels& ch = stats.channels();
    double perSec = 1e9 / static_cast<double>(s.widthNs());
    ImGui::BeginTooltip();
    ImGui::Text("+%s .. +%s", formatDurationNs(static_cast<int64_t>(k) * s.widthNs()).c_str(),
                formatDurationNs(static_cast<int64_t>(k + 1) * s.widthNs()).c_str());
    switch (plot)
    {
        case SeriesPlot::Requests:
            ImGui::Text("%s requests/s", formatRate(s.values(ch.requests)[k] * perSec).c_str());
            break;
        case SeriesPlot::PipeDepth:
            for (size_t w = 0; w < ch.pipeDepth.size(); ++w)
                ImGui::Text("worker[%zu]: up to %.0f messages waiting", w,
                            s.values(ch.pipeDepth[w])[k]);
            break;
        case SeriesPlot::Bytes:
            for (size_t r = 0; r < ch.bytesRead.size(); ++r)
                ImGui::Text(
                    "reactor[%zu]: read %s/s, written %s/s", r,
                    formatBytes(static_cast<int64_t>(s.values(ch.bytesRead[r])[k] * perSec))
                        .c_str(),
                    formatBytes(static_cast<int64_t>(s.values(ch.bytesWritten[r])[k] * perSec))
                        .c_str());
            break;
    }
    ImGui::TextDisabled("click or drag to move the cursor here");
    ImGui::EndTooltip();
}

// The cursor line and the time span, and input: hover describes the bucket, click or drag seeks.
void seriesFrame(ImDrawList* dl, const TraceStatistics& stats, SeriesPlot plot, const RectF& a,
                 const char* id, FrameContext& ctx, Commands& out)
{
    const TimeSeries& s = stats.series();
    float f = ImGui::GetFontSize();
    dl->AddLine(v(a.x, a.y + a.h), v(a.x + a.w, a.y + a.h), kGridColor);
    float x = seriesX(s, a, ctx.playback.cursorNs());
    dl->AddLine(v(x, a.y), v(x, a.y + a.h), kCursorColor, 1.5f);
    int64_t span = s.widthNs() * static_cast<int64_t>(s.buckets());
    dl->AddText(v(a.x, a.y + a.h + f * 0.15f), kDimText, "0");
    textRight(dl, a.x + a.w, a.y + a.h + f * 0.15f, kDimText, formatDurationNs(span));

    ImGui::SetCursorScreenPos(v(a.x, a.y));
    ImGui::InvisibleButton(id, v(a.w, a.h));
    if (s.buckets() == 0) return;
    float mx = ImGui::GetIO().MousePos.x;
    if (ImGui::IsItemActive())
        out.push_back(Command::make(Command::Type::SeekNs).withNs(seriesNsAt(s, a, mx)));
    else if (ImGui::IsItemHovered())
        seriesTooltip(
            stats, plot,
            std::min(s.buckets() - 1, static_cast<size_t>(std::max(0.0f, mx - a.x) / a.w *
                                                          static_cast<float>(s.buckets()))));
}

// The row between a plot's title and its drawing: `left` text, and a legend at the right.
void infoRow(ImDrawList* dl, const NodeRecord& n, const RectF& a, float f, const std::string& left,
             const char* prefix, size_t count)
{
    float y = n.rect.y + f * 1.4f;
    dl->AddText(v(a.x, y), kDimText, left.c_str());
    float x = a.x + a.w;
    for (size_t i = count; i-- > 0;)
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%zu", prefix, i);
        x -= ImGui::CalcTextSize(buf).x;
        dl->AddText(v(x, y), seriesColor(static_cast<int>(i)), buf);
        x -= f * 0.6f;
    }
}

// Percentile markers: one colour each, the same in the text and on the bars.
constexpr ImU32 kPercentileColor[] = {IM_COL32(255, 220, 120, 255), IM_COL32(255, 160, 80, 255),
                                      IM_COL32(240, 100, 100, 255)};
constexpr int kPercentiles[] = {50, 90, 99};

void paintHistogram(ImDrawList* dl, const NodeRecord& n, const RectF& bars,
                    const LatencyHistogram& whole, const LatencyHistogram& hist, float f)
{
    // Two rows of text: the count and p50, then p90 and p99, each percentile in its colour.
    float y1 = n.rect.y + f * 1.4f, y2 = y1 + f * 1.15f;
    // A percentile the card is too narrow for is not drawn cut: "…" says there is more, and
    // hovering the card lists them all.
    std::string count = "n " + std::to_string(hist.count());
    std::string all = count;
    dl->AddText(v(bars.x, y1), kDimText, count.c_str());
    bool cut = false;
    if (hist.count() > 0)
    {
        float x = bars.x + ImGui::CalcTextSize(count.c_str()).x + f;
        float right = n.rect.x + n.rect.w - f * 0.3f;
        for (int i = 0; i < 3; ++i)
        {
            std::string t = "p" + std::to_string(kPercentiles[i]) + " " +
                            formatDurationNs(hist.percentileNs(kPercentiles[i]));
            all += "  " + t;
            if (i == 1)
            {
                x = bars.x;
                y1 = y2;
            }
            float w = ImGui::CalcTextSize(t.c_str()).x;
            if (cut || x + w > right)
            {
                if (!cut) dl->AddText(v(std::min(x, right - f), y1), kDimText, "\xe2\x80\xa6");
                cut = true;
                continue;
            }
            dl->AddText(v(x, y1), kPercentileColor[i], t.c_str());
            x += w + f;
        }
    }
    ImVec2 mouse = ImGui::GetIO().MousePos;
    if (cut && ImGui::IsWindowHovered() && n.rect.contains({mouse.x, mouse.y}) &&
        !bars.contains({mouse.x, mouse.y}))
        ImGui::SetTooltip("%s: %s", n.title.c_str(), all.c_str());
    size_t first = 0, end = 0;
    histogramRange(whole, first, end);
    if (end <= first)
    {
        dl->AddText(v(bars.x, bars.y + f * 0.5f), kDimText, "no samples yet");
        return;
    }
    size_t count2 = end - first;
    uint64_t maxCount = 1;
    for (size_t i = first; i < end; ++i) maxCount = std::max(maxCount, hist.bucket(i));
    float bw = bars.w / static_cast<float>(count2);
    for (size_t i = first; i < end; ++i)
    {
        if (hist.bucket(i) == 0) continue;
        float bh = bars.h * static_cast<float>(hist.bucket(i)) / static_cast<float>(maxCount);
        float x = bars.x + bw * static_cast<float>(i - first);
        dl->AddRectFilled(v(x, bars.y + bars.h - std::max(1.0f, bh)),
                          v(x + std::max(1.0f, bw - 1), bars.y + bars.h),
                          IM_COL32(120, 200, 150, 220));
    }
    dl->AddLine(v(bars.x, bars.y + bars.h), v(bars.x + bars.w, bars.y + bars.h), kGridColor);
    if (hist.count() > 0)
        for (int i = 0; i < 3; ++i)
        {
            size_t b = LatencyHistogram::bucketOf(hist.percentileNs(kPercentiles[i]));
            b = std::clamp(b, first, end - 1);
            float x = bars.x + bw * (static_cast<float>(b - first) + 0.5f) + static_cast<float>(i);
            dl->AddLine(v(x, bars.y), v(x, bars.y + bars.h), kPercentileColor[i], 1.0f);
        }
    // The axis: the range of the buckets shown (log scale, 4 buckets per octave).
    float ya = bars.y + bars.h + f * 0.15f;
    dl->AddText(v(bars.x, ya), kDimText,
                formatDurationNs(LatencyHistogram::lowerNs(first)).c_str());
    int64_t upper = LatencyHistogram::upperNs(end - 1);
    textRight(dl, bars.x + bars.w, ya, kDimText,
              upper == INT64_MAX ? std::string("longer") : formatDurationNs(upper));

    // Hover: the bucket under the mouse.
    ImVec2 m = ImGui::GetIO().MousePos;
    if (ImGui::IsWindowHovered() && bars.contains({m.x, m.y}))
    {
        size_t b = first + std::min(count2 - 1, static_cast<size_t>((m.x - bars.x) / bw));
        int64_t hi = LatencyHistogram::upperNs(b);
        ImGui::BeginTooltip();
        ImGui::Text("%s .. %s: %llu of %llu requests",
                    formatDurationNs(LatencyHistogram::lowerNs(b)).c_str(),
                    hi == INT64_MAX ? "longer" : formatDurationNs(hi).c_str(),
                    static_cast<unsigned long long>(hist.bucket(b)),
                    static_cast<unsigned long long>(hist.count()));
        ImGui::TextDisabled("%s, up to the cursor; log scale, 4 buckets per octave",
                            n.title.c_str());
        ImGui::EndTooltip();
    }
}

// The hop a histogram node shows ("hist:<hopName>").
size_t hopOfNode(const NodeRecord& n)
{
    for (size_t h = 0; h < static_cast<size_t>(RequestHop::Count); ++h)
        if (n.id == std::string("hist:") + hopName(static_cast<RequestHop>(h))) return h;
    return 0;
}

}  // namespace

DrawList drawStatisticsTab(const RectF& area, FrameContext& ctx, Commands& out)
{
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float f = ImGui::GetFontSize();
    // No background: the app clears the picture's rectangle (blended fills cost under llvmpipe).

    HopHistograms atCursor;
    trace::TaskTally tasksAtCursor;
    const TraceStatistics* stats = ctx.stats;
    if (stats)
    {
        size_t position = std::min(ctx.playback.position(), stats->processed());
        stats->histogramsAt(position, atCursor);
        stats->tasksAt(position, tasksAtCursor);
    }
    StatisticsLayoutInput in;
    in.stats = stats;
    in.state = &ctx.state;
    in.histograms = &atCursor;
    in.tasks = &tasksAtCursor;
    in.canvas = area;
    in.cursorNs = ctx.playback.cursorNs();
    in.fontSize = f;
    DrawList list = layoutStatistics(in);
    if (!stats || list.nodes.empty())
    {
        for (const LabelRecord& l : list.labels)
            dl->AddText(v(l.pos.x, l.pos.y), l.color, l.text.c_str());
        ImGui::Dummy(v(area.w, area.h));
        return list;
    }

    const TimeSeries& s = stats->series();
    const StatisticsChannels& ch = stats->channels();
    std::vector<ImVec2> points;
    points.reserve(TimeSeries::kMaxBuckets + 1);
    for (const NodeRecord& n : list.nodes)
    {
        paintBox(dl, n, f);
        RectF a = statisticsPlotArea(n, f);
        if (n.id == "workers")
            statisticsWorkersTable(n.rect, ctx, f);
        else if (n.id == "reactors")
            statisticsReactorsTable(n.rect, ctx, f);
        else if (n.id == "task_workers")
            statisticsTaskWorkersTable(n.rect, tasksAtCursor, f);
        else if (n.id == "task_dispatch")
            statisticsTaskDispatchTable(n.rect, tasksAtCursor, f);
        else if (n.id == "plot:requests")
        {
            plotLine(dl, a, s.values(ch.requests), s.maxValue(ch.requests),
                     IM_COL32(110, 170, 240, 255), points);
            infoRow(dl, n, a, f, n.lines[0] + "   " + n.lines[1], "", 0);
            seriesFrame(dl, *stats, SeriesPlot::Requests, a, "##plot_requests", ctx, out);
        }
        else if (n.id == "plot:pipe_depth")
        {
            double maxY = 1;
            for (size_t c : ch.pipeDepth) maxY = std::max(maxY, s.maxValue(c));
            for (size_t w = 0; w < ch.pipeDepth.size(); ++w)
                plotLine(dl, a, s.values(ch.pipeDepth[w]), maxY,
                         withAlpha(seriesColor(static_cast<int>(w)), 220), points);
            char top[32];
            std::snprintf(top, sizeof top, "max %.0f", maxY);
            infoRow(dl, n, a, f, top, "w", ch.pipeDepth.size());
            seriesFrame(dl, *stats, SeriesPlot::PipeDepth, a, "##plot_depth", ctx, out);
        }
        else if (n.id == "plot:bytes")
        {
            double maxY = 1;
            for (size_t r = 0; r < ch.bytesRead.size(); ++r)
                maxY =
                    std::max({maxY, s.maxValue(ch.bytesRead[r]), s.maxValue(ch.bytesWritten[r])});
            for (size_t r = 0; r < ch.bytesRead.size(); ++r)
            {
                // Written first and faint, so read (bright) stays visible where they coincide.
                Color c = seriesColor(static_cast<int>(r));
                plotLine(dl, a, s.values(ch.bytesWritten[r]), maxY, withAlpha(c, 110), points);
                plotLine(dl, a, s.values(ch.bytesRead[r]), maxY, withAlpha(c, 230), points);
            }
            infoRow(dl, n, a, f,
                    "max " + formatBytes(static_cast<int64_t>(maxY * 1e9 / s.widthNs())) + "/s",
                    "r", ch.bytesRead.size());
            seriesFrame(dl, *stats, SeriesPlot::Bytes, a, "##plot_bytes", ctx, out);
        }
        else if (n.role == "histogram")
        {
            size_t h = hopOfNode(n);
            paintHistogram(dl, n, a, stats->histograms()[h], atCursor[h], f);
        }
    }
    return list;
}

}  // namespace rscope::viewer
