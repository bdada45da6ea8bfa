// SignalChannel: takes blocked signals through a signalfd registered with one loop.
// Owner: the loop thread. Thread-safety: loop thread only. The signals must already be blocked
// in every thread (blockServerSignals) or the default action still fires.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>

#include "engine/base/unique_fd.h"

namespace rscope::reactor
{

class Channel;
class EventLoop;

class SignalChannel
{
  public:
    using Callback = std::function<void(int signo, int senderPid)>;

    SignalChannel(EventLoop* loop, std::initializer_list<int> signals, Callback callback);
    ~SignalChannel();
    SignalChannel(const SignalChannel&) = delete;
    SignalChannel& operator=(const SignalChannel&) = delete;

    // In a fork child: close the inherited fd; the object must not be used afterwards.
    void abandonAfterFork() { ::close(fd_.release()); }

  private:
    void handleRead();

    base::UniqueFd fd_;
    std::unique_ptr<Channel> channel_;
    Callback callback_;
};

}  // namespace rscope::reactor
