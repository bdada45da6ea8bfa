// Offscreen export: the records are painted into a draw list of their own (not a window's, so
// nothing clips them to the screen), rendered by the OpenGL backend into a framebuffer object of
// the picture's size, and read back.
#include "viewer/app/picture_export.h"

#include <algorithm>
#include <cmath>

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include "viewer/app/gl.h"
#include "viewer/app/screenshot.h"
#include "viewer/view/paint.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{
constexpr int kMaxSide = 16384;

// Owns the GL objects of one export so every return path releases them.
struct OffscreenTarget
{
    GLuint fbo = 0;
    GLuint color = 0;
    GLint previousFbo = 0;
    ~OffscreenTarget()
    {
        glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previousFbo));
        if (color) glDeleteRenderbuffers(1, &color);
        if (fbo) glDeleteFramebuffers(1, &fbo);
    }
};
}  // namespace

bool exportPicturePng(const DrawList& picture, const std::string& path, std::string& error)
{
    int width = static_cast<int>(std::ceil(picture.canvas.w));
    int height = static_cast<int>(std::ceil(picture.canvas.h));
    if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide)
    {
        error = "export: a " + std::to_string(width) + "x" + std::to_string(height) +
                " picture cannot be rendered (1 to 16384 px a side)";
        return false;
    }
    OffscreenTarget target;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &target.previousFbo);
    glGenFramebuffers(1, &target.fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, target.fbo);
    glGenRenderbuffers(1, &target.color);
    glBindRenderbuffer(GL_RENDERBUFFER, target.color);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, target.color);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    {
        error = "export: cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
                " offscreen framebuffer";
        return false;
    }
    glViewport(0, 0, width, height);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(kCanvasBackground.x, kCanvasBackground.y, kCanvasBackground.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);

    ImDrawList dl(ImGui::GetDrawListSharedData());
    dl._ResetForNewFrame();
    dl.PushTextureID(ImGui::GetIO().Fonts->TexID);
    dl.PushClipRect(ImVec2(0, 0), ImVec2(static_cast<float>(width), static_cast<float>(height)));
    paintDrawList(&dl, picture);
    dl.PopClipRect();
    dl.PopTextureID();

    ImDrawList* lists[] = {&dl};
    ImDrawData data;
    data.Valid = true;
    data.CmdLists = lists;
    data.CmdListsCount = 1;
    data.TotalVtxCount = dl.VtxBuffer.Size;
    data.TotalIdxCount = dl.IdxBuffer.Size;
    data.DisplayPos = ImVec2(0, 0);
    data.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    data.FramebufferScale = ImVec2(1, 1);
    ImGui_ImplOpenGL3_RenderDrawData(&data);

    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    return writeBoundFramebuffer(path, width, height, error);
}

}  // namespace rscope::viewer
