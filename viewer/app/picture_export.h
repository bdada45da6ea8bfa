// Renders one picture's draw records offscreen at the picture's own size (its canvas, which may
// be taller than the window: a long sequence diagram) and writes it as a PNG, for notes and blog
// posts. Owner: the GUI thread, inside a frame (ImGui's font is set), GL context current.
#pragma once

#include <string>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

// `picture` must be laid out on a canvas at (0, 0). Limits: 16384 px a side (GL's usual maximum).
bool exportPicturePng(const DrawList& picture, const std::string& path, std::string& error);

}  // namespace rscope::viewer
