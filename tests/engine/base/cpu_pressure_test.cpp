// CpuPressure: the share of stalled time between two samples, from the "some" line's total.
#include "engine/base/cpu_pressure.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace rscope::base
{
namespace
{

class CpuPressureTest : public ::testing::Test
{
  protected:
    void write(const std::string& text)
    {
        std::ofstream out(path_, std::ios::trunc);
        out << text;
    }
    void writeTotal(uint64_t us)
    {
        write(
            fmt::format("some avg10=1.00 avg60=2.00 avg300=3.00 total={}\n"
                        "full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n",
                        us));
    }
    void TearDown() override { ::unlink(path_.c_str()); }
    std::string path_ = fmt::format("/tmp/rscope-psi-{}", ::getpid());
};

TEST_F(CpuPressureTest, SharesAreStalledMicrosecondsOverWallTime)
{
    writeTotal(1'000'000);
    CpuPressure p(path_);
    ASSERT_TRUE(p.available());
    EXPECT_EQ(p.sample(0), -1) << "the first sample has nothing to compare with";
    writeTotal(1'050'000);  // 50 ms stalled in 100 ms
    EXPECT_DOUBLE_EQ(p.sample(100'000'000), 0.5);
    EXPECT_DOUBLE_EQ(p.sample(200'000'000), 0.0);
    writeTotal(1'500'000);  // more than the wall time (rounding in the kernel): capped
    EXPECT_DOUBLE_EQ(p.sample(300'000'000), 1.0);
}

TEST_F(CpuPressureTest, UnreadableOrStrangeInputGivesNoShare)
{
    CpuPressure missing("/nonexistent/pressure/cpu");
    EXPECT_FALSE(missing.available());
    EXPECT_EQ(missing.sample(1), -1);
    write("full avg10=0.00 total=5\n");
    CpuPressure noSome(path_);
    EXPECT_EQ(noSome.sample(1), -1);
    EXPECT_EQ(noSome.sample(2), -1);
    write("some avg10=0.00 avg60=0.00\nfull total=5\n");  // total only on the full line
    CpuPressure noTotal(path_);
    EXPECT_EQ(noTotal.sample(1), -1);
    EXPECT_EQ(noTotal.sample(2), -1);
}

TEST(CpuPressure, ReadsThisKernelsCounterWhenItHasOne)
{
    CpuPressure p;
    if (!p.available()) GTEST_SKIP() << "no /proc/pressure/cpu here";
    EXPECT_EQ(p.sample(1), -1);
    usleep(20'000);
    double share = p.sample(20'000'001);
    EXPECT_GE(share, 0.0);
    EXPECT_LE(share, 1.0);
}

}  // namespace
}  // namespace rscope::base
