// Whether a step client holds a server right now (live step mode): asked of the server's trace
// socket, whose header line says "step_state":"held" (traces/FORMAT.md, section 3). Clients that
// a demo or a lesson starts ask it when their timeout runs out, so time the learner holds the
// server does not count against them. Header-only and async-signal-safe (socket, connect, poll,
// recv, close, clock_gettime; no allocation): a lesson's forked helpers call it too.
// Thread-safety: reentrant.
#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace rscope::tracefile
{

inline long long probeNowMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// True when the header of a fresh connection to `trace` says the gate is held; false when it
// says anything else, or no header came within timeoutMs (no trace socket: not held).
inline bool traceSaysHeld(const sockaddr_in& trace, int timeoutMs)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    long long deadline = probeNowMs() + timeoutMs;
    auto waitFor = [&](short events)
    {
        for (;;)
        {
            long long left = deadline - probeNowMs();
            if (left <= 0) return false;
            pollfd p{fd, events, 0};
            int n = ::poll(&p, 1, static_cast<int>(left));
            if (n > 0) return true;
            if (n == 0 || errno != EINTR) return false;
        }
    };
    bool held = false;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&trace), sizeof trace) == 0 ||
        errno == EINPROGRESS)
    {
        // The header's keys are in name order: step_state comes after the short settings
        // object and before the topology, well inside the first few KiB.
        char buf[16384];
        size_t got = 0;
        while (got < sizeof buf && waitFor(POLLIN))
        {
            ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) break;
            got += static_cast<size_t>(n);
            const char* nl = static_cast<const char*>(::memchr(buf, '\n', got));
            static constexpr char kHeld[] = "\"step_state\":\"held\"";
            size_t lineEnd = nl != nullptr ? static_cast<size_t>(nl - buf) : got;
            if (::memmem(buf, lineEnd, kHeld, sizeof kHeld - 1) != nullptr)
            {
                held = true;
                break;
            }
            if (nl != nullptr) break;  // the whole header, and it does not say held
        }
    }
    ::close(fd);
    return held;
}

}  // namespace rscope::tracefile
