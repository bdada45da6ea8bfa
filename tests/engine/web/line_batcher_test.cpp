// LineBatcher hands out whole lines only, keeps the unfinished rest, and says when a line is
// too long to be a trace line.
#include "engine/web/line_batcher.h"

#include <string>

#include <gtest/gtest.h>

namespace rscope::web
{
namespace
{

TEST(LineBatcher, CutsAtTheLastNewlineAndKeepsTheRest)
{
    LineBatcher batcher;
    ASSERT_TRUE(batcher.append("{\"a\":1}\n{\"b\""));
    EXPECT_EQ(batcher.takeLines(), "{\"a\":1}\n");
    EXPECT_EQ(batcher.pendingBytes(), 4u);
    EXPECT_EQ(batcher.takeLines(), "") << "the rest is not a line yet";
    ASSERT_TRUE(batcher.append(":2}\n{\"c\":3}\n"));
    EXPECT_EQ(batcher.takeLines(), "{\"b\":2}\n{\"c\":3}\n");
    EXPECT_EQ(batcher.pendingBytes(), 0u);
}

TEST(LineBatcher, ALineSplitOverManyReadsComesOutWhole)
{
    LineBatcher batcher;
    std::string line = std::string(5000, 'x') + "\n";
    for (char c : line) ASSERT_TRUE(batcher.append(std::string_view(&c, 1)));
    EXPECT_EQ(batcher.takeLines(), line);
}

TEST(LineBatcher, AnUnfinishedLineLongerThanTheLimitFails)
{
    LineBatcher batcher(16);
    EXPECT_TRUE(batcher.append("0123456789abcdef"));  // 16: at the limit
    EXPECT_FALSE(batcher.append("g"));
    LineBatcher fresh(16);
    EXPECT_TRUE(fresh.append(std::string(100, 'y') + "\nshort")) << "whole lines do not count";
}

TEST(LineBatcher, TheDefaultLimitIsOneMebibyte)
{
    LineBatcher batcher;
    EXPECT_TRUE(batcher.append(std::string(kMaxLineBytes, 'z')));
    EXPECT_FALSE(batcher.append("z"));
}

}  // namespace
}  // namespace rscope::web
