// LogRateLimit: a burst per window gets through, the rest is counted and reported by the next
// line that gets through.
#include "engine/base/log_rate_limit.h"

#include <gtest/gtest.h>

namespace rscope::base
{
namespace
{

constexpr int64_t kStart = 1'000'000'000;

TEST(LogRateLimit, ABurstPerWindowGetsThroughAndTheRestIsCounted)
{
    LogRateLimit limit;
    uint64_t suppressed = 99;
    int allowed = 0;
    for (int i = 0; i < 1000; ++i)
        if (limit.allow(kStart + i, &suppressed))
        {
            ++allowed;
            EXPECT_EQ(suppressed, 0u);
        }
    EXPECT_EQ(allowed, static_cast<int>(LogRateLimit::kBurst));

    // Still inside the window: nothing more.
    EXPECT_FALSE(limit.allow(kStart + LogRateLimit::kWindowNs - 1, &suppressed));
    // The next window's first line says how many were left out.
    ASSERT_TRUE(limit.allow(kStart + LogRateLimit::kWindowNs, &suppressed));
    EXPECT_EQ(suppressed, 1000u - LogRateLimit::kBurst + 1);
    ASSERT_TRUE(limit.allow(kStart + LogRateLimit::kWindowNs + 1, &suppressed));
    EXPECT_EQ(suppressed, 0u);
}

TEST(LogRateLimit, TheSuffixNamesTheCount)
{
    EXPECT_EQ(suppressedSuffix(0), "");
    EXPECT_EQ(suppressedSuffix(42), " (42 more like this suppressed)");
}

}  // namespace
}  // namespace rscope::base
