// Master main thread: accept loop, hand-off over the reactor threads' pipes, shutdown order.
#include "engine/server/master.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <thread>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/dispatch/dispatch_policy.h"
#include "engine/ipc/pipe_writer.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/signal_channel.h"
#include "engine/reactor/socket_ops.h"
#include "engine/reactor/timer.h"
#include "engine/server/reactor_thread.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
#include "engine/trace/events.h"
#include "engine/trace/trace_collector.h"

namespace rscope::server
{

namespace
{
constexpr int kAcceptPerEvent = 64;  // SW_ACCEPT_MAX_COUNT
}

Master::Master(Server& server) : server_(server) {}

Master::~Master() = default;

int Master::run()
{
    const ServerConfig& config = server_.config();
    int listenFd = server_.listenFd().get();
    // First, so the startup events of every thread and child are drained as they come.
    collector_ = server_.startTraceCollector();
    if (int rc = reactor::listenFd(listenFd, config.backlog); rc < 0)
        reactor::dieWithErrno("listen", fmt::format("{}:{}", config.host, server_.port()), -rc);
    trace::ev::listen(listenFd, server_.port(), config.backlog);

    loop_ = std::make_unique<reactor::EventLoop>();
    // One notify pipe per reactor thread: the master never touches a reactor's epoll (model 3.2).
    for (int r = 0; r < config.reactorNum; ++r)
    {
        int socks[2];
        if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks) < 0)
            reactor::dieWithErrno("socketpair", fmt::format("notify pipe of reactor {}", r), errno);
        reactor::setBufferSizes(socks[0], 1024 * 1024);
        notifyFds_.emplace_back(socks[0]);
        auto channel = std::make_unique<reactor::Channel>(loop_.get(), socks[0]);
        auto writer = std::make_unique<ipc::PipeWriter>(socks[0], channel.get(), false);
        ipc::PipeWriter* rawWriter = writer.get();
        channel->setWriteCallback([rawWriter] { rawWriter->flush(); });
        notifyChannels_.push_back(std::move(channel));
        notifyWriters_.push_back(std::move(writer));
        reactors_.push_back(std::make_unique<ReactorThread>(server_, r, base::UniqueFd(socks[1])));
    }
    for (auto& reactorThread : reactors_) reactorThread->start();

    acceptChannel_ = std::make_unique<reactor::Channel>(loop_.get(), listenFd);
    acceptChannel_->setReadCallback([this] { onAccept(); });
    acceptChannel_->enableReading();
    signals_ = std::make_unique<reactor::SignalChannel>(
        loop_.get(), std::initializer_list<int>{SIGTERM, SIGINT, SIGCHLD, SIGUSR1, SIGUSR2},
        [this](int signo, int) { onSignal(signo); });
    housekeeping_ =
        std::make_unique<reactor::PeriodicTimer>(loop_.get(), 1000, [this] { onHousekeeping(); });

    if (!config.pidFile.empty())
    {
        std::ofstream out(config.pidFile);
        out << ::getpid() << "\n";
        if (!out) RS_WARN("write(pid file {}): failed; continuing without it", config.pidFile);
    }
    std::string traceAt = collector_ ? collector_->listenAddress() : "";
    std::printf(
        "rscope server listening on %s:%u (mode process, reactor_num %d, worker_num %d, "
        "dispatch_mode %d %s, master pid %d, manager pid %d, trace %s)\n",
        config.host.c_str(), server_.port(), config.reactorNum, config.workerNum,
        config.dispatchMode, dispatch::dispatchModeName(config.dispatchMode), ::getpid(),
        server_.managerPid(), traceAt.empty() ? "off" : traceAt.c_str());
    std::fflush(stdout);
    if (server_.on().onStart) server_.on().onStart(server_);

    loop_->loop();
    return shutdownInOrder();
}

void Master::onAccept()
{
    const ServerConfig& config = server_.config();
    SharedState& shared = server_.shared();
    for (int i = 0; i < kAcceptPerEvent; ++i)
    {
        sockaddr_in peer{};
        int fd = reactor::acceptConnection(server_.listenFd().get(), &peer);
        if (fd == -EAGAIN) return;
        if (fd == -EMFILE || fd == -ENFILE)
        {
            // Out of fds: stop accepting for a second instead of spinning (swoole does too).
            RS_ERROR("accept4: {}; pausing accept for 1 s", base::errnoText(fd));
            acceptChannel_->disableReading();
            acceptPaused_ = true;
            return;
        }
        if (fd < 0)
        {
            RS_WARN_LIMITED("accept4: {}; continuing", base::errnoText(fd));
            continue;
        }
        if (fd >= config.maxConnection)
        {
            RS_WARN_LIMITED("accept4: fd {} >= max_connection {}; too many connections, closing it",
                            fd, config.maxConnection);
            ::close(fd);
            continue;
        }
        int64_t session = shared.allocateSession();
        if (session == 0)
        {
            RS_WARN_LIMITED("session table full ({} slots); closing fd {}",
                            shared.sessionCapacity(), fd);
            ::close(fd);
            continue;
        }
        reactor::setNoDelay(fd);
        SessionSlot& slot = shared.slotOf(session);
        slot.fd.store(fd, std::memory_order_relaxed);
        slot.reactorId = static_cast<int16_t>(fd % config.reactorNum);
        slot.serverFd = static_cast<uint16_t>(server_.listenFd().get());
        slot.remoteIp = ntohl(peer.sin_addr.s_addr);
        slot.remotePort = ntohs(peer.sin_port);
        slot.connectTimeS = base::wallSeconds();
        slot.lastRecvMs.store(base::monotonicMs(), std::memory_order_relaxed);
        shared.publishSession(session);
        shared.header().acceptCount.fetch_add(1, std::memory_order_relaxed);
        uint64_t flow = 0;
        if (trace::on())
        {
            flow = nextFlow();
            trace::ev::accept({.session = session, .fd = fd, .flow = flow},
                              server_.listenFd().get(), slot.remoteIp, slot.remotePort);
        }
        handOff(fd, session, flow);
    }
}

