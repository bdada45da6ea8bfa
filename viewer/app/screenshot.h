// Reads the rendered back buffer and writes it as a PNG (headless --screenshot).
// Owner: the GUI thread, with the GL context current, after rendering and before the swap.
#pragma once

#include <string>

namespace rscope::viewer
{

// glReadPixels of the back buffer (width x height), flipped to top-down rows, written with
// stb_image_write. False with `error` set on failure.
bool writeScreenshot(const std::string& path, int width, int height, std::string& error);

}  // namespace rscope::viewer
