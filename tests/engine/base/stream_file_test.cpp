// StreamFile: what a reader sees after every flush, at close, with in-place writes, and errors.
#include "engine/base/stream_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

namespace rscope::base
{
namespace
{

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class StreamFileTest : public ::testing::TestWithParam<std::tuple<const char*, bool>>
{
  protected:
    void SetUp() override
    {
        std::string dir = std::get<0>(GetParam());
        direct_ = std::get<1>(GetParam());
        char tmpl[256];
        std::snprintf(tmpl, sizeof tmpl, "%s/stream-file-XXXXXX", dir.c_str());
        int fd = ::mkstemp(tmpl);
        if (fd < 0) GTEST_SKIP() << "cannot create a file in " << dir;
        ::close(fd);
        path_ = tmpl;
    }
    void TearDown() override
    {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    std::string path_;
    bool direct_ = true;
};

// Random chunk sizes across the 4 KiB block and 1 MiB write thresholds, random flushes: after
// each flush the file holds exactly what was appended, and at close too.
TEST_P(StreamFileTest, EveryFlushShowsEverythingAppended)
{
    StreamFile f;
    ASSERT_TRUE(f.open(path_, direct_)) << f.error();
    std::mt19937 rng(7);
    std::string expected;
    for (int i = 0; i < 300; ++i)
    {
        size_t n = std::uniform_int_distribution<size_t>(0, i % 50 == 0 ? 3 << 20 : 9000)(rng);
        std::string chunk(n, '\0');
        for (char& c : chunk) c = static_cast<char>('a' + rng() % 26);
        chunk += '\n';
        ASSERT_TRUE(f.append(chunk.data(), chunk.size())) << f.error();
        expected += chunk;
        EXPECT_EQ(f.size(), expected.size());
        if (rng() % 4 == 0)
        {
            ASSERT_TRUE(f.flush()) << f.error();
            ASSERT_EQ(readAll(path_), expected) << "after flush " << i;
        }
    }
    ASSERT_TRUE(f.close()) << f.error();
    EXPECT_EQ(readAll(path_), expected);
    if (!direct_)
    {
        EXPECT_FALSE(f.direct());
    }
    std::printf("%s: %zu bytes, direct writes %s\n", std::get<0>(GetParam()), expected.size(),
                f.direct() ? "on"
                : direct_  ? "refused"
                           : "off");
}

// reserve + advance write in place; stagedFrom(mark) is what was written since the mark.
TEST_P(StreamFileTest, InPlaceWritesAndStagedSpan)
{
    StreamFile f;
    ASSERT_TRUE(f.open(path_, direct_)) << f.error();
    ASSERT_TRUE(f.append("header\n", 7));
    uint64_t mark = f.size();
    std::string batch;
    for (int i = 0; i < 5000; ++i)
    {
        std::string line = "line " + std::to_string(i) + "\n";
        char* p = f.reserve(1024);
        std::memcpy(p, line.data(), line.size());
        std::memset(p + line.size(), 'X', 1024 - line.size());  // slack beyond the line is free
        f.advance(line.size());
        batch += line;
    }
    EXPECT_EQ(std::string(f.stagedFrom(mark), f.size() - mark), batch);
    ASSERT_TRUE(f.flush());
    ASSERT_TRUE(f.close());
    EXPECT_EQ(readAll(path_), "header\n" + batch);
}

// A tail written through the page cache is written again, whole, once its block fills up.
TEST_P(StreamFileTest, PartialBlockIsRewrittenWhenItFills)
{
    StreamFile f;
    ASSERT_TRUE(f.open(path_, direct_)) << f.error();
    std::string expected;
    for (int i = 0; i < 40; ++i)
    {
        std::string part(1000 + i, static_cast<char>('A' + i % 26));
        ASSERT_TRUE(f.append(part.data(), part.size()));
        ASSERT_TRUE(f.flush());
        expected += part;
        ASSERT_EQ(readAll(path_), expected) << "after part " << i;
    }
    ASSERT_TRUE(f.close());
    EXPECT_EQ(readAll(path_), expected);
}

INSTANTIATE_TEST_SUITE_P(DirsAndModes, StreamFileTest,
                         ::testing::Combine(::testing::Values("/tmp", "/dev/shm"),
                                            ::testing::Bool()));

TEST(StreamFile, OpenErrorNamesCallPathAndReason)
{
    StreamFile f;
    EXPECT_FALSE(f.open("/nonexistent-dir/x.jsonl"));
    EXPECT_FALSE(f.isOpen());
    EXPECT_EQ(f.error(), "open(/nonexistent-dir/x.jsonl): No such file or directory");
    EXPECT_FALSE(f.append("x", 1));
}

TEST(StreamFile, WriteErrorClosesAndReports)
{
    StreamFile f;
    ASSERT_TRUE(f.open("/dev/full")) << f.error();
    std::string big(2 << 20, 'x');
    bool ok = f.append(big.data(), big.size()) && f.flush();
    EXPECT_FALSE(ok);
    EXPECT_FALSE(f.isOpen());
    EXPECT_NE(f.error().find("write(/dev/full): "), std::string::npos) << f.error();
    EXPECT_FALSE(f.close());
}

}  // namespace
}  // namespace rscope::base
