// writeDecimal against std::to_string: every digit count, both ends of both types, random values.
#include "engine/format/decimal.h"

#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

template <typename T>
std::string written(T v)
{
    char buf[64];
    std::memset(buf, 'x', sizeof buf);
    char* end = writeDecimal(buf, v);
    return std::string(buf, end);
}

TEST(Decimal, EveryDigitCountAndBothEnds)
{
    for (uint64_t p = 1, k = 0; k < 20; ++k, p *= 10)
        for (uint64_t v : {p - 1, p, p + 1, p * 5})
        {
            EXPECT_EQ(written(v), std::to_string(v));
            EXPECT_EQ(written(static_cast<int64_t>(v)), std::to_string(static_cast<int64_t>(v)));
            EXPECT_EQ(written(-static_cast<int64_t>(v)), std::to_string(-static_cast<int64_t>(v)));
        }
    EXPECT_EQ(written(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
    EXPECT_EQ(written(std::numeric_limits<int64_t>::max()), "9223372036854775807");
    EXPECT_EQ(written(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(written(uint64_t{0}), "0");
}

TEST(Decimal, RandomValuesOfEveryMagnitude)
{
    std::mt19937_64 rng(42);
    for (int i = 0; i < 200000; ++i)
    {
        uint64_t v = rng() >> (rng() % 64);
        ASSERT_EQ(written(v), std::to_string(v));
        auto s = static_cast<int64_t>(rng()) >> (rng() % 64);
        ASSERT_EQ(written(s), std::to_string(s));
    }
}

}  // namespace
}  // namespace rscope::trace
