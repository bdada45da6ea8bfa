// The architecture tab: the article's figure (clients, master with its reactors, manager,
// workers, pipes) painted from the layout's records, with the live connection state over it.
#include <imgui.h>

#include "viewer/model/activity.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/paint.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

// A notice in the canvas's top-right corner (source state, rate mode).
void paintCornerNotice(ImDrawList* dl, const RectF& canvas, float row, const char* text, ImU32 bg,
                       ImU32 fg)
{
    float fs = ImGui::GetFontSize();
    ImVec2 size = ImGui::CalcTextSize(text);
    float pad = fs * 0.4f;
    ImVec2 b(canvas.x + canvas.w - pad, canvas.y + pad + row * (size.y + 3 * pad));
    ImVec2 a(b.x - size.x - 2 * pad, b.y);
    dl->AddRectFilled(a, ImVec2(b.x, b.y + size.y + 2 * pad), bg, fs * 0.3f);
    dl->AddText(ImVec2(a.x + pad, a.y + pad), fg, text);
}

}  // namespace

void drawArchitectureTab(const DrawList& picture, FrameContext& ctx, Commands& out)
{
    const RectF& c = picture.canvas;
    // The canvas is one item, so the window does not scroll and clicks land here.
    ImGui::InvisibleButton("##canvas", ImVec2(c.w, c.h));
    bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    paintDrawList(dl, picture);

    float row = 0;
    const SourceInfo& src = ctx.source;
    if (src.isLive && src.liveStatus != LiveStatus::Connected)
    {
        std::string text = src.liveStatus == LiveStatus::Retrying
                               ? "disconnected, retrying " + src.address
                               : std::string(liveStatusName(src.liveStatus)) + " " + src.address;
        paintCornerNotice(dl, c, row++, text.c_str(), IM_COL32(200, 60, 50, 235),
                          IM_COL32(255, 255, 255, 255));
    }
    if (ctx.store.size() == 0 && !src.loading)
    {
        std::string hint = src.isLive
                               ? "Waiting for the trace of a server at " + src.address +
                                     " (rscope server --trace-listen " + src.address + ")"
                               : "No trace loaded: File > Open, or run with --replay FILE.jsonl";
        ImVec2 size = ImGui::CalcTextSize(hint.c_str());
        dl->AddText(ImVec2(c.x + (c.w - size.x) / 2, c.y + c.h * 0.8f),
                    IM_COL32(200, 206, 216, 255), hint.c_str());
    }
    handlePictureInput(picture, hovered, out);
}

}  // namespace rscope::viewer
