// unescape: the C escapes of command-line text (--message 'hello world\n', --package-eof '\r\n').
// Each escape, the ones it does not know (kept as typed), a trailing backslash, and \xHH.
#include <string>

#include <gtest/gtest.h>

#include "engine/cli/commands.h"

namespace rscope::cli
{
namespace
{
using namespace std::string_literals;

TEST(Unescape, EachEscape)
{
    EXPECT_EQ(unescape(R"(\n)"), "\n");
    EXPECT_EQ(unescape(R"(\r)"), "\r");
    EXPECT_EQ(unescape(R"(\t)"), "\t");
    EXPECT_EQ(unescape(R"(\\)"), "\\");
    EXPECT_EQ(unescape(R"(\0)"), "\0"s);
    EXPECT_EQ(unescape(R"(\0)").size(), 1u);
    EXPECT_EQ(unescape(R"(\x41)"), "A");
    EXPECT_EQ(unescape(R"(\x7e)"), "~");
    EXPECT_EQ(unescape(R"(\x7E)"), "~");
    EXPECT_EQ(unescape(R"(\xff)"), "\xff"s);
    EXPECT_EQ(unescape(R"(\x00)"), "\0"s);
}

TEST(Unescape, MessageOfTheArticle)
{
    EXPECT_EQ(unescape(R"(hello world\n)"), "hello world\n");
    EXPECT_EQ(unescape(R"(GET / HTTP/1.1\r\n\r\n)"), "GET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(unescape(R"(a\tb\0c)"), "a\tb\0c"s);
}

TEST(Unescape, TextWithoutEscapesIsUnchanged)
{
    EXPECT_EQ(unescape(""), "");
    EXPECT_EQ(unescape("hello world"), "hello world");
    EXPECT_EQ(unescape("n r t x41 /"), "n r t x41 /");
}

TEST(Unescape, UnknownEscapeIsKeptAsTyped)
{
    EXPECT_EQ(unescape(R"(\q)"), R"(\q)");
    EXPECT_EQ(unescape(R"(\a\b\e)"), R"(\a\b\e)");
    EXPECT_EQ(unescape(R"(\N)"), R"(\N)");
    EXPECT_EQ(unescape(R"(\X41)"), R"(\X41)");
    EXPECT_EQ(unescape(R"(\")"), R"(\")");
}

TEST(Unescape, TrailingBackslashIsKept)
{
    EXPECT_EQ(unescape("\\"), "\\");
    EXPECT_EQ(unescape("abc\\"), "abc\\");
    // An escaped backslash then a lone one: "\\\" is one backslash, then the trailing one.
    EXPECT_EQ(unescape(R"(\\\)"), "\\\\");
}

TEST(Unescape, EscapedBackslashDoesNotStartAnEscape)
{
    // \\n is a backslash then the letter n, not a backslash then a newline.
    EXPECT_EQ(unescape(R"(\\n)"), "\\n");
    EXPECT_EQ(unescape(R"(\\x41)"), "\\x41");
    EXPECT_EQ(unescape(R"(\\\n)"), "\\\n");
}

TEST(Unescape, HexTakesExactlyTwoDigits)
{
    EXPECT_EQ(unescape(R"(\x414)"), "A4");
    EXPECT_EQ(unescape(R"(\x41\x42)"), "AB");
    EXPECT_EQ(unescape(R"(a\x0ab)"), "a\nb");
}

TEST(Unescape, InvalidHexIsKeptAsTyped)
{
    EXPECT_EQ(unescape(R"(\x)"), R"(\x)");
    EXPECT_EQ(unescape(R"(\x4)"), R"(\x4)");
    EXPECT_EQ(unescape(R"(\xg1)"), R"(\xg1)");
    EXPECT_EQ(unescape(R"(\x4g)"), R"(\x4g)");
    EXPECT_EQ(unescape(R"(\x-1)"), R"(\x-1)");
    // What follows a bad \x is read as usual.
    EXPECT_EQ(unescape(R"(\xz\n)"), "\\xz\n");
}

}  // namespace
}  // namespace rscope::cli
