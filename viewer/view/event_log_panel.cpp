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
    ImGui::Columns(3, nullptr, false);
    for (size_t k = 0; k < static_cast<size_t>(EventKind::Count); ++k)
    {
        ImGui::PushID(static_cast<int>(k));
        bool shown = !filter.hiddenKinds.test(k);
        if (ImGui::Checkbox(trace::kindInfo(static_cast<EventKind>(k)).name, &shown))
            filter.hiddenKinds.set(k, !shown);
        ImGui::PopID();
        ImGui::NextColumn();
    }
    ImGui::Columns(1);
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
    char label[32];
    std::snprintf(label, sizeof label, "%zu", index);
    ImGui::PushID(static_cast<int>(index));
    if (ImGui::Selectable(
            label, ctx.view.selectedEvent == static_cast<int64_t>(index),
            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
    {
        out.push_back(
            Command::make(Command::Type::SelectEvent).withIndex(static_cast<int64_t>(index)));
        if (e.session != 0)
            out.push_back(Command::make(Command::Type::SelectSession).withSession(e.session));
        out.push_back(
            Command::make(Command::Type::SeekEvent).withIndex(static_cast<int64_t>(index)));
    }
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(formatOffsetNs(e.tsNs - store.firstNs()).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(store.actorOf(e).name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(eventTitle(store, index).c_str());
    ImGui::TableNextColumn();
    if (e.session != 0) ImGui::Text("%lld", static_cast<long long>(e.session));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(trace::kindInfo(e.kind).historicFn);
    ImGui::TableNextColumn();
    std::string details = compactArgs(store.args(e));
    std::string_view payload = store.payload(e);
    if (!payload.empty()) details += "  \"" + readablePayload(payload) + '"';
    ImGui::TextUnformatted(details.c_str());
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

void drawEventLogPanel(const RectF& window, FrameContext& ctx, Commands& out)
{
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
    if (ImGui::BeginTable("events", 7, kFlags, ImGui::GetContentRegionAvail()))
    {
        float fs = ImGui::GetFontSize();
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, fs * 3.2f);
        ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, fs * 7.0f);
        ImGui::TableSetupColumn("actor", ImGuiTableColumnFlags_WidthFixed, fs * 5.5f);
        ImGui::TableSetupColumn("event", ImGuiTableColumnFlags_WidthFixed, fs * 12.0f);
        ImGui::TableSetupColumn("session", ImGuiTableColumnFlags_WidthFixed, fs * 3.8f);
        ImGui::TableSetupColumn("function", ImGuiTableColumnFlags_WidthFixed, fs * 14.0f);
        ImGui::TableSetupColumn("details", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();

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
