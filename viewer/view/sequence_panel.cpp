// The sequence tab: a filterable session list (left) that selects the request everywhere, and
// the sequence diagram of the selected session, or of the sessions active at the cursor (right),
// which follows the cursor, scrolls, selects events on click and exports as PNG or Mermaid.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <imgui.h>

#include "viewer/layout/layout_text.h"
#include "viewer/layout/sequence_layout.h"
#include "viewer/model/playback.h"
#include "viewer/model/sequence_model.h"
#include "viewer/model/session_index.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/paint.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

// Messages in the diagram's window: a few screens of rows around the cursor.
constexpr size_t kWindowMessages = 240;
// Sessions drawn together when none is selected.
constexpr size_t kDefaultSessions = 4;

// The session list's columns: short headers (the list shares the tab with the diagram) and the
// tooltips that spell them out.
struct ListColumn
{
    const char* name;
    const char* tip;
};
constexpr ListColumn kListColumns[] = {
    {"session", "session id (swoole's $fd in user code); the swatch is its diagram colour"},
    {"fd", "the connection's file descriptor in the master process"},
    {"r", "reactor thread that owns the connection (fd % reactor_num)"},
    {"w", "worker of the latest dispatch"},
    {"state", "at the cursor: future, accepted, open, closing, closed (who closed it)"},
    {"req", "requests dispatched to a worker"},
    {"latency", "last request: read to the reply's write (hover a row for the maximum)"},
    {"peer", "client address"},
};

ImU32 stateColor(std::string_view state)
{
    if (state == "open") return IM_COL32(130, 220, 140, 255);
    if (state == "accepted") return IM_COL32(150, 200, 255, 255);
    if (state == "closing") return IM_COL32(255, 180, 90, 255);
    if (state == "closed") return IM_COL32(150, 155, 165, 255);
    return IM_COL32(110, 115, 125, 255);  // future
}

// The list's rows: every session for an empty filter, else the matches, rebuilt only when the
// filter text, the number of sessions or (a filter may name a state) the cursor changed.
void updateRows(const SessionIndex& index, ViewState& v, size_t position)
{
    std::string_view filter = v.sequenceFilter;
    if (filter.empty()) return;
    const auto& sessions = index.sessions();
    if (v.sequenceRowsFilter == filter && v.sequenceRowsSessions == sessions.size() &&
        v.sequenceRowsPosition == position)
        return;
    v.sequenceRows.clear();
    for (size_t i = 0; i < sessions.size(); ++i)
        if (SessionIndex::sessionMatches(sessions[i], filter, position))
            v.sequenceRows.push_back(static_cast<uint32_t>(i));
    v.sequenceRowsFilter = filter;
    v.sequenceRowsSessions = sessions.size();
    v.sequenceRowsPosition = position;
}

