// Channel: epoll interest bookkeeping and event dispatch to callbacks.
#include "engine/reactor/channel.h"

#include <sys/epoll.h>

#include "engine/reactor/event_loop.h"

namespace rscope::reactor
{

Channel::~Channel()
{
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
    // Errors and hang-ups are reported to the read side, where recv() returns the real cause.
    if ((ready & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && readCallback_ &&
        (events_ & kRead))
        readCallback_();
    // The read callback may have removed the channel; events_ tells.
    if ((ready & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && writeCallback_ && (events_ & kWrite))
        writeCallback_();
}

}  // namespace rscope::reactor
