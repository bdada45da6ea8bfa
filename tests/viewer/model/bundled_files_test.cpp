// File -> Open's list and check: the bundled traces are found from any working directory, and a
// file that is not a trace is refused with a sentence saying why, before it replaces anything.
#include "viewer/model/bundled_files.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace rscope::viewer
{
namespace
{

std::string tempFile(const std::string& name, const std::string& content)
{
    std::string path =
        ::testing::TempDir() + "/bundled_files_test_" + std::to_string(::getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

TEST(BundledFiles, ListsEveryRecordedTraceOfTheTreeSortedByName)
{
    std::vector<BundledTrace> traces = listBundledTraces({"/nonexistent", RSCOPE_SOURCE_DIR});
    ASSERT_GE(traces.size(), 9u);  // the article's and one per lesson at least
    EXPECT_TRUE(std::is_sorted(traces.begin(), traces.end(),
                               [](const auto& a, const auto& b) { return a.name < b.name; }));
    auto article = std::find_if(traces.begin(), traces.end(),
                                [](const BundledTrace& t) { return t.name == "article.jsonl"; });
    ASSERT_NE(article, traces.end());
    EXPECT_GT(article->sizeBytes, 1000u);
    for (const BundledTrace& t : traces)
    {
        EXPECT_EQ(t.name.substr(t.name.size() - 6), ".jsonl");
        std::string error;
        EXPECT_TRUE(checkTraceFile(t.path, error)) << error;
    }
}

TEST(BundledFiles, TheDefaultRootsFindTheTreeFromTheBuildDirectory)
{
    // ctest runs this from the build tree: the source tree root (or the binary's) finds them.
    EXPECT_FALSE(listBundledTraces().empty());
    EXPECT_TRUE(listBundledTraces({"/nonexistent"}).empty());
}

TEST(BundledFiles, BadFilesAreRefusedWithAReason)
{
    std::string error;
    EXPECT_FALSE(checkTraceFile("/nonexistent/run.jsonl", error));
    EXPECT_NE(error.find("no such file"), std::string::npos) << error;

    EXPECT_FALSE(checkTraceFile(RSCOPE_SOURCE_DIR "/traces", error));
    EXPECT_NE(error.find("folder"), std::string::npos) << error;

    EXPECT_FALSE(checkTraceFile(tempFile("empty.jsonl", ""), error));
    EXPECT_NE(error.find("empty"), std::string::npos) << error;

    // A lesson file is JSON too, but not a trace.
    EXPECT_FALSE(checkTraceFile(RSCOPE_SOURCE_DIR "/tutorials/01-startup.json", error));
    EXPECT_NE(error.find("not a Reactorscope trace"), std::string::npos) << error;

    EXPECT_FALSE(checkTraceFile("", error));
    EXPECT_FALSE(error.empty());
}

TEST(BundledFiles, AHeaderWithSpacesIsStillATrace)
{
    std::string error;
    EXPECT_TRUE(checkTraceFile(
        tempFile("spaced.jsonl", "{\"version\": \"1.0\", \"format\" : \"reactorscope-trace\"}\n"),
        error))
        << error;
    EXPECT_FALSE(checkTraceFile(
        tempFile("other.jsonl", "{\"format\":\"reactorscope-tutorial\"}\n{\"seq\":1}\n"), error));
}

}  // namespace
}  // namespace rscope::viewer
