// The UI font covers every character a learner can meet: each non-ASCII character of the lessons
// (tutorials/**) and of the viewer's string literals has a glyph in the atlas loadFonts builds.
// Building an atlas needs no window or GL context.
#include "viewer/app/fonts.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <imgui.h>

namespace rscope::viewer
{
namespace
{

namespace fs = std::filesystem;

std::string fileText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void appendUtf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else if (cp < 0x800)
    {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else if (cp < 0x10000)
    {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else
    {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Code points above ASCII in UTF-8 text, each with where it was first seen. Invalid bytes are
// recorded as U+FFFD so they fail the check too.
void collectCodePoints(const std::string& text, const std::string& where,
                       std::map<uint32_t, std::string>& out)
{
    for (size_t i = 0; i < text.size();)
    {
        auto c = static_cast<unsigned char>(text[i]);
        int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > text.size())
        {
            out.emplace(0xFFFD, where);
            ++i;
            continue;
        }
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        if (cp >= 0x80) out.emplace(cp, where);
        i += static_cast<size_t>(n);
    }
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The bytes of every string literal of a C++ source, escapes decoded ("\xe2\x96\xb6" is ▶);
// comments and character literals skipped. Enough C++ for our sources: no raw strings there.
std::string stringLiterals(const std::string& src)
{
    std::string out;
    size_t i = 0;
    while (i < src.size())
    {
        char c = src[i];
        if (c == '/' && i + 1 < src.size() && src[i + 1] == '/')
        {
            i = src.find('\n', i);
            if (i == std::string::npos) break;
            continue;
        }
        if (c == '/' && i + 1 < src.size() && src[i + 1] == '*')
        {
            i = src.find("*/", i + 2);
            if (i == std::string::npos) break;
            i += 2;
            continue;
        }
        if (c != '"' && c != '\'')
        {
            ++i;
            continue;
        }
        char quote = c;
        std::string literal;
        for (++i; i < src.size() && src[i] != quote; ++i)
        {
            if (src[i] != '\\' || i + 1 >= src.size())
            {
                literal += src[i];
                continue;
            }
            char e = src[++i];
            if (e == 'x')
            {
                int v = 0;
                while (i + 1 < src.size() && hexDigit(src[i + 1]) >= 0)
                    v = v * 16 + hexDigit(src[++i]);
                literal += static_cast<char>(v & 0xFF);
            }
            else if (e == 'u' || e == 'U')
            {
                uint32_t cp = 0;
                for (int k = 0; k < (e == 'u' ? 4 : 8) && i + 1 < src.size(); ++k)
                    cp = cp * 16 + static_cast<uint32_t>(std::max(0, hexDigit(src[++i])));
                appendUtf8(literal, cp);
            }
            else
                literal += ' ';  // \n \t \\ \" \0 ...: ASCII, not a glyph question
        }
        ++i;  // the closing quote
        if (quote == '"') out += literal + '\n';
    }
    return out;
}

std::map<uint32_t, std::string> charactersLearnersSee()
{
    std::map<uint32_t, std::string> chars;
    fs::path root = RSCOPE_SOURCE_DIR;
    for (const auto& entry : fs::recursive_directory_iterator(root / "tutorials"))
        if (entry.is_regular_file())
            collectCodePoints(fileText(entry.path()), entry.path().string(), chars);
    for (const char* dir : {"viewer", "engine/tutorial"})
        for (const auto& entry : fs::recursive_directory_iterator(root / dir))
        {
            std::string ext = entry.path().extension().string();
            if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
            collectCodePoints(stringLiterals(fileText(entry.path())), entry.path().string(), chars);
        }
    return chars;
}

class FontsTest : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        context_ = ImGui::CreateContext();
        loaded_ = loadFonts(16.0f);
        ImGuiIO& io = ImGui::GetIO();
        ASSERT_TRUE(io.Fonts->Build());
        font_ = io.Fonts->Fonts[0];
    }
    void TearDown() override { ImGui::DestroyContext(context_); }

    bool hasGlyph(uint32_t cp) const
    {
        if (cp > IM_UNICODE_CODEPOINT_MAX) return false;
        return font_->FindGlyphNoFallback(static_cast<ImWchar>(cp)) != nullptr;
    }

    ImGuiContext* context_ = nullptr;
    bool loaded_ = false;
    ImFont* font_ = nullptr;
};

TEST_F(FontsTest, EveryCharacterOfTheLessonsAndTheUiHasAGlyph)
{
    ASSERT_TRUE(loaded_) << "DejaVu Sans and WenQuanYi Micro Hei must be installed";
    std::map<uint32_t, std::string> chars = charactersLearnersSee();
    // The Chinese lessons alone use hundreds of characters: the scan found them.
    ASSERT_GT(chars.size(), 300u);
    std::string missing;
    int count = 0;
    for (const auto& [cp, where] : chars)
    {
        if (hasGlyph(cp)) continue;
        ++count;
        char buf[32];
        std::snprintf(buf, sizeof buf, "U+%04X '", cp);
        missing += buf;
        appendUtf8(missing, cp);
        missing += "' (" + where + ")\n";
    }
    EXPECT_EQ(count, 0) << "characters without a glyph (they render as boxes); a lesson's are "
                           "added by itself, a UI string's go into kUiChinese (fonts.cpp):\n"
                        << missing;
}

TEST_F(FontsTest, RareCharactersTheLessonsUseAreThere)
{
    // 函 (function) and 琥珀 (amber) are outside ImGui's common simplified set.
    for (uint32_t cp : {0x51FDu, 0x7425u, 0x73C0u, 0x25B6u, 0x275Au, 0x3002u, 0xFF0Cu})
        EXPECT_TRUE(hasGlyph(cp)) << std::hex << "U+" << cp;
}

TEST_F(FontsTest, CharactersNoLessonUsesAreNotInTheAtlas)
{
    // The check can fail: 龘 (U+9F98) is in the font file but in no range we ask for, so the
    // atlas stays small and FindGlyphNoFallback reports it missing.
    EXPECT_FALSE(hasGlyph(0x9F98));
    EXPECT_LT(font_->Glyphs.Size, 6000);
}

TEST(FontsSourceScan, DecodesEscapedLiteralsAndSkipsComments)
{
    std::string src =
        "// \xe2\x80\x94 a comment\nconst char* a = \"\\xe2\\x96\\xb6 Play\"; char q = '\"';\n"
        "/* \xe5\x87\xbd */ auto b = \"\xe4\xb8\xad\\u6587\";\n";
    std::map<uint32_t, std::string> chars;
    collectCodePoints(stringLiterals(src), "src", chars);
    EXPECT_EQ(chars.count(0x25B6), 1u);  // ▶ from its escapes
    EXPECT_EQ(chars.count(0x4E2D), 1u);  // 中 as written
    EXPECT_EQ(chars.count(0x6587), 1u);  // 文 from \u
    EXPECT_EQ(chars.count(0x2014), 0u);  // — only in a comment
    EXPECT_EQ(chars.count(0x51FD), 0u);  // 函 only in a comment
}

}  // namespace
}  // namespace rscope::viewer
