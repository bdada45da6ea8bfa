// SignalChannel on signalfd: signals become ordinary loop events, so no async handler code.
#include "engine/reactor/signal_channel.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine/reactor/channel.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::reactor
{

SignalChannel::SignalChannel(EventLoop* loop, std::initializer_list<int> signals, Callback callback)
    : callback_(std::move(callback))
{
    sigset_t set;
    sigemptyset(&set);
    for (int sig : signals) sigaddset(&set, sig);
    fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_.valid()) dieWithErrno("signalfd", "signal channel", errno);
    channel_ = std::make_unique<Channel>(loop, fd_.get());
    channel_->setReadCallback([this] { handleRead(); });
    channel_->enableReading();
}

SignalChannel::~SignalChannel() = default;

void SignalChannel::handleRead()
{
    signalfd_siginfo info;
    while (::read(fd_.get(), &info, sizeof info) == sizeof info)
        callback_(static_cast<int>(info.ssi_signo), static_cast<int>(info.ssi_pid));
}

}  // namespace rscope::reactor
