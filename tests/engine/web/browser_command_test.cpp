// Only the step-mode commands pass from a browser to the trace socket, in the server's words;
// loopback is told apart from other peers.
#include "engine/web/browser_command.h"

#include <gtest/gtest.h>

namespace rscope::web
{
namespace
{

TEST(BrowserCommand, StepCommandsPassAsOneLine)
{
    EXPECT_EQ(stepCommandLine("hold"), "hold\n");
    EXPECT_EQ(stepCommandLine("step"), "step\n");
    EXPECT_EQ(stepCommandLine("run"), "run\n");
    EXPECT_EQ(stepCommandLine("step 3"), "step 3\n");
    EXPECT_EQ(stepCommandLine("step 1000000000"), "step 1000000000\n");
    EXPECT_EQ(stepCommandLine("step\n"), "step\n");
    EXPECT_EQ(stepCommandLine("hold\r\n"), "hold\n");
}

TEST(BrowserCommand, EverythingElseIsRefused)
{
    for (const char* text : {"binary", "", "HOLD", "hold ", " step", "step 0", "step -1", "step +1",
                             "step 01", "step 1000000001", "step 99999999999", "step 2x", "step  2",
                             "run\nbinary", "hold\n\n", "step\r"})
        EXPECT_EQ(stepCommandLine(text), std::nullopt) << '"' << text << '"';
    EXPECT_EQ(stepCommandLine(std::string_view("run\0", 4)), std::nullopt);
}

TEST(BrowserCommand, LoopbackAddresses)
{
    EXPECT_TRUE(isLoopbackAddress("127.0.0.1"));
    EXPECT_TRUE(isLoopbackAddress("127.1.2.3"));
    EXPECT_TRUE(isLoopbackAddress("::1"));
    EXPECT_TRUE(isLoopbackAddress("::ffff:127.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("10.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("0.0.0.0"));
    EXPECT_FALSE(isLoopbackAddress("128.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("::ffff:10.0.0.1"));
    EXPECT_FALSE(isLoopbackAddress("localhost")) << "names are not resolved here";
    EXPECT_FALSE(isLoopbackAddress(""));
}

}  // namespace
}  // namespace rscope::web
