// The startup tab: the seed article's startup call graph, its steps lighting up as the cursor
// passes their events. Hover shows a step's call chain and rule; a click on a lit step moves
// the cursor to the event that lit it.
#include <algorithm>

#include <imgui.h>

#include "viewer/layout/startup_layout.h"
#include "viewer/model/playback.h"
#include "viewer/model/startup_flow.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/paint.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

DrawList paintStartup(StartupLayoutInput& in, FrameContext& ctx, Commands& out);

}  // namespace

DrawList drawStartupTab(const RectF& area, FrameContext& ctx, Commands& out)
{
    StartupLayoutInput in;
    in.store = &ctx.store;
    in.progress = ctx.startup;
    in.position = std::min(ctx.playback.position(), ctx.store.size());
    in.canvas = area;
    in.fontSize = ImGui::GetFontSize();
    in.selectedEvent = ctx.view.selectedEvent;
    in.highlightNodes = &ctx.view.highlightNodes;
    in.highlightEdges = &ctx.view.highlightEdges;
    // Narrower than the step names need (a 1024 px window): the picture keeps its minimum width
    // in a child that scrolls sideways, rather than cut "swReactorThread_loop_stream".
    float minWidth = startupMinCanvasWidth(in);
    if (minWidth <= area.w) return paintStartup(in, ctx, out);
    ImGui::BeginChild("##startup_scroll", ImVec2(area.w, area.h), false,
                      ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoBackground);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    in.canvas = {origin.x, origin.y, minWidth, area.h - ImGui::GetStyle().ScrollbarSize};
    DrawList picture = paintStartup(in, ctx, out);
    ImGui::EndChild();
    return picture;
}

namespace
{

DrawList paintStartup(StartupLayoutInput& in, FrameContext& ctx, Commands& out)
{
    DrawList picture = layoutStartup(in);
    const RectF& area = in.canvas;

    // The canvas is one item, so the window does not scroll and clicks land here.
    ImGui::InvisibleButton("##startup_canvas", ImVec2(area.w, area.h));
    // Read before the tooltip below opens a window of its own.
    bool hovered = ImGui::IsItemHovered();
    bool clicked = hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left);
    paintDrawList(ImGui::GetWindowDrawList(), picture);
    handlePictureInput(picture, hovered, out);

    // Clicks on steps are this tab's own (the shared input handler knows tokens and clients).
    if (ctx.startup == nullptr || !clicked) return picture;
    ImVec2 mouse = ImGui::GetMousePos();
    HitResult hit = hitTest(picture, {mouse.x, mouse.y});
    if (hit.node == nullptr) return picture;
    StartupStepId step = startupStepOfNode(hit.node->id);
    if (step == StartupStepId::Count) return picture;
    size_t event = ctx.startup->eventToShow(step, in.position);
    if (event == StartupProgress::kNone) return picture;
    out.push_back(Command::make(Command::Type::SelectEvent).withIndex(static_cast<int64_t>(event)));
    out.push_back(Command::make(Command::Type::SeekEvent).withIndex(static_cast<int64_t>(event)));
    return picture;
}

}  // namespace

}  // namespace rscope::viewer
