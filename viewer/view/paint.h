// Paints plain draw records (viewer/layout) into an ImDrawList and hit-tests them for hover
// tooltips and clicks. Paint only walks the records; it decides nothing about the model.
// Owner: the GUI thread.
#pragma once

#include <imgui.h>

#include "viewer/layout/draw_records.h"
#include "viewer/view/commands.h"

namespace rscope::viewer
{

struct HitResult
{
    const TokenRecord* token = nullptr;  // tokens win over nodes, nodes over edges
    const NodeRecord* node = nullptr;    // the innermost node under the point
    const EdgeRecord* edge = nullptr;
    bool empty() const { return !token && !node && !edge; }
};

// Records are in screen coordinates (the layout was given the canvas in screen space).
void paintDrawList(ImDrawList* drawList, const DrawList& list);

HitResult hitTest(const DrawList& list, Vec2f point);

// Hover tooltip for what is under the mouse, and clicks: a token selects its request
// (session) and event, a client node its session, a sequence message its session and event and
// moves the cursor there. `canvasHovered` is ImGui::IsItemHovered() read right after the
// canvas's InvisibleButton: on the frame of a click that button becomes the active item, and
// from then on IsWindowHovered() says false, so the window cannot be asked instead.
void handlePictureInput(const DrawList& list, bool canvasHovered, Commands& out);

// Readable text colour for a fill (dark on light fills, light on dark ones).
ImU32 textColorOn(Color fill);

}  // namespace rscope::viewer
