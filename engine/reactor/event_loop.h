// EventLoop: one epoll loop per thread, with an eventfd wakeup for quit() from other threads.
// Owner: the thread that constructed it. Thread-safety: quit/quitting from any thread;
// everything else on the loop thread (checked by assertInLoopThread).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <vector>

#include "engine/base/unique_fd.h"

namespace rscope::reactor
{

class Channel;

class EventLoop
{
  public:
    using Functor = std::function<void()>;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Runs until quit(). Must be called on the owner thread.
    void loop();
    // Safe to call from other threads and from signal-free contexts.
    void quit();
    bool quitting() const { return quit_.load(std::memory_order_relaxed); }
    // True while the loop hands a batch of ready events to their channels (loop thread only).
    bool dispatching() const { return dispatching_; }

    // Runs fn after the current batch of ready events (loop thread only). Objects that own a
    // Channel are destroyed through this, so a later event of the same batch never sees freed
    // memory. Added while no batch is dispatched (from the before-sleep hook, or from another
    // such functor), fn runs after the next wait, which then does not block.
    void runAfterEvents(Functor fn) { afterEvents_.push_back(std::move(fn)); }

    // Called once per iteration before epoll_wait (redis' beforeSleep): flush pending writes.
    void setBeforeSleep(Functor fn) { beforeSleep_ = std::move(fn); }

    void updateChannel(Channel* channel);
    void removeChannel(Channel* channel);

    bool isInLoopThread() const;
    void assertInLoopThread() const;

    // In a child right after fork(): closes this (inherited) loop's fds without touching the
    // epoll set the parent still uses, and frees the thread slot so the child can make its own
    // loop. The object must never be used or destroyed afterwards (the child _exit()s).
    void abandonAfterFork();

    // The loop of the calling thread, or nullptr.
    static EventLoop* current();

  private:
    void wakeup();
    void handleWakeup();
    void runAfterEventsNow();

    pid_t threadId_;
    std::atomic<bool> quit_{false};
    base::UniqueFd epollFd_;
    base::UniqueFd wakeupFd_;
    Channel* wakeupChannel_;
    Functor beforeSleep_;
    bool dispatching_ = false;          // loop thread only
    std::vector<Functor> afterEvents_;  // loop thread only
    // The round runAfterEventsNow is running, swapped out of afterEvents_ so that functors
    // scheduled meanwhile never move the running ones (muduo's doPendingFunctors). A member,
    // not a local: both vectors keep their capacity, no allocation per round. Loop thread only.
    std::vector<Functor> runningAfterEvents_;
};

}  // namespace rscope::reactor
