// DejaVu Sans (Latin, arrows, geometric shapes for the transport buttons) with WenQuanYi Micro
// Hei merged in for Chinese: the common simplified set plus every character the lessons and the
// UI's own strings use, so no lesson word renders as a box.
#include "viewer/app/fonts.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include <imgui.h>

#include "viewer/model/bundled_files.h"

namespace rscope::viewer
{

namespace
{

namespace fs = std::filesystem;

constexpr const char* kLatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kCjkFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

// Files larger than this under tutorials/ are not lesson text (none is near it).
constexpr uintmax_t kMaxLessonFileBytes = 4u << 20;

bool fileExists(const char* path)
{
    struct stat st;
    return ::stat(path, &st) == 0;
}

// Latin-1, general punctuation (…, •, “”), arrows, box drawing and geometric shapes (▶ ◀ ●),
// dingbats (❚ for pause, ✓). Static: the atlas keeps the pointer for its whole life.
const ImWchar kLatinRanges[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x2190, 0x21FF,
                                0x2500, 0x25FF, 0x2700, 0x27BF, 0};

// CJK punctuation (、。「」) and full-width forms (，：（）！？), which Chinese text mixes in.
const ImWchar kCjkPunctuationRanges[] = {0x3000, 0x303F, 0xFF00, 0xFFEF, 0};

// The Chinese of the viewer's own strings (the tutorial panel's labels, the architecture
// legend); fonts_test scans the sources and fails when a string uses a character that neither
// this set nor the common range holds.
constexpr const char* kUiChinese =
    "中文一上下之事仍件做制前务后器回在完实已录待成按放时有服本查检步没点的看等读课跳达过重骤崩溃";

// The glyph ranges of the merged CJK font. Static: the atlas keeps the pointer for its life;
// rebuilt only by loadFonts (one atlas per process, built on the GUI thread).
ImVector<ImWchar>& cjkRanges()
{
    static ImVector<ImWchar> ranges;
    return ranges;
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string lessonText()
{
    std::string text;
    std::error_code ec;
    for (const std::string& root : bundledRoots())
    {
        fs::path dir = fs::path(root) / "tutorials";
        if (!fs::is_directory(dir, ec)) continue;
        for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        {
            if (!it->is_regular_file(ec) || it->file_size(ec) > kMaxLessonFileBytes) continue;
            text += readFile(it->path());
            text += '\n';
        }
    }
    return text;
}

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
    // The common set has ~2500 characters; lessons use rarer ones (函, 琥珀): add what they use
    // rather than all 21k ideographs, which would make the atlas 8x bigger and slow to build.
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    builder.AddRanges(kCjkPunctuationRanges);
    builder.AddText(kUiChinese);
    std::string lessons = lessonText();
    builder.AddText(lessons.data(), lessons.data() + lessons.size());
    ImVector<ImWchar>& ranges = cjkRanges();
    ranges.clear();
    builder.BuildRanges(&ranges);

    ImFontConfig cjk;
    cjk.MergeMode = true;
    // Thousands of glyphs: no horizontal oversampling keeps the atlas small and quick to build.
    cjk.OversampleH = 1;
    cjk.PixelSnapH = true;
    cjk.FontNo = 0;
    io.Fonts->AddFontFromFileTTF(kCjkFont, pixelSize, &cjk, ranges.Data);
    return true;
}

}  // namespace rscope::viewer
