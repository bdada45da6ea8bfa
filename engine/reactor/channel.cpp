// Channel: epoll interest bookkeeping and event dispatch to callbacks.
#include "engine/reactor/channel.h"

#include <sys/epoll.h>

#include <cstdio>
#include <cstdlib>

#include "engine/reactor/event_loop.h"

namespace rscope::reactor
{

Channel::~Channel()
{
    // Kept in release builds (two compares, at teardown only). A channel freed while its loop
    // dispatches a batch may still be read: by its own dispatch, or by a later event of the same
    // batch that names it. Such a use-after-free usually goes unnoticed until it does not.
    EventLoop* current = EventLoop::current();
    if (handlingEvents_ || (current == loop_ && current->dispatching()))
    {
        std::fprintf(stderr,
                     "Channel fd %d destroyed while its loop dispatches events; destroy it "
                     "through EventLoop::runAfterEvents\n",
                     fd_);
        std::abort();
    }
    remove();
}

void Channel::update(uint32_t events)
{
    if (events == events_ && registered_) return;
    events_ = events;
    loop_->updateChannel(this);
}

void Channel::remove()
{
    if (!registered_) return;
    events_ = 0;
    loop_->removeChannel(this);
}

void Channel::handleEvents(uint32_t ready)
{
    handlingEvents_ = true;
    // Errors and hang-ups are reported to the read side, where recv() returns the real cause.
    if ((ready & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && readCallback_ &&
        (events_ & kRead))
        readCallback_();
    // The read callback may have removed the channel; events_ tells.
    if ((ready & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && writeCallback_ && (events_ & kWrite))
        writeCallback_();
    handlingEvents_ = false;
}

}  // namespace rscope::reactor
