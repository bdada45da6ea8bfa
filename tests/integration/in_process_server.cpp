// InProcessServer: fork, run Server::start() in the child, report the port over a pipe.
#include "tests/integration/in_process_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "engine/base/log.h"
#include "engine/server/server.h"
#include "tests/integration/test_support.h"

namespace rscope::testing
{

InProcessServer::InProcessServer(Configure configure) : configure_(std::move(configure))
{
    void* p = ::mmap(nullptr, sizeof(Counters), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    counters_ = static_cast<Counters*>(p);  // zero-filled: every counter starts at 0
}

InProcessServer::~InProcessServer()
{
    if (pid_ > 0)
    {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ::munmap(counters_, sizeof(Counters));
}

bool InProcessServer::start(std::chrono::milliseconds timeout)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return false;
    std::fflush(stdout);
    pid_ = ::fork();
    if (pid_ == 0)
    {
        ::setpgid(0, 0);
        ::close(fds[0]);
        int portFd = fds[1];
        base::setLogLevel(base::LogLevel::Warn);
        server::Server srv("127.0.0.1", 0);
        configure_(srv, counters_);
        auto userStart = srv.on().onStart;
        srv.on().onStart = [portFd, userStart](server::Server& s)
        {
            uint16_t port = s.port();
            ssize_t n = ::write(portFd, &port, sizeof port);
            (void)n;
            ::close(portFd);
            if (userStart) userStart(s);
        };
        ::_exit(srv.start());
    }
    ::setpgid(pid_, pid_);
    ::close(fds[1]);
    pollfd pfd{fds[0], POLLIN, 0};
    bool ok = ::poll(&pfd, 1, static_cast<int>(timeout.count())) == 1 &&
              ::read(fds[0], &port_, sizeof port_) == sizeof port_;
    ::close(fds[0]);
    return ok;
}

int InProcessServer::stop(std::chrono::milliseconds timeout)
{
    return terminateAndWait(&pid_, timeout);
}

}  // namespace rscope::testing
