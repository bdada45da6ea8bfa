// PeriodicTimer on timerfd: one fd per timer keeps the loop free of a timer heap.
#include "engine/reactor/timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "engine/reactor/channel.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::reactor
{

PeriodicTimer::PeriodicTimer(EventLoop* loop, int64_t intervalMs, std::function<void()> callback)
    : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)),
      callback_(std::move(callback))
{
    // Every caller passes a constant or a validated setting: a non-positive interval is a
    // programmer error. Let through, timerfd would disarm on 0 (the callback silently never
    // runs) and refuse a negative one (EINVAL). Kept in release builds: once per timer.
    if (intervalMs <= 0)
    {
        std::fprintf(stderr, "PeriodicTimer: interval %lld ms; it must be positive\n",
                     static_cast<long long>(intervalMs));
        std::abort();
    }
    if (!fd_.valid()) dieWithErrno("timerfd_create", "periodic timer", errno);
    itimerspec spec{};
    spec.it_interval.tv_sec = intervalMs / 1000;
    spec.it_interval.tv_nsec = (intervalMs % 1000) * 1000000;
    spec.it_value = spec.it_interval;
    if (::timerfd_settime(fd_.get(), 0, &spec, nullptr) < 0)
        dieWithErrno("timerfd_settime", "periodic timer", errno);
    channel_ = std::make_unique<Channel>(loop, fd_.get());
    channel_->setReadCallback([this] { handleRead(); });
    channel_->enableReading();
}

PeriodicTimer::~PeriodicTimer() = default;

void PeriodicTimer::handleRead()
{
    uint64_t expirations;
    if (::read(fd_.get(), &expirations, sizeof expirations) != sizeof expirations) return;
    callback_();
}

}  // namespace rscope::reactor
