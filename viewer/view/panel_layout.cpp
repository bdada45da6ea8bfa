// The fixed window layout: architecture top left, details top right, timeline and event log at
// the bottom, all computed from the viewport and the font each frame (ImGuiCond_Always); their
// frames.
#include <algorithm>

#include <imgui.h>

#include "viewer/view/panels.h"

namespace rscope::viewer
{

PanelRects computePanelRects(float x, float y, float w, float h, float menuBarHeight,
                             float fontSize, const ViewState& view)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    float frame = fontSize + style.FramePadding.y * 2;
    // Transport row, scrubber, density strip, status line (see timeline_panel.cpp).
    float timelineH = frame * 2 + fontSize * 1.3f + fontSize + style.ItemSpacing.y * 3 +
                      style.WindowPadding.y * 2;
    float top = y + menuBarHeight;
    float rest = std::max(fontSize * 10, h - menuBarHeight - timelineH);
    float logH = view.showEventLog ? std::max(fontSize * 9, rest * 0.34f) : 0.0f;
    float pictureH = std::max(fontSize * 6, rest - logH);
    float detailsW = view.showDetails ? std::clamp(w * 0.26f, fontSize * 18, fontSize * 30) : 0;
    // A lesson's text reads badly in a narrow column: the column widens while one is open.
    if (view.tutorialOpen) detailsW = std::clamp(w * 0.3f, fontSize * 20, fontSize * 34);

    PanelRects r;
    r.architecture = {x, top, w - detailsW, pictureH};
    r.details = {x + w - detailsW, top, view.showDetails ? detailsW : 0, pictureH};
    if (view.tutorialOpen)
    {
        // The tutorial above, the details of what it points at below.
        float tutorialH = view.showDetails ? std::max(fontSize * 14, pictureH * 0.72f) : pictureH;
        tutorialH = std::min(tutorialH, pictureH);
        r.tutorial = {x + w - detailsW, top, detailsW, tutorialH};
        r.details = {x + w - detailsW, top + tutorialH, view.showDetails ? detailsW : 0,
                     pictureH - tutorialH};
    }
    r.timeline = {x, top + pictureH, w, timelineH};
    r.eventLog = {x, top + pictureH + timelineH, w,
                  std::max(0.0f, h - (pictureH + timelineH + menuBarHeight))};
    return r;
}

void drawPanelFrame()
{
    ImVec2 a = ImGui::GetWindowPos();
    ImVec2 b(a.x + ImGui::GetWindowWidth(), a.y + ImGui::GetWindowHeight());
    // Drawn on the window's own list without its clip rect, so the edge pixels are covered.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(a, b, false);
    dl->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_Border), 0.0f, 0, 1.0f);
    dl->PopClipRect();
}

}  // namespace rscope::viewer
