// Loads the UI font: DejaVu Sans with the symbols the panels use, and a CJK font merged in with
// every character the lessons and the UI use. Owner: the GUI thread, once, before the first frame.
#pragma once

#include <string>

namespace rscope::viewer
{

// Adds the fonts to the current ImGui context's atlas at `pixelSize`. Missing font files fall
// back to ImGui's built-in font (with a message); returns false in that case.
bool loadFonts(float pixelSize);

// Every file under <root>/tutorials of every bundledRoots() root, concatenated: the glyphs the
// lessons need.
std::string lessonText();

}  // namespace rscope::viewer
