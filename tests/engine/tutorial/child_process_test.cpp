// spawnProcess as a lesson uses it: the child's output reaches the log whatever fds the caller
// started with (ctest leaves fd 3 open; a daemon or a CI runner may start with stdin closed).
#include "engine/tutorial/child_process.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace rscope::tutorial
{
namespace
{

std::string readAll(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Spawns `sh -c 'echo out; echo err >&2'` into a fresh log; 0 when both lines arrived.
int spawnEchoAndCheck()
{
    char path[] = "/tmp/rscope-child-process-test-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0) return 10;
    ::close(fd);
    std::string error;
    pid_t pid = spawnProcess({"/bin/sh", "-c", "echo out; echo err >&2"}, path, SIGKILL, error);
    if (pid < 0) return 11;
    int status = 0;
    if (!waitForExit(pid, 5000, &status)) return 12;
    std::string log = readAll(path);
    ::unlink(path);
    return log == "out\nerr\n" ? 0 : 13;
}

TEST(SpawnProcess, OutputReachesTheLog)
{
    EXPECT_EQ(spawnEchoAndCheck(), 0);
}

TEST(SpawnProcessDeathTest, OutputReachesTheLogWhenTheCallerHasNoStdin)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The log took fd 0 here, and the child's dup2 of /dev/null onto stdin closed it.
    EXPECT_EXIT(
        {
            ::close(STDIN_FILENO);
            std::_Exit(spawnEchoAndCheck());
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace rscope::tutorial
