// Monotonic and wall clocks in integer units; the only clocks the engine reads.
#pragma once

#include <time.h>

#include <cerrno>
#include <cstdint>

namespace rscope::base
{

inline int64_t monotonicNs()
{
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline int64_t monotonicMs()
{
    return monotonicNs() / 1000000;
}

inline int64_t wallSeconds()
{
    timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

// Sleeps ms milliseconds, resuming after signals. Async-signal-safe (nanosleep only): forked
// children of a threaded parent may call it.
inline void sleepMs(int ms)
{
    timespec ts{ms / 1000, (ms % 1000) * 1'000'000L};
    while (::nanosleep(&ts, &ts) < 0 && errno == EINTR)
    {
    }
}

}  // namespace rscope::base
