// Child processes of a lesson (child_process.h): fork/exec with a process group, a death signal
// and a log file; bounded waits that always reap.
#include "engine/tutorial/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/base/clock.h"

namespace rscope::tutorial
{

namespace
{
using base::sleepMs;

// In the child, before anything else: own group, die with the parent. If the parent already
// died between fork and prctl, the signal would never come, so check getppid.
void becomeLessonChild(pid_t parent, int deathSignal)
{
    ::setpgid(0, 0);
#ifdef __linux__  // the web build compiles this too; a page starts no process (fork fails)
    ::prctl(PR_SET_PDEATHSIG, deathSignal);
#else
    (void)deathSignal;
#endif
    if (::getppid() != parent) ::_exit(125);
}
}  // namespace

pid_t spawnProcess(const std::vector<std::string>& argv, const std::string& logPath,
                   int deathSignal, std::string& error)
{
    // Everything the child needs is built before fork (no allocation after it).
    std::vector<std::string> args = argv;
    std::vector<char*> cargv;
    for (std::string& a : args) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::string out = logPath.empty() ? "/dev/null" : logPath;
    int logFd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logFd < 0)
    {
        error = fmt::format("open({}): {}", out, std::strerror(errno));
        return -1;
    }
    if (logFd <= STDERR_FILENO)
    {
        // Started with stdin closed (a daemon, some CI runners): the log took fd 0, which the
        // child's dup2 of /dev/null onto stdin would close before its stdout is pointed at it.
        int high = ::fcntl(logFd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        ::close(logFd);
        if (high < 0)
        {
            error = fmt::format("fcntl(F_DUPFD_CLOEXEC): {}", std::strerror(errno));
            return -1;
        }
        logFd = high;
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
    {
        error = fmt::format("fork: {}", std::strerror(errno));
        ::close(logFd);
        return -1;
    }
    if (pid == 0)
    {
        becomeLessonChild(parent, deathSignal);
        int devNull = ::open("/dev/null", O_RDONLY);
        if (devNull >= 0) ::dup2(devNull, STDIN_FILENO);
        ::dup2(logFd, STDOUT_FILENO);
        ::dup2(logFd, STDERR_FILENO);
        // The parent may have blocked signals (signalfd users); an exec'd server must not inherit
        // that mask.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also in the parent, so a kill(-pid) right after fork finds the group
    ::close(logFd);
    return pid;
}

pid_t forkHelper(const std::function<int()>& body, std::string& error)
{
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
    {
        error = fmt::format("fork: {}", std::strerror(errno));
        return -1;
    }
    if (pid == 0)
    {
        becomeLessonChild(parent, SIGKILL);
        ::signal(SIGPIPE, SIG_IGN);
        ::_exit(body());
    }
    ::setpgid(pid, pid);
    return pid;
}

bool waitForExit(pid_t pid, int timeoutMs, int* status)
{
    if (pid <= 0) return true;
    int waited = 0;
    for (;;)
    {
        int st = 0;
        pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
        {
            if (status) *status = st;
            return true;
        }
        if (waited >= timeoutMs) return false;
        sleepMs(5);
        waited += 5;
    }
}

void killAndReap(pid_t pid)
{
    if (pid <= 0) return;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

bool stillRunning(pid_t pid, int* status)
{
    if (pid <= 0) return false;
    int st = 0;
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == 0) return true;
    if (r == pid && status) *status = st;
    return false;
}

}  // namespace rscope::tutorial