void drawSessionList(const SessionIndex& index, FrameContext& ctx, Commands& out)
{
    ViewState& v = ctx.view;
    size_t position = ctx.playback.position();
    const auto& sessions = index.sessions();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##seqfilter", "filter: session, fd, r0, w2, peer, open, closed...",
                             v.sequenceFilter, sizeof v.sequenceFilter);
    updateRows(index, v, position);
    bool filtered = v.sequenceFilter[0] != '\0';
    size_t rows = filtered ? v.sequenceRows.size() : sessions.size();
    auto sessionAt = [&](size_t row) -> const SessionSummary&
    { return sessions[filtered ? v.sequenceRows[row] : row]; };

    ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                            ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                            ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##sessions", IM_ARRAYSIZE(kListColumns), flags)) return;
    ImGui::TableSetupScrollFreeze(1, 1);
    for (const ListColumn& c : kListColumns) ImGui::TableSetupColumn(c.name);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (int i = 0; i < IM_ARRAYSIZE(kListColumns); ++i)
    {
        ImGui::TableSetColumnIndex(i);
        ImGui::TableHeader(kListColumns[i].name);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kListColumns[i].tip);
    }

    float rowH = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
    // A selection made elsewhere (picture, log, timeline) scrolls its row into view once.
    if (v.selectedSession != v.sequenceListScrolledTo)
    {
        v.sequenceListScrolledTo = v.selectedSession;
        for (size_t r = 0; r < rows && v.selectedSession != 0; ++r)
            if (sessionAt(r).session == v.selectedSession)
            {
                float y = rowH * static_cast<float>(r);
                float view = ImGui::GetWindowHeight() - rowH;
                float scroll = ImGui::GetScrollY();
                if (y < scroll || y + rowH > scroll + view)
                    ImGui::SetScrollY(std::max(0.0f, y - view / 2));
                break;
            }
    }

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows), rowH);
    char buf[64];
    while (clipper.Step())
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r)
        {
            const SessionSummary& s = sessionAt(static_cast<size_t>(r));
            ImGui::PushID(static_cast<int>(s.session));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            // The session's colour in the diagram, as a swatch before its id.
            ImVec2 p = ImGui::GetCursorScreenPos();
            float sw = ImGui::GetTextLineHeight() * 0.7f;
            float pad = (ImGui::GetTextLineHeight() - sw) / 2;
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + pad),
                                                      ImVec2(p.x + sw, p.y + pad + sw),
                                                      sessionColor(s.session), 2.0f);
            ImGui::SetCursorScreenPos(ImVec2(p.x + sw * 1.5f, p.y));
            std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(s.session));
            bool selected = s.session == v.selectedSession;
            if (ImGui::Selectable(buf, selected, ImGuiSelectableFlags_SpanAllColumns))
                out.push_back(Command::make(Command::Type::SelectSession)
                                  .withSession(selected ? 0 : s.session));
            recordRowOfLastItem(v.sessionListRows, s.session);
            ImGui::TableNextColumn();
            ImGui::Text("%d", s.fd);
            ImGui::TableNextColumn();
            ImGui::Text("%d", s.reactor);
            ImGui::TableNextColumn();
            if (s.worker >= 0)
                ImGui::Text("%d", s.worker);
            else
                ImGui::TextDisabled("-");
            ImGui::TableNextColumn();
            const char* state = SessionIndex::stateAt(s, position);
            ImGui::PushStyleColor(ImGuiCol_Text, stateColor(state));
            if (std::string_view(state) == "closed" && s.closer != Closer::None)
                ImGui::Text("closed (%s)", closerName(s.closer));
            else
                ImGui::TextUnformatted(state);
            ImGui::PopStyleColor();
            ImGui::TableNextColumn();
            ImGui::Text("%llu", static_cast<unsigned long long>(s.requests));
            ImGui::TableNextColumn();
            if (s.lastLatencyNs >= 0)
                ImGui::TextUnformatted(formatDurationNs(s.lastLatencyNs).c_str());
            else
                ImGui::TextDisabled("-");
            if (ImGui::IsItemHovered() && s.maxLatencyNs >= 0)
                ImGui::SetTooltip("last %s, max %s (read to reply)",
                                  formatDurationNs(s.lastLatencyNs).c_str(),
                                  formatDurationNs(s.maxLatencyNs).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(s.peer.empty() ? "?" : s.peer.c_str());
            ImGui::PopID();
        }
    ImGui::EndTable();
}

// The sessions the diagram shows: the selection, else those active at the cursor.
void chooseSessions(const SessionIndex& index, FrameContext& ctx, std::vector<int64_t>& out)
{
    out.clear();
    int64_t selected = ctx.view.selectedSession;
    size_t position = ctx.playback.position();
    if (selected != 0 && index.find(selected) != nullptr)
        out.push_back(selected);
    else
        index.sessionsActiveAround(ctx.store, position, kDefaultSessions, out);
    if (!out.empty()) return;
    // Before the first request (the startup): the next session to come, drawn as the future.
    const auto& sessions = index.sessions();
    auto next =
        std::partition_point(sessions.begin(), sessions.end(),
                             [&](const SessionSummary& s) { return s.firstEvent < position; });
    if (next != sessions.end()) out.push_back(next->session);
}

