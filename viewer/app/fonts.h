// Loads the UI font: DejaVu Sans with the symbols the panels use, and a CJK font merged in so
// Chinese renders. Owner: the GUI thread, once, before the first frame.
#pragma once

namespace rscope::viewer
{

// Adds the fonts to the current ImGui context's atlas at `pixelSize`. Missing font files fall
// back to ImGui's built-in font (with a message); returns false in that case.
bool loadFonts(float pixelSize);

}  // namespace rscope::viewer
