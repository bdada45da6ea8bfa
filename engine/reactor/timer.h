// PeriodicTimer: a timerfd registered with one loop that calls back every interval.
// Owner: the loop thread. Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "engine/base/unique_fd.h"

namespace rscope::reactor
{

class Channel;
class EventLoop;

class PeriodicTimer
{
  public:
    // intervalMs must be positive (aborts otherwise): the first tick comes after one interval.
    PeriodicTimer(EventLoop* loop, int64_t intervalMs, std::function<void()> callback);
    ~PeriodicTimer();
    PeriodicTimer(const PeriodicTimer&) = delete;
    PeriodicTimer& operator=(const PeriodicTimer&) = delete;

    // In a fork child: close the inherited fd; the object must not be used afterwards.
    void abandonAfterFork() { ::close(fd_.release()); }

  private:
    void handleRead();

    base::UniqueFd fd_;
    std::unique_ptr<Channel> channel_;
    std::function<void()> callback_;
};

}  // namespace rscope::reactor
