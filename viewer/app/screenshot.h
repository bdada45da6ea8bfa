// Reads rendered pixels and writes them as a PNG: the back buffer (headless --screenshot) or an
// offscreen picture (picture_export.cpp). Owner: the GUI thread, with the GL context current.
#pragma once

#include <string>

namespace rscope::viewer
{

// glReadPixels of the back buffer (width x height), flipped to top-down rows, written with
// stb_image_write. False with `error` set on failure.
bool writeScreenshot(const std::string& path, int width, int height, std::string& error);

// The same from the framebuffer bound for reading now (e.g. an FBO's colour attachment).
bool writeBoundFramebuffer(const std::string& path, int width, int height, std::string& error);

}  // namespace rscope::viewer
