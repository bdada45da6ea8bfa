// EventLoop: the epoll loop (level-triggered), eventfd wakeup and after-events functors.
#include "engine/reactor/event_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "engine/base/log.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::reactor
{

namespace
{
// The loop owned by this thread (muduo's one-loop-per-thread check).
thread_local EventLoop* tLoop = nullptr;

// Cached per thread: assertInLoopThread runs on every channel update. A fork child inherits
// the forking thread's cache, so an atfork handler clears it there.
thread_local pid_t tCachedTid = 0;
[[maybe_unused]] const int kForkHook = ::pthread_atfork(nullptr, nullptr, [] { tCachedTid = 0; });

pid_t currentTid()
{
    if (tCachedTid == 0) tCachedTid = static_cast<pid_t>(::syscall(SYS_gettid));
    return tCachedTid;
}

constexpr int kMaxEvents = 256;
}  // namespace

EventLoop::EventLoop()
    : threadId_(currentTid()),
      epollFd_(::epoll_create1(EPOLL_CLOEXEC)),
      wakeupFd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (tLoop != nullptr)
    {
        std::fprintf(stderr, "EventLoop: a second loop on thread %d\n", threadId_);
        std::abort();
    }
    if (!epollFd_.valid()) dieWithErrno("epoll_create1", "event loop", errno);
    if (!wakeupFd_.valid()) dieWithErrno("eventfd", "event loop", errno);
    tLoop = this;
    wakeupChannel_ = new Channel(this, wakeupFd_.get());
    wakeupChannel_->setReadCallback([this] { handleWakeup(); });
    wakeupChannel_->enableReading();
}

EventLoop::~EventLoop()
{
    delete wakeupChannel_;
    if (tLoop == this) tLoop = nullptr;
}

EventLoop* EventLoop::current()
{
    return tLoop;
}

void EventLoop::abandonAfterFork()
{
    // Closing our copy of an epoll fd leaves the parent's interest list intact; epoll_ctl(DEL)
    // would not (the set is shared across fork).
    ::close(epollFd_.release());
    ::close(wakeupFd_.release());
    if (tLoop == this) tLoop = nullptr;
}

bool EventLoop::isInLoopThread() const
{
    return threadId_ == currentTid();
}

void EventLoop::assertInLoopThread() const
{
    if (!isInLoopThread())
    {
        std::fprintf(stderr, "EventLoop: used from thread %d, owned by %d\n", currentTid(),
                     threadId_);
        std::abort();
    }
}

void EventLoop::loop()
{
    assertInLoopThread();
    epoll_event events[kMaxEvents];
    while (!quit_.load(std::memory_order_relaxed))
    {
        if (beforeSleep_) beforeSleep_();
        // Work scheduled by the hook or by the previous round of after-events must not wait
        // for an unrelated event: poll instead of sleeping, then run it below.
        int timeoutMs = afterEvents_.empty() ? -1 : 0;
        int n = ::epoll_wait(epollFd_.get(), events, kMaxEvents, timeoutMs);
        if (n < 0)
        {
            if (errno == EINTR) continue;
            dieWithErrno("epoll_wait", "event loop", errno);
        }
        dispatching_ = true;
        for (int i = 0; i < n; ++i)
        {
            auto* channel = static_cast<Channel*>(events[i].data.ptr);
            channel->handleEvents(events[i].events);
        }
        dispatching_ = false;
        if (!afterEvents_.empty()) runAfterEventsNow();
    }
    // Owners destroyed through runAfterEvents must be destroyed before loop() returns, also
    // those scheduled by the last round.
    while (!afterEvents_.empty()) runAfterEventsNow();
}

void EventLoop::runAfterEventsNow()
{
    // A functor may call runAfterEvents: that grows afterEvents_, never the vector it runs
    // from. What it adds runs in the next round.
    runningAfterEvents_.swap(afterEvents_);
    for (Functor& fn : runningAfterEvents_) fn();
    runningAfterEvents_.clear();
}

void EventLoop::quit()
{
    quit_.store(true);
    if (!isInLoopThread()) wakeup();
}

void EventLoop::wakeup()
{
    uint64_t one = 1;
    ssize_t n = ::write(wakeupFd_.get(), &one, sizeof one);
    (void)n;  // EAGAIN means a wakeup is already pending: enough.
}

void EventLoop::handleWakeup()
{
    uint64_t value;
    ssize_t n = ::read(wakeupFd_.get(), &value, sizeof value);
    (void)n;
}

void EventLoop::updateChannel(Channel* channel)
{
    assertInLoopThread();
    epoll_event ev{};
    ev.events = channel->events_;
    ev.data.ptr = channel;
    int op = channel->registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(epollFd_.get(), op, channel->fd_, &ev) < 0)
    {
        // A programming error (bad fd, double add): the channel is unusable, say why.
        RS_ERROR("epoll_ctl({}, fd {}): {}; channel left unregistered",
                 op == EPOLL_CTL_ADD ? "ADD" : "MOD", channel->fd_, base::errnoText(errno));
        return;
    }
    channel->registered_ = true;
}

void EventLoop::removeChannel(Channel* channel)
{
    assertInLoopThread();
    if (!channel->registered_) return;
    ::epoll_ctl(epollFd_.get(), EPOLL_CTL_DEL, channel->fd_, nullptr);
    channel->registered_ = false;
}

}  // namespace rscope::reactor
