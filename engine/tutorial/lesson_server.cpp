// LessonServer: the lesson's `rscope server` as a child in its own process group, on loopback
// ephemeral ports; the ports come from its "listening on ..." line in the log file.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <climits>
#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/tree_roots.h"
#include "engine/tutorial/child_process.h"
#include "engine/tutorial/lesson_runner.h"

namespace rscope::tutorial
{

namespace
{
constexpr int kStartTimeoutMs = 10'000;
constexpr int kStopTimeoutMs = 10'000;

// Flags a lesson may not set: the lesson server always runs on loopback ephemeral ports.
bool reservedFlag(const std::string& name)
{
    return name == "host" || name == "port" || name == "trace-listen" || name == "pid-file" ||
           name == "trace-file" || name == "trace-step";
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

std::string findRscopeBinary()
{
    if (std::string dir = base::binaryDir(); !dir.empty())
    {
        std::string candidate = dir + "/rscope";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "rscope";
}

LessonServer::LessonServer(std::string rscopeBinary) : binary_(std::move(rscopeBinary)) {}

LessonServer::~LessonServer()
{
    stop();
    if (!logPath_.empty()) ::unlink(logPath_.c_str());
}

std::vector<std::string> LessonServer::commandLine(
    const std::vector<std::pair<std::string, std::string>>& flags) const
{
    std::vector<std::string> argv = {binary_, "server"};
    for (const auto& [name, value] : flags)
    {
        if (reservedFlag(name)) continue;
        if (value == "true")
            argv.push_back("--" + name);  // a switch such as enable-unsafe-event
        else if (value != "false")
        {
            argv.push_back("--" + name);
            argv.push_back(value);
        }
    }
    // --trace-step costs nothing until a client holds the gate, and lets a learner walk the
    // lesson's server one hop at a time from the viewer.
    for (const char* a :
         {"--host", "127.0.0.1", "--port", "0", "--trace-listen", "127.0.0.1:0", "--trace-step"})
        argv.push_back(a);
    return argv;
}

void LessonServer::attach(int port, std::string traceAddress, pid_t masterPid)
{
    stop();
    attached_ = true;
    port_ = port;
    traceAddress_ = std::move(traceAddress);
    pid_ = masterPid;
}

bool LessonServer::start(const std::vector<std::pair<std::string, std::string>>& flags,
                         std::string& error)
{
    if (attached_)
    {
        error = fmt::format(
            "the lesson runs on a server it did not start ({}): it cannot start "
            "or restart it",
            traceAddress_);
        return false;
    }
    stop();
    if (binary_.find('/') != std::string::npos && ::access(binary_.c_str(), X_OK) != 0)
    {
        error = fmt::format("{}: not an executable rscope binary", binary_);
        return false;
    }
    if (logPath_.empty())
    {
        char path[] = "/tmp/rscope-lesson-server-XXXXXX";
        int fd = ::mkstemp(path);
        if (fd < 0)
        {
            error = "mkstemp(/tmp/rscope-lesson-server-*): cannot create the server log";
            return false;
        }
        ::close(fd);
        logPath_ = path;
    }
    ::truncate(logPath_.c_str(), 0);
    flags_ = flags;
    port_ = 0;
    traceAddress_.clear();
    std::vector<std::string> argv = commandLine(flags);
    // SIGTERM on our death: the master then shuts down in order and takes every child with it.
    pid_ = spawnProcess(argv, logPath_, SIGTERM, error);
    if (pid_ < 0) return false;
    int64_t deadline = base::monotonicMs() + kStartTimeoutMs;
    while (base::monotonicMs() < deadline)
    {
        std::string out = readFile(logPath_);
        size_t at = out.find("listening on ");
        size_t trace = out.find(", trace ", at == std::string::npos ? 0 : at);
        if (at != std::string::npos && trace != std::string::npos)
        {
            size_t colon = out.find(':', at);
            port_ = std::atoi(out.c_str() + colon + 1);
            size_t end = out.find(')', trace);
            traceAddress_ = out.substr(trace + 8, end - trace - 8);
            if (port_ > 0 && traceAddress_ != "off") return true;
            error =
                fmt::format("rscope server: no trace socket in \"{}\"", out.substr(at, end - at));
            stop();
            return false;
        }
        if (!running())
        {
            error = fmt::format("rscope server exited during startup: {}", out);
            return false;
        }
        ::usleep(10'000);
    }
    error = fmt::format("rscope server: not listening after {} ms: {}", kStartTimeoutMs,
                        readFile(logPath_));
    stop();
    return false;
}

void LessonServer::stop()
{
    if (attached_)
    {
        attached_ = false;  // not ours to stop
        pid_ = -1;
        port_ = 0;
        return;
    }
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    // A clean exit means the master reaped the manager, which reaped the workers. Whatever is
    // still in the group after that (or after the timeout) is killed.
    if (waitForExit(pid_, kStopTimeoutMs))
        ::kill(-pid_, SIGKILL);
    else
        killAndReap(pid_);
    pid_ = -1;
}

bool LessonServer::running() const
{
    // Not our child: it cannot be reaped here, only asked whether it still exists.
    if (attached_) return pid_ <= 0 || ::kill(pid_, 0) == 0;
    if (pid_ <= 0) return false;
    if (stillRunning(pid_)) return true;
    ::kill(-pid_, SIGKILL);  // the master died: no manager or worker may outlive it
    pid_ = -1;
    return false;
}

std::string LessonServer::log() const
{
    return logPath_.empty() ? "" : readFile(logPath_);
}

}  // namespace rscope::tutorial