std::string diagramTitle(const ViewState& v, const SequenceModel& m)
{
    if (m.sessions.empty()) return "no session at the cursor";
    if (m.messages.empty() || m.messages.front().eventIndex >= v.sequenceCenter + 1)
    {
        if (v.selectedSession == 0)
            return "next: session " + std::to_string(m.sessions.front()) + " (not started yet)";
    }
    std::string ids;
    for (int64_t s : m.sessions) ids += (ids.empty() ? "" : ", ") + std::to_string(s);
    char buf[160];
    if (v.selectedSession != 0)
        std::snprintf(buf, sizeof buf, "session %s: %zu events", ids.c_str(), m.totalEvents);
    else
        std::snprintf(buf, sizeof buf, "at the cursor: session%s %s (pick one in the list)",
                      m.sessions.size() > 1 ? "s" : "", ids.c_str());
    return buf;
}

void mermaidModal(ViewState& v, Commands& out)
{
    if (v.sequenceMermaidModalRequested) ImGui::OpenPopup("Export Mermaid");
    v.sequenceMermaidModalRequested = false;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal("Export Mermaid", nullptr, ImGuiWindowFlags_AlwaysAutoResize))
        return;
    ImGui::TextUnformatted("Write the diagram as a Mermaid sequenceDiagram to:");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
    bool enter = ImGui::InputText("##mmdpath", v.sequenceMermaidPath, sizeof v.sequenceMermaidPath,
                                  ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button("Export") || enter)
    {
        out.push_back(
            Command::make(Command::Type::ExportSequenceMermaid).withText(v.sequenceMermaidPath));
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

DrawList drawDiagram(const SessionIndex& index, FrameContext& ctx, Commands& out)
{
    ViewState& v = ctx.view;
    float fs = ImGui::GetFontSize();
    size_t position = ctx.playback.position();
    chooseSessions(index, ctx, v.sequenceSessions);
    v.sequenceCenter = position > 0 ? position - 1 : 0;
    SequenceModel model =
        buildSequence(ctx.store, index, v.sequenceSessions, v.sequenceCenter, kWindowMessages);

    // Toolbar: follow, exports, then what is shown (clipped by the panel when long).
    if (v.sequenceFollow) ImGui::BeginDisabled();
    if (ImGui::Button("Follow cursor")) v.sequenceFollow = true;
    if (v.sequenceFollow) ImGui::EndDisabled();
    ImGui::SameLine();
    if (model.messages.empty()) ImGui::BeginDisabled();
    if (ImGui::Button("Export PNG")) v.exportPngModalRequested = true;
    ImGui::SameLine();
    if (ImGui::Button("Export Mermaid")) v.sequenceMermaidModalRequested = true;
    if (model.messages.empty()) ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::TextUnformatted(diagramTitle(v, model).c_str());
    mermaidModal(v, out);

    ImVec2 pos = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    RectF canvas{pos.x, pos.y, std::max(1.0f, avail.x), std::max(1.0f, avail.y)};
    ImGui::InvisibleButton("##seqcanvas", ImVec2(canvas.w, canvas.h));
    bool hovered = ImGui::IsItemHovered();

    // Scrolling: the wheel scrolls and stops following; a new selection, or the cursor moved
    // by hand (a step, a seek) while paused, follows again.
    if (v.sequenceFollowSelection != v.selectedSession)
    {
        v.sequenceFollowSelection = v.selectedSession;
        v.sequenceFollow = true;
    }
    if (v.sequenceFollowPosition != position)
    {
        if (!ctx.playback.playing()) v.sequenceFollow = true;
        v.sequenceFollowPosition = position;
    }
    float rowH = sequenceRowHeight(fs);
    if (hovered && ImGui::GetIO().MouseWheel != 0)
    {
        v.sequenceScrollY -= ImGui::GetIO().MouseWheel * rowH * 3;
        v.sequenceFollow = false;
    }
    if (v.sequenceFollow)
    {
        int row = sequenceNewestRow(model, position);
        v.sequenceScrollY =
            // Below the middle: the hops that led here matter more than the faded future.
            row < 0
                ? 0
                : sequenceRowY(model, static_cast<size_t>(row), fs, canvas.w) - canvas.h * 0.62f;
    }
    float maxScroll = std::max(0.0f, sequenceContentHeight(model, fs, canvas.w) - canvas.h);
    v.sequenceScrollY = std::clamp(v.sequenceScrollY, 0.0f, maxScroll);

    SequenceLayoutInput in;
    in.model = &model;
    in.canvas = canvas;
    in.fontSize = fs;
    in.position = position;
    in.selectedSession = v.selectedSession;
    in.selectedEvent = v.selectedEvent;
    in.scrollY = v.sequenceScrollY;
    DrawList list = layoutSequence(in);

    ImDrawList* dl = ImGui::GetWindowDrawList();
    paintDrawList(dl, list);
    // Where the view is in the window's rows: a thin bar on the right edge.
    if (maxScroll > 0)
    {
        float total = maxScroll + canvas.h;
        float top = canvas.y + canvas.h * (v.sequenceScrollY / total);
        float h = std::max(fs, canvas.h * (canvas.h / total));
        dl->AddRectFilled(ImVec2(canvas.x + canvas.w - fs * 0.35f, top),
                          ImVec2(canvas.x + canvas.w - fs * 0.1f, top + h),
                          IM_COL32(150, 160, 180, 120), fs * 0.12f);
    }
    size_t before = out.size();
    handlePictureInput(list, hovered, out);
    // A click on a message moves the cursor to it: follow it there.
    if (out.size() != before) v.sequenceFollow = true;
    return list;
}

// Between the session list and the diagram: drag to move the border, double-click to give the
// list its default width again.
void drawSplitter(float listW, float minListW, float maxListW, float h, float w, ViewState& v)
{
    ImGui::InvisibleButton("##seqsplit", ImVec2(w, h));
    bool hot = ImGui::IsItemHovered() || ImGui::IsItemActive();
    if (hot) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    if (ImGui::IsItemActive() && ImGui::GetIO().MouseDelta.x != 0)
        v.sequenceListWidth = std::clamp(listW + ImGui::GetIO().MouseDelta.x, minListW, maxListW);
    if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
        v.sequenceListWidth = 0;
    ImVec2 a = ImGui::GetItemRectMin();
    ImVec2 b = ImGui::GetItemRectMax();
    float x = (a.x + b.x) * 0.5f;
    ImGui::GetWindowDrawList()->AddLine(
        ImVec2(x, a.y), ImVec2(x, b.y),
        ImGui::GetColorU32(hot ? ImGuiCol_SeparatorActive : ImGuiCol_Separator), hot ? 2.0f : 1.0f);
    if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
        ImGui::SetTooltip("drag to resize the session list; double-click: default width");
}

}  // namespace

