// The picture window: one tab bar over the architecture, the startup call flow, the per-request
// sequence diagram and the statistics, so a learner switches pictures without losing the cursor
// or the selection (every tab reads the same FrameContext).
#include <algorithm>
#include <iterator>

#include <imgui.h>

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

RectF beginPicturePanel(const RectF& window, FrameContext& ctx)
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
    return RectF{pos.x, pos.y, std::max(1.0f, avail.x), std::max(1.0f, avail.y)};
}

void endPicturePanel()
{
    ImGui::End();
}

}  // namespace rscope::viewer
