// Framebuffer -> PNG: GL rows run bottom-up, PNG rows top-down, so rows are flipped.
#include "viewer/app/screenshot.h"

#include <stb_image_write.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "viewer/app/gl.h"

namespace rscope::viewer
{

bool writeScreenshot(const std::string& path, int width, int height, std::string& error)
{
    glReadBuffer(GL_BACK);
    return writeBoundFramebuffer(path, width, height, error);
}

bool writeBoundFramebuffer(const std::string& path, int width, int height, std::string& error)
{
    if (width <= 0 || height <= 0)
    {
        error = "screenshot: empty framebuffer";
        return false;
    }
    std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    if (GLenum err = glGetError(); err != GL_NO_ERROR)
    {
        error = "screenshot: glReadPixels failed (GL error " + std::to_string(err) + ")";
        return false;
    }
    size_t stride = static_cast<size_t>(width) * 3;
    std::vector<unsigned char> row(stride);
    for (int y = 0; y < height / 2; ++y)
    {
        unsigned char* top = pixels.data() + stride * y;
        unsigned char* bottom = pixels.data() + stride * (height - 1 - y);
        std::memcpy(row.data(), top, stride);
        std::memcpy(top, bottom, stride);
        std::memcpy(bottom, row.data(), stride);
    }
    errno = 0;
    if (!stbi_write_png(path.c_str(), width, height, 3, pixels.data(), static_cast<int>(stride)))
    {
        error = "screenshot: cannot write " + path +
                (errno ? ": " + std::string(std::strerror(errno)) : "");
        return false;
    }
    return true;
}

}  // namespace rscope::viewer
