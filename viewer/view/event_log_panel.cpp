// The event log: a table of events (time, actor, event, session, function, details) through
// ImGuiListClipper, filtered by kind, actor, session and text; it follows the playback cursor,
// and a row click selects that event and its session and moves the cursor there.
#include <algorithm>
#include <cstdio>

#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll (public only from 1.87)

#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/panels.h"
#include "viewer/view/text_format.h"

namespace rscope::viewer
{

namespace
{

void kindFilterPopup(EventFilter& filter)
{
    size_t hidden = filter.hiddenKinds.count();
    char label[64];
    if (hidden == 0)
        std::snprintf(label, sizeof label, "all kinds###kinds");
    else
        std::snprintf(label, sizeof label, "%zu kinds hidden###kinds", hidden);
    if (ImGui::Button(label)) ImGui::OpenPopup("kindPopup");
    if (!ImGui::BeginPopup("kindPopup")) return;
    if (ImGui::SmallButton("show all")) filter.hiddenKinds.reset();
    ImGui::SameLine();
    if (ImGui::SmallButton("hide all")) filter.hiddenKinds.set();
    ImGui::Separator();
    // A fixed-fit table sizes each column to its widest name and the popup to the table, so no
    // label is cut (legacy Columns split a width the auto-sized popup did not have yet).
    if (ImGui::BeginTable("kindTable", 3, ImGuiTableFlags_SizingFixedFit))
    {
        for (size_t k = 0; k < static_cast<size_t>(EventKind::Count); ++k)
        {
            ImGui::TableNextColumn();
            ImGui::PushID(static_cast<int>(k));
            const trace::KindInfo& info = trace::kindInfo(static_cast<EventKind>(k));
            bool shown = !filter.hiddenKinds.test(k);
            if (ImGui::Checkbox(info.name, &shown)) filter.hiddenKinds.set(k, !shown);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", info.historicFn);
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    ImGui::EndPopup();
}

void actorFilterCombo(const TraceStore& store, EventFilter& filter)
{
    const auto& actors = store.actors();
    const char* current = filter.actor >= 0 && static_cast<size_t>(filter.actor) < actors.size()
                              ? actors[filter.actor].name.c_str()
                              : "any actor";
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (!ImGui::BeginCombo("##actor", current)) return;
    if (ImGui::Selectable("any actor", filter.actor < 0)) filter.actor = -1;
    for (size_t i = 0; i < actors.size(); ++i)
    {
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::Selectable(actors[i].name.c_str(), filter.actor == static_cast<int>(i)))
            filter.actor = static_cast<int>(i);
        ImGui::PopID();
    }
    ImGui::EndCombo();
}

void filterBar(FrameContext& ctx)
{
    ViewState& view = ctx.view;
    float fs = ImGui::GetFontSize();
    kindFilterPopup(view.filter);
    ImGui::SameLine();
    actorFilterCombo(ctx.store, view.filter);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(fs * 6);
    long long session = view.filter.session;
    if (ImGui::InputScalar("##session", ImGuiDataType_S64, &session, nullptr, nullptr,
                           session ? "session %lld" : "any session"))
        view.filter.session = std::max(0LL, session);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Only this session (0 = any)");
    ImGui::SameLine();
    ImGui::BeginDisabled(view.selectedSession == 0);
    if (ImGui::Button("selected")) view.filter.session = view.selectedSession;
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::SetNextItemWidth(fs * 14);
    if (ImGui::InputTextWithHint("##search", "search kind, fn, args, payload", view.searchText,
                                 sizeof view.searchText))
        view.filter.text = view.searchText;
    recordWidget(view, "log_search");
    ImGui::SameLine();
    if (!view.filter.empty() && ImGui::Button("clear"))
    {
        view.filter = EventFilter{};
        view.searchText[0] = '\0';
    }
    ImGui::SameLine();
    ImGui::Checkbox("follow cursor", &view.logFollowsCursor);
    ImGui::SameLine();
    bool filtered = !view.filteredFor.empty();
    size_t rows = filtered ? view.filtered.size() : ctx.store.size();
    ImGui::TextDisabled("%zu of %zu events", rows, ctx.store.size());
}

// A cell's text; when the column is too narrow for it, hovering shows all of it.
void cellText(const std::string& text)
{
    float room = ImGui::GetContentRegionAvail().x;
    ImGui::TextUnformatted(text.c_str());
    if (ImGui::CalcTextSize(text.c_str()).x > room && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", text.c_str());
}

ImU32 rowColor(const FrameContext& ctx, size_t index, const Event& e)
{
    size_t pos = ctx.playback.position();
    if (pos > 0 && index == pos - 1) return IM_COL32(150, 110, 30, 190);  // newest at the cursor
    if (ctx.view.selectedEvent == static_cast<int64_t>(index)) return IM_COL32(40, 90, 150, 200);
    if (ctx.view.selectedSession != 0 && e.session == ctx.view.selectedSession)
        return IM_COL32(40, 70, 110, 110);
    return 0;
}

void eventRow(FrameContext& ctx, size_t index, Commands& out)
{
    const TraceStore& store = ctx.store;
    const Event& e = store[index];
    ImGui::TableNextRow();
    if (ImU32 bg = rowColor(ctx, index, e)) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, bg);
    bool future = index >= ctx.playback.position();
    if (future) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.55f);

    ImGui::TableNextColumn();
    std::string label = eventNumber(index);
    ImGui::PushID(static_cast<int>(index));
    if (ImGui::Selectable(
            label.c_str(), ctx.view.selectedEvent == static_cast<int64_t>(index),
            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
    {
        out.push_back(
            Command::make(Command::Type::SelectEvent).withIndex(static_cast<int64_t>(index)));
        if (e.session != 0)
            out.push_back(Command::make(Command::Type::SelectSession).withSession(e.session));
        out.push_back(
            Command::make(Command::Type::SeekEvent).withIndex(static_cast<int64_t>(index)));
    }
    recordRowOfLastItem(ctx.view.eventLogRows, static_cast<int64_t>(index));
    ImGui::PopID();
    ImGui::TableNextColumn();
    cellText(formatOffsetNs(e.tsNs - store.firstNs(), store.lastNs() - store.firstNs()));
    ImGui::TableNextColumn();
    cellText(store.actorOf(e).name);
    ImGui::TableNextColumn();
    cellText(eventTitle(store, index));
    ImGui::TableNextColumn();
    if (e.session != 0) cellText(std::to_string(e.session));
    ImGui::TableNextColumn();
    cellText(eventFn(e));
    ImGui::TableNextColumn();
    std::string details = compactArgs(store.args(e));
    std::string_view payload = store.payload(e);
    if (!payload.empty()) details += "  \"" + readablePayload(payload) + '"';
    cellText(details);
    if (future) ImGui::PopStyleVar();
}

// Scrolls the newest event at the cursor to the middle after each cursor move. Called just
// before BeginTable: the scroll is handed to the table's child window as it begins
// (SetNextWindowScroll), so this very frame shows the row, not the next one. The request is
// repeated for a few frames: a table that has never been drawn does not know its height yet and
// clamps the scroll to 0 (the first frames of a window, a tab just opened).
void followCursor(FrameContext& ctx, bool filtered, float rowHeight)
{
    constexpr int kFollowFrames = 3;
    ViewState& view = ctx.view;
    size_t pos = ctx.playback.position();
    if (!view.logFollowsCursor || pos == 0) return;
    if (pos != view.followedPosition)
    {
        view.followedPosition = pos;
        view.followFramesLeft = kFollowFrames;
    }
    if (view.followFramesLeft <= 0) return;
    --view.followFramesLeft;
    size_t target = pos - 1;
    size_t row = target;
    if (filtered)
    {
        auto it = std::lower_bound(view.filtered.begin(), view.filtered.end(),
                                   static_cast<uint32_t>(target));
        row = static_cast<size_t>(it - view.filtered.begin());
    }
    float visible = ImGui::GetContentRegionAvail().y - rowHeight;  // minus the frozen header
    float scroll = static_cast<float>(row) * rowHeight - (visible - rowHeight) / 2;
    ImGui::SetNextWindowScroll(ImVec2(-1.0f, std::max(0.0f, scroll)));
}

}  // namespace

void recordRowOfLastItem(std::vector<ScreenRow>& rows, int64_t id)
{
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float top = std::max(a.y, dl->GetClipRectMin().y);
    float bottom = std::min(b.y, dl->GetClipRectMax().y);
    if (bottom - top < (b.y - a.y) * 0.5f) return;  // mostly hidden: not a place to click
    rows.push_back(ScreenRow{id, a.x, top, b.x - a.x, bottom - top});
}

void recordWidget(ViewState& view, const char* name)
{
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    view.widgets.push_back(ScreenWidget{name, a.x, a.y, b.x - a.x, b.y - a.y});
}

void drawEventLogPanel(const RectF& window, FrameContext& ctx, Commands& out)
{
    ctx.view.eventLogRows.clear();
    if (!ctx.view.showEventLog) return;
    ImGui::SetNextWindowPos(ImVec2(window.x, window.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(window.w, window.h), ImGuiCond_Always);
    ImGui::Begin("Event log", &ctx.view.showEventLog, kTiledWindowFlags);
    drawPanelFrame();
    filterBar(ctx);

    const TraceStore& store = ctx.store;
    bool filtered = !ctx.view.filteredFor.empty();
    size_t rows = filtered ? ctx.view.filtered.size() : store.size();
    constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                       ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                       ImGuiTableFlags_SizingFixedFit;
    float rowHeight = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
    followCursor(ctx, filtered, rowHeight);
    // Columns as wide as their widest text (the trace's largest event number, its last time,
    // its actor names, the longest kind and function), so nothing is cut at 1024 px; details
    // take the rest and a hover shows a cut cell whole. A new digit in the event count makes a
    // new table id, so the widths follow a growing live trace.
    std::string lastNumber = eventNumber(std::max<size_t>(store.size(), 1) - 1);
    char tableId[32];
    std::snprintf(tableId, sizeof tableId, "events##%zu", lastNumber.size());
    if (ImGui::BeginTable(tableId, 7, kFlags, ImGui::GetContentRegionAvail()))
    {
        float fs = ImGui::GetFontSize();
        float cell = ImGui::GetStyle().CellPadding.x * 2 + fs * 0.3f;
        auto width = [&](const std::string& text) { return ImGui::CalcTextSize(text.c_str()).x; };
        float actorWidth = width("actor");
        for (const Actor& a : store.actors()) actorWidth = std::max(actorWidth, width(a.name));
        float kindWidth = width("event"), fnWidth = width("function");
        for (size_t k = 0; k < static_cast<size_t>(EventKind::Count); ++k)
        {
            const trace::KindInfo& info = trace::kindInfo(static_cast<EventKind>(k));
            kindWidth = std::max(kindWidth, width(info.name));
            fnWidth = std::max(fnWidth, width(info.historicFn));
        }
        // A title adds a callback or a pipe message type: "callback_enter onReceive".
        kindWidth += width(" RECV_DATA");
        int64_t span = store.size() ? store.lastNs() - store.firstNs() : 0;
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, width(lastNumber) + cell);
        ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed,
                                width(formatOffsetNs(span, span)) + cell);
        ImGui::TableSetupColumn("actor", ImGuiTableColumnFlags_WidthFixed, actorWidth + cell);
        ImGui::TableSetupColumn("event", ImGuiTableColumnFlags_WidthFixed, kindWidth + cell);
        ImGui::TableSetupColumn("session", ImGuiTableColumnFlags_WidthFixed,
                                width("session") + cell);
        ImGui::TableSetupColumn("function", ImGuiTableColumnFlags_WidthFixed, fnWidth + cell);
        ImGui::TableSetupColumn("details", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
        for (int column = 0; column < 7; ++column)
        {
            ImGui::TableSetColumnIndex(column);
            ImGui::TableHeader(ImGui::TableGetColumnName(column));
            if (column == 0 && ImGui::IsItemHovered())
                ImGui::SetTooltip(
                    "Event number: #1 is the recording's first event (the timeline and the\n"
                    "details count the same way). It is the server's seq unless the recording\n"
                    "missed events (joined mid-stream, drops): the details then show both.");
        }

        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(rows), rowHeight);
        while (clipper.Step())
        {
            for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row)
            {
                size_t index = filtered ? ctx.view.filtered[row] : static_cast<size_t>(row);
                if (index < store.size()) eventRow(ctx, index, out);
            }
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

}  // namespace rscope::viewer
