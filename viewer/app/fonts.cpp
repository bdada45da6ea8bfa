// DejaVu Sans (Latin, arrows, geometric shapes for the transport buttons) with WenQuanYi Micro
// Hei merged in for Simplified Chinese.
#include "viewer/app/fonts.h"

#include <sys/stat.h>

#include <cstdio>

#include <imgui.h>

namespace rscope::viewer
{

namespace
{

constexpr const char* kLatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kCjkFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

bool fileExists(const char* path)
{
    struct stat st;
    return ::stat(path, &st) == 0;
}

// Latin-1, general punctuation (…, •), arrows, box drawing and geometric shapes (▶ ◀ ●),
// dingbats (❚ for pause). Static: the atlas keeps the pointer until it is built.
const ImWchar kLatinRanges[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x2190, 0x21FF,
                                0x2500, 0x25FF, 0x2700, 0x27BF, 0};

}  // namespace

bool loadFonts(float pixelSize)
{
    ImGuiIO& io = ImGui::GetIO();
    if (!fileExists(kLatinFont))
    {
        std::fprintf(stderr, "rscope-viewer: font %s missing; using the built-in font\n",
                     kLatinFont);
        io.Fonts->AddFontDefault();
        return false;
    }
    ImFontConfig latin;
    latin.OversampleH = 2;
    io.Fonts->AddFontFromFileTTF(kLatinFont, pixelSize, &latin, kLatinRanges);
    if (!fileExists(kCjkFont))
    {
        std::fprintf(stderr, "rscope-viewer: font %s missing; Chinese text will not render\n",
                     kCjkFont);
        return false;
    }
    ImFontConfig cjk;
    cjk.MergeMode = true;
    // Thousands of glyphs: no horizontal oversampling keeps the atlas small and quick to build.
    cjk.OversampleH = 1;
    cjk.PixelSnapH = true;
    cjk.FontNo = 0;
    io.Fonts->AddFontFromFileTTF(kCjkFont, pixelSize, &cjk,
                                 io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    return true;
}

}  // namespace rscope::viewer
