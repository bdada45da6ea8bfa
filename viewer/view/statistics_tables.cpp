// The statistics tab's tables, painted as ImGui tables over their layout boxes: the workers and
// reactor threads (ArchitectureState at the cursor), the task workers and the tasks each event
// worker dispatched (TaskTally at the cursor).
#include "viewer/view/statistics_tables.h"

#include <algorithm>
#include <string>

#include <imgui.h>

#include "engine/format/task_tally.h"
#include "viewer/layout/layout_text.h"
#include "viewer/layout/statistics_layout.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_statistics.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

// A table column's header: its name, a shorter one for a narrow table, and what it counts.
struct Header
{
    const char* name;
    const char* shortName;
    const char* tip;
};

// The header row: full names when they all fit the table's width, else the short ones, so no
// header is cut at 1024 px; hovering a header spells it out.
template <size_t N>
void headerRow(const Header (&headers)[N], float tableWidth)
{
    float pad = ImGui::GetStyle().CellPadding.x * 2 + ImGui::GetFontSize() * 0.4f;
    float need = 0;
    for (const Header& h : headers) need += ImGui::CalcTextSize(h.name).x + pad;
    bool full = need <= tableWidth;
    for (const Header& h : headers) ImGui::TableSetupColumn(full ? h.name : h.shortName);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (size_t i = 0; i < N; ++i)
    {
        ImGui::TableSetColumnIndex(static_cast<int>(i));
        ImGui::TableHeader(full ? headers[i].name : headers[i].shortName);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", headers[i].name, headers[i].tip);
    }
}

constexpr Header kWorkerHeaders[] = {
    {"worker", "worker", "the worker process (its id, as in worker[2])"},
    {"state", "state", "at the cursor: starting, idle, busy in a callback, exited, killed"},
    {"requests", "req", "onReceive calls that returned, up to the cursor"},
    {"received", "recv", "messages taken from its pipe, up to the cursor"},
    {"busy", "busy", "time spent in callbacks, up to the cursor"},
    {"busy %", "%", "busy time over the trace time so far"},
};

constexpr Header kReactorHeaders[] = {
    {"reactor", "reactor", "the reactor thread of the master (its id, as in reactor[1])"},
    {"open conns", "conns", "connections it owns at the cursor (fd % reactor_num)"},
    {"bytes read", "read", "bytes read from its clients (read calls)"},
    {"bytes written", "written", "bytes written to its clients (write calls)"},
};

constexpr Header kTaskWorkerHeaders[] = {
    {"task worker", "task w", "the task worker process (its worker id, after the event workers')"},
    {"tasks", "tasks", "onTask calls that returned, up to the cursor"},
    {"onTask p50", "p50", "median onTask time (callback_exit duration_ns), log-bucket precision"},
    {"p90", "p90", "90th percentile of the onTask time"},
    {"p99", "p99", "99th percentile of the onTask time"},
    {"max", "max", "the longest onTask, exact"},
};

constexpr Header kTaskDispatchHeaders[] = {
    {"worker", "worker", "the event worker that called task()"},
    {"dispatched", "tasks", "task() calls up to the cursor (task_dispatch)"},
    {"to idle", "idle", "the task worker chosen was idle"},
    {"all busy", "busy", "every task worker was busy: the task waited in a pipe"},
};

// The table's frame inside a layout box, under its title; false when ImGui clips it away.
bool beginTable(const char* id, int columns, const RectF& r, float f)
{
    ImGui::SetCursorScreenPos(ImVec2(r.x + f * 0.4f, r.y + f * 1.5f));
    ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                            ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV;
    if (!ImGui::BeginTable(id, columns, flags, ImVec2(r.w - f * 0.8f, r.h - f * 1.9f)))
        return false;
    ImGui::TableSetupScrollFreeze(0, 1);
    return true;
}

}  // namespace

void statisticsWorkersTable(const RectF& r, FrameContext& ctx, float f)
{
    const ArchitectureState& st = ctx.state;
    int64_t now = std::max(ctx.playback.cursorNs(), st.nowNs());
    int64_t elapsed = ctx.stats ? std::max<int64_t>(1, now - ctx.stats->series().originNs()) : 1;
    if (!beginTable("##stats_workers", 6, r, f)) return;
    headerRow(kWorkerHeaders, r.w - f * 0.8f);
    for (const WorkerState& w : st.workers())
    {
        if (ctx.stats && ctx.stats->isTaskWorkerId(w.index)) continue;  // the task workers' table
        int64_t busy = st.busyNs(w, now);  // step mode's held time left out
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(seriesColor(w.index)), "worker[%d]",
                           w.index);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(workerStateName(w));
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(w.requests));
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(w.received));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(formatDurationNs(busy).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", 100.0 * static_cast<double>(busy) / static_cast<double>(elapsed));
    }
    ImGui::EndTable();
}

void statisticsReactorsTable(const RectF& r, FrameContext& ctx, float f)
{
    if (!beginTable("##stats_reactors", 4, r, f)) return;
    headerRow(kReactorHeaders, r.w - f * 0.8f);
    for (const ReactorState& rs : ctx.state.reactors())
    {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(seriesColor(rs.index)), "reactor[%d]",
                           rs.index);
        ImGui::TableNextColumn();
        ImGui::Text("%d", rs.connections);
        ImGui::TableNextColumn();
        ImGui::Text("%s (%llu)", formatBytes(static_cast<int64_t>(rs.bytesRead)).c_str(),
                    static_cast<unsigned long long>(rs.reads));
        ImGui::TableNextColumn();
        ImGui::Text("%s (%llu)", formatBytes(static_cast<int64_t>(rs.bytesWritten)).c_str(),
                    static_cast<unsigned long long>(rs.writes));
    }
    ImGui::EndTable();
}

void statisticsTaskWorkersTable(const RectF& r, const trace::TaskTally& tasks, float f)
{
    if (!beginTable("##stats_task_workers", 6, r, f)) return;
    headerRow(kTaskWorkerHeaders, r.w - f * 0.8f);
    for (size_t i = 0; i < tasks.taskWorkers().size(); ++i)
    {
        const trace::TaskWorkerFigures& t = tasks.taskWorkers()[i];
        int id = tasks.workerNum() + static_cast<int>(i);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(seriesColor(id)), "task_worker[%d]", id);
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(t.tasks));
        for (int p : {50, 90, 99})
        {
            ImGui::TableNextColumn();
            if (t.tasks > 0)
                ImGui::TextUnformatted(formatDurationNs(t.onTask.percentileNs(p)).c_str());
        }
        ImGui::TableNextColumn();
        if (t.tasks > 0) ImGui::TextUnformatted(formatDurationNs(t.onTask.maxNs()).c_str());
    }
    ImGui::EndTable();
}

void statisticsTaskDispatchTable(const RectF& r, const trace::TaskTally& tasks, float f)
{
    if (!beginTable("##stats_task_dispatch", 4, r, f)) return;
    headerRow(kTaskDispatchHeaders, r.w - f * 0.8f);
    for (size_t w = 0; w < tasks.callers().size(); ++w)
    {
        const trace::TaskCallerFigures& d = tasks.callers()[w];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(seriesColor(static_cast<int>(w))),
                           "worker[%zu]", w);
        for (uint64_t n : {d.dispatched, d.toIdle, d.toBusy})
        {
            ImGui::TableNextColumn();
            ImGui::Text("%llu", static_cast<unsigned long long>(n));
        }
    }
    ImGui::EndTable();
}

}  // namespace rscope::viewer