void Master::handOff(int fd, int64_t session, uint64_t flow)
{
    // The owning reactor is fd % reactor_num (model 3.1); INCOMING carries fd and session.
    int r = fd % server_.config().reactorNum;
    ipc::PipeHeader head{};
    head.session = session;
    head.type = static_cast<uint8_t>(ipc::PipeType::Incoming);
    head.reactorId = static_cast<int16_t>(r);
    head.aux = static_cast<uint32_t>(fd);
    head.timeNs = base::monotonicNs();
    head.flowId = flow;
    // Stamped before the write: the reactor thread may run the hand-off before we get back.
    trace::ev::reactorAssign({.session = session, .fd = fd, .reactor = r, .flow = flow});
    trace::ev::pipeWrite({.session = session, .reactor = r, .flow = flow},
                         trace::Direction::ToReactorThread, head.type, sizeof head, 1,
                         [&] { return notifyWriters_[r]->write(head, nullptr, 0); });
}

void Master::traceShutdown(uint8_t phase)
{
    trace::ev::shutdown(static_cast<trace::Phase>(phase));
}

void Master::onSignal(int signo)
{
    switch (signo)
    {
        case SIGTERM:
        case SIGINT:
            RS_INFO("{} received; shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
            trace::closeStepGate();  // no thread may wait for a step during the shutdown
            loop_->quit();
            break;
        case SIGUSR1:
        case SIGUSR2:
            RS_INFO("SIGUSR{} received; asking the manager to reload workers",
                    signo == SIGUSR1 ? 1 : 2);
            ::kill(server_.managerPid(), signo);
            break;
        case SIGCHLD:
            reapManager(false);
            break;
    }
}

void Master::reapManager(bool wait)
{
    int status = 0;
    pid_t manager = server_.managerPid();
    pid_t pid = ::waitpid(manager, &status, WNOHANG);
    if (wait)
    {
        // The manager SIGKILLs its workers after 2 x max_wait_time; past that, it is stuck.
        int64_t deadline = base::monotonicMs() + 2000LL * server_.config().maxWaitTimeS + 2000;
        while (pid == 0 && base::monotonicMs() < deadline)
        {
            ::usleep(5000);
            pid = ::waitpid(manager, &status, WNOHANG);
        }
        if (pid == 0)
        {
            RS_ERROR("manager (pid {}) did not stop in time; sending SIGKILL", manager);
            ::kill(manager, SIGKILL);
            pid = ::waitpid(manager, &status, 0);
        }
    }
    if (pid != manager) return;
    managerAlive_ = false;
    if (!wait)
    {
        // Nothing can fork workers any more: serving on would only queue requests forever.
        RS_ERROR("manager (pid {}) exited unexpectedly (status {}); shutting down", pid, status);
        exitCode_ = 1;
        loop_->quit();
    }
}

void Master::onHousekeeping()
{
    if (acceptPaused_)
    {
        acceptPaused_ = false;
        acceptChannel_->enableReading();
    }
    for (auto& writer : notifyWriters_) writer->flush();
}

int Master::shutdownInOrder()
{
    // Model 4: stop accepting; reactor threads flush and join; then the manager stops workers.
    server_.shared().header().shuttingDown.store(1);
    trace::closeStepGate();  // whatever ended the loop, the stop must not wait for steps
    traceShutdown(static_cast<uint8_t>(trace::Phase::Begin));
    acceptChannel_->remove();
    server_.listenFd().reset();
    for (size_t r = 0; r < reactors_.size(); ++r)
    {
        ipc::PipeHeader head{};
        head.type = static_cast<uint8_t>(ipc::PipeType::Shutdown);
        head.reactorId = static_cast<int16_t>(r);
        // Blocking flush: the loop no longer runs, and the reactor drains this pipe.
        notifyWriters_[r]->write(head, nullptr, 0);
        while (notifyWriters_[r]->queuedDatagrams() > 0)
        {
            notifyWriters_[r]->flush();
            std::this_thread::yield();
        }
    }
    for (auto& reactorThread : reactors_) reactorThread->join();
    traceShutdown(static_cast<uint8_t>(trace::Phase::ReactorsStopped));
    if (managerAlive_)
    {
        ::kill(server_.managerPid(), SIGTERM);
        reapManager(true);
    }
    if (server_.on().onShutdown) server_.on().onShutdown(server_);
    if (!server_.config().pidFile.empty()) ::unlink(server_.config().pidFile.c_str());
    traceShutdown(static_cast<uint8_t>(trace::Phase::Complete));
    // Last: the manager's and workers' final events are in the rings by now.
    if (collector_) collector_->stop();
    RS_INFO("shutdown complete: {} connections accepted, {} closed",
            server_.shared().header().acceptCount.load(),
            server_.shared().header().closeCount.load());
    return exitCode_;
}

}  // namespace rscope::server
