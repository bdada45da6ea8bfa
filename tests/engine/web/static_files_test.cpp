// resolveUnder refuses every way out of the served folder and finds what is inside; mimeTypeFor
// gives browsers the types they insist on.
#include "engine/web/static_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace rscope::web
{
namespace
{

namespace fs = std::filesystem;

class StaticFiles : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        base_ = fs::temp_directory_path() / ("rscope-static-" + std::to_string(::getpid()));
        fs::remove_all(base_);
        fs::create_directories(root() / "sub");
        std::ofstream(root() / "index.html") << "<p>hi</p>";
        std::ofstream(root() / "sub" / "a.js") << "1;";
        std::ofstream(root() / ".hidden") << "no";
        std::ofstream(base_ / "secret.txt") << "outside";
        fs::create_symlink(base_ / "secret.txt", root() / "out-link");
        fs::create_symlink(root() / "index.html", root() / "in-link.html");
    }
    void TearDown() override { fs::remove_all(base_); }
    fs::path root() const { return base_ / "site"; }
    std::string rootText() const { return root().string(); }

    fs::path base_;
};

TEST_F(StaticFiles, FindsFilesInsideTheFolder)
{
    ResolvedFile index = resolveUnder(rootText(), "index.html");
    ASSERT_EQ(index.check, FileCheck::Ok);
    EXPECT_EQ(index.path, fs::canonical(root() / "index.html").string());
    EXPECT_EQ(resolveUnder(rootText(), "sub/a.js").check, FileCheck::Ok);
    EXPECT_EQ(resolveUnder(rootText(), "sub//a.js").check, FileCheck::Ok);
    EXPECT_EQ(resolveUnder(rootText(), "in-link.html").check, FileCheck::Ok)
        << "a symlink that stays inside is fine";
}

TEST_F(StaticFiles, RefusesDotSegmentsHiddenNamesAndBackslashes)
{
    for (const char* path : {"../secret.txt", "sub/../index.html", "./index.html", "..", ".",
                             ".hidden", "sub/../../secret.txt", "sub\\..\\index.html"})
        EXPECT_EQ(resolveUnder(rootText(), path).check, FileCheck::Forbidden) << path;
    EXPECT_EQ(resolveUnder(rootText(), std::string_view("index.html\0.png", 15)).check,
              FileCheck::Forbidden);
}

TEST_F(StaticFiles, RefusesASymlinkLeavingTheFolder)
{
    EXPECT_EQ(resolveUnder(rootText(), "out-link").check, FileCheck::Forbidden);
}

TEST_F(StaticFiles, MissingFilesAndFoldersAreNotFound)
{
    EXPECT_EQ(resolveUnder(rootText(), "nope.html").check, FileCheck::NotFound);
    EXPECT_EQ(resolveUnder(rootText(), "sub").check, FileCheck::NotFound) << "no listings";
    EXPECT_EQ(resolveUnder(rootText(), "").check, FileCheck::NotFound);
    EXPECT_EQ(resolveUnder((base_ / "missing").string(), "index.html").check, FileCheck::NotFound);
}

TEST(MimeTypes, WasmJsonLinesAndTheRest)
{
    EXPECT_STREQ(mimeTypeFor("/a/rscope-viewer.wasm"), "application/wasm");
    EXPECT_STREQ(mimeTypeFor("rscope-viewer.js"), "text/javascript; charset=utf-8");
    EXPECT_STREQ(mimeTypeFor("rscope-viewer.data"), "application/octet-stream");
    EXPECT_STREQ(mimeTypeFor("index.html"), "text/html; charset=utf-8");
    EXPECT_STREQ(mimeTypeFor("01-startup.json"), "application/json");
    EXPECT_STREQ(mimeTypeFor("article.jsonl"), "application/x-ndjson");
    EXPECT_STREQ(mimeTypeFor("shot.png"), "image/png");
    EXPECT_STREQ(mimeTypeFor("style.css"), "text/css; charset=utf-8");
    EXPECT_STREQ(mimeTypeFor("noext"), "application/octet-stream");
    EXPECT_STREQ(mimeTypeFor("dir.v2/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace rscope::web
