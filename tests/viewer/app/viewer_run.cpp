// The viewer test runner (viewer_run.h): posix_spawn of xvfb-run in a new process group, polled
// with waitpid so a hung viewer is killed, group and all, at the deadline.
#include "tests/viewer/app/viewer_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace rscope::viewer::test
{

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TempDir::TempDir()
{
    char tmpl[] = "/tmp/rscope_viewer_test_XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    path_ = made != nullptr ? made : "/tmp";
}

TempDir::~TempDir()
{
    if (path_ != "/tmp") std::filesystem::remove_all(path_);
}

pid_t spawnViewer(const std::string& viewer, const std::vector<std::string>& args,
                  const std::string& outPath, const std::string& errPath)
{
    std::vector<std::string> argv = {"xvfb-run", "-a", "-s", "-screen 0 1280x800x24", viewer};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    // Its own process group, so a timeout can stop Xvfb and the viewer together.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "xvfb-run", &actions, &attr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -1;
}

int waitViewer(pid_t pid, std::chrono::seconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

RunResult runViewer(const std::string& viewer, const TempDir& dir,
                    const std::vector<std::string>& args, std::chrono::seconds timeout)
{
    RunResult r;
    pid_t pid = spawnViewer(viewer, args, dir.file("viewer.out"), dir.file("viewer.err"));
    if (pid > 0) r.exitCode = waitViewer(pid, timeout);
    r.err = readFile(dir.file("viewer.err"));
    return r;
}

}  // namespace rscope::viewer::test
