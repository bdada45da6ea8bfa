// parseClientCommand: the words of traces/FORMAT.md section 10 and the step counts it refuses.
#include "engine/trace/client_command.h"

#include <string>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

TEST(ClientCommandTest, KnownWordsAreRecognised)
{
    EXPECT_EQ(parseClientCommand("binary").kind, ClientCommandKind::Binary);
    EXPECT_EQ(parseClientCommand("hold").kind, ClientCommandKind::Hold);
    EXPECT_EQ(parseClientCommand("run").kind, ClientCommandKind::Run);
    EXPECT_EQ(parseClientCommand("hold\r").kind, ClientCommandKind::Hold);
    EXPECT_EQ(parseClientCommand("").kind, ClientCommandKind::Empty);
    EXPECT_EQ(parseClientCommand("\r").kind, ClientCommandKind::Empty);
}

TEST(ClientCommandTest, StepWithoutCountIsOne)
{
    ClientCommand c = parseClientCommand("step");
    EXPECT_EQ(c.kind, ClientCommandKind::Step);
    EXPECT_EQ(c.count, 1u);
    c = parseClientCommand("step ");
    EXPECT_EQ(c.kind, ClientCommandKind::Step);
    EXPECT_EQ(c.count, 1u);
}

TEST(ClientCommandTest, StepCountIsReadAndClamped)
{
    ClientCommand c = parseClientCommand("step 5");
    EXPECT_EQ(c.kind, ClientCommandKind::Step);
    EXPECT_EQ(c.count, 5u);
    c = parseClientCommand("step  12 \r");
    EXPECT_EQ(c.kind, ClientCommandKind::Step);
    EXPECT_EQ(c.count, 12u);
    c = parseClientCommand("step 1000000");
    EXPECT_EQ(c.count, kMaxStepCount);
    c = parseClientCommand("step 1000001");
    EXPECT_EQ(c.count, kMaxStepCount);
    // Far past uint64_t: clamped, not wrapped round to a small count.
    c = parseClientCommand("step " + std::string(400, '9'));
    EXPECT_EQ(c.kind, ClientCommandKind::Step);
    EXPECT_EQ(c.count, kMaxStepCount);
    c = parseClientCommand("step 18446744073709551617");  // 2^64 + 1
    EXPECT_EQ(c.count, kMaxStepCount);
}

TEST(ClientCommandTest, BadStepCountsAreRefused)
{
    for (const char* line : {"step 0", "step -1", "step 5x", "step x", "step 1 2", "step +3"})
    {
        ClientCommand c = parseClientCommand(line);
        EXPECT_EQ(c.kind, ClientCommandKind::BadStepCount) << line;
        EXPECT_EQ(c.count, 0u) << line;
        EXPECT_TRUE(c.isStepMode()) << line;
    }
}

TEST(ClientCommandTest, OtherLinesAreUnknown)
{
    for (const char* line :
         {"steps", "step5", "Hold", " hold", "hold ", "binary\n", "run\r\r", "x"})
    {
        ClientCommand c = parseClientCommand(line);
        EXPECT_EQ(c.kind, ClientCommandKind::Unknown) << line;
        EXPECT_FALSE(c.isStepMode()) << line;
    }
    EXPECT_FALSE(parseClientCommand("binary").isStepMode());
    EXPECT_TRUE(parseClientCommand("hold").isStepMode());
}

}  // namespace
}  // namespace rscope::trace
