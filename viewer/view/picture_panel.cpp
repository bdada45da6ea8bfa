// The picture window: one tab bar over the architecture, the startup call flow, the per-request
// sequence diagram and the statistics, so a learner switches pictures without losing the cursor
// or the selection (every tab reads the same FrameContext). Under the architecture, one line
// says in plain words what the cursor's newest event did, with the live pace's controls.
#include <algorithm>
#include <cstdio>
#include <iterator>

#include <imgui.h>

#include "engine/tutorial/lesson.h"
#include "viewer/model/hop_caption.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{
struct TabInfo
{
    PictureTab tab;
    const char* name;   // --picture and the layout dump
    const char* label;  // the tab's text
};
constexpr TabInfo kTabs[] = {
    {PictureTab::Architecture, "architecture", "Architecture"},
    {PictureTab::Startup, "startup", "Startup call flow"},
    {PictureTab::Sequence, "sequence", "Sequence"},
    {PictureTab::Statistics, "stats", "Statistics"},
};

// The caption of the cursor's newest event (the lesson's language, else English) and, live,
// the teaching pace switch, how far the cursor is behind the newest event and a jump to it.
void captionLine(const RectF& line, FrameContext& ctx, Commands& out)
{
    const float fs = ImGui::GetFontSize();
    ImGui::SetCursorScreenPos(ImVec2(line.x + fs * 0.4f, line.y));
    const Playback& pb = ctx.playback;
    const size_t pos = std::min(pb.position(), ctx.store.size());
    bool zh = ctx.tutorial != nullptr && ctx.tutorial->lang() == tutorial::Lang::Zh;
    float right = line.x + line.w;
    if (ctx.source.isLive)
    {
        // Right-aligned, laid out from the right edge: [N events behind live] [Jump] [x] pace.
        const char* paceLabel = zh ? "教学节奏" : "teaching pace";
        float boxW = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                     ImGui::CalcTextSize(paceLabel).x;
        right -= boxW + fs * 0.4f;
        ImGui::SetCursorScreenPos(ImVec2(right, line.y));
        bool paced = pb.livePaced() && pb.mode() == PaceMode::EventPace;
        if (ImGui::Checkbox(paceLabel, &paced))
            out.push_back(Command::make(Command::Type::SetLivePace).withValue(paced ? 1 : 0));
        recordWidget(ctx.view, "live_pace");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(zh ? "实时事件按教学节奏逐个播放，来不及播放的先排队"
                                 : "Live events play one at a time at the teaching pace; "
                                   "what comes faster waits in a buffer");
        size_t behind = pb.behindLive(ctx.store);
        if (behind > 0)
        {
            const char* jump = zh ? "跳到最新" : "Jump to live";
            float jumpW = ImGui::CalcTextSize(jump).x + ImGui::GetStyle().FramePadding.x * 2;
            right -= jumpW + fs * 0.4f;
            ImGui::SetCursorScreenPos(ImVec2(right, line.y));
            if (ImGui::Button(jump)) out.push_back(Command::make(Command::Type::GoLive));
            recordWidget(ctx.view, "jump_to_live");
            char text[64];
            std::snprintf(text, sizeof text, zh ? "落后实时 %zu 个事件" : "%zu events behind live",
                          behind);
            right -= ImGui::CalcTextSize(text).x + fs * 0.4f;
            ImGui::SetCursorScreenPos(ImVec2(right, line.y + ImGui::GetStyle().FramePadding.y));
            ImGui::TextColored(ImVec4(0.98f, 0.75f, 0.3f, 1.0f), "%s", text);
        }
    }
    if (pos == 0) return;
    std::string caption = hopCaption(ctx.store, pos - 1, zh ? CaptionLang::Zh : CaptionLang::En);
    char prefix[48];
    std::snprintf(prefix, sizeof prefix, zh ? "事件 #%zu：" : "event #%zu: ", pos);
    caption.insert(0, prefix);
    ImVec2 textPos(line.x + fs * 0.4f, line.y + ImGui::GetStyle().FramePadding.y);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(ImVec2(line.x, line.y),
                     ImVec2(std::max(line.x, right - fs * 0.4f), line.y + line.h), true);
    dl->AddText(textPos, ImGui::GetColorU32(ImGuiCol_Text), caption.c_str());
    dl->PopClipRect();
}

}  // namespace

const char* pictureTabName(PictureTab tab)
{
    for (const TabInfo& t : kTabs)
        if (t.tab == tab) return t.name;
    return "architecture";
}

bool pictureTabByName(std::string_view name, PictureTab& out)
{
    for (const TabInfo& t : kTabs)
        if (name == t.name)
        {
            out = t.tab;
            return true;
        }
    return false;
}

RectF beginPicturePanel(const RectF& window, FrameContext& ctx, Commands& out)
{
    ImGui::SetNextWindowPos(ImVec2(window.x, window.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(window.w, window.h), ImGuiCond_Always);
    // The tab bar is the window's header: a title bar above it would only repeat its text.
    ImGui::Begin("Pictures", nullptr,
                 kTiledWindowFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar |
                     ImGuiWindowFlags_NoScrollWithMouse);
    drawPanelFrame();
    ViewState& view = ctx.view;
    if (ImGui::BeginTabBar("##pictures"))
    {
        for (const TabInfo& t : kTabs)
        {
            ImGuiTabItemFlags flags = 0;
            if (view.pictureTabRequested && view.pictureTab == t.tab)
                flags |= ImGuiTabItemFlags_SetSelected;
            if (ImGui::BeginTabItem(t.label, nullptr, flags))
            {
                // A request is honoured on the frame its tab reports selected; until then ImGui's
                // own choice must not overwrite it.
                if (!view.pictureTabRequested || view.pictureTab == t.tab)
                {
                    view.pictureTab = t.tab;
                    view.pictureTabRequested = false;
                }
                ImGui::EndTabItem();
            }
        }
        ImGui::EndTabBar();
    }
    ImVec2 pos = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    RectF area{pos.x, pos.y, std::max(1.0f, avail.x), std::max(1.0f, avail.y)};
    if (view.pictureTab == PictureTab::Architecture && area.h > ImGui::GetFrameHeight() * 4)
    {
        // The caption's line comes off the bottom of the picture.
        float lineH = ImGui::GetFrameHeightWithSpacing();
        area.h -= lineH;
        captionLine(RectF{area.x, area.y + area.h, area.w, lineH}, ctx, out);
        ImGui::SetCursorScreenPos(pos);
    }
    return area;
}

void endPicturePanel()
{
    ImGui::End();
}

}  // namespace rscope::viewer