DrawList drawSequenceTab(const RectF& area, FrameContext& ctx, Commands& out)
{
    if (ctx.sessions == nullptr)
    {
        ImGui::TextDisabled("no session data");
        DrawList empty;
        empty.picture = "sequence";
        empty.canvas = area;
        return empty;
    }
    const SessionIndex& index = *ctx.sessions;
    ViewState& v = ctx.view;
    v.sessionListRows.clear();
    float fs = ImGui::GetFontSize();
    float splitW = std::max(4.0f, ImGui::GetStyle().ItemSpacing.x);
    // The list gets 30 % of the tab unless its splitter was dragged; the diagram keeps room for
    // a few lanes either way.
    float minListW = fs * 6;
    float maxListW = std::max(minListW, area.w - splitW - fs * 20);
    float listW =
        v.sequenceListWidth > 0 ? v.sequenceListWidth : std::clamp(area.w * 0.3f, fs * 14, fs * 32);
    listW = std::clamp(listW, minListW, maxListW);

    ImGui::BeginChild("##seqlist", ImVec2(listW, area.h), false);
    drawSessionList(index, ctx, out);
    ImGui::EndChild();
    ImGui::SameLine(0, 0);
    drawSplitter(listW, minListW, maxListW, area.h, splitW, v);
    ImGui::SameLine(0, 0);
    ImGui::BeginChild("##seqdiagram", ImVec2(std::max(1.0f, area.w - listW - splitW), area.h),
                      false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    DrawList list = drawDiagram(index, ctx, out);
    ImGui::EndChild();
    return list;
}

}  // namespace rscope::viewer
