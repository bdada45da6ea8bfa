// Server: startup order of the model (section 2): shared tables, bind, pipes, fork the manager
// while single-threaded, then the master's reactor threads and main loop.
#include "engine/server/server.h"

#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "engine/base/log.h"
#include "engine/base/process_globals.h"
#include "engine/ipc/pipe_message.h"
#include "engine/reactor/socket_ops.h"
#include "engine/server/base_master.h"
#include "engine/server/manager.h"
#include "engine/server/master.h"
#include "engine/server/shared_state.h"
#include "engine/server/worker_context.h"
#include "engine/trace/events.h"
#include "engine/trace/step_gate.h"
#include "engine/trace/trace_buffers.h"
#include "engine/trace/trace_collector.h"

namespace rscope::server
{

Server::Server(std::string host, uint16_t port, Mode mode)
{
    config_.host = std::move(host);
    config_.port = port;
    config_.mode = mode;
}

Server::~Server()
{
    if (trace::gBuffers == traceBuffers_.get()) trace::gBuffers = nullptr;
    if (trace::gStepGate == stepGate_.get()) trace::gStepGate = nullptr;
}

bool Server::notifyConnect() const
{
    return callbacks_.onConnect && (config_.isHashDispatch() || config_.enableUnsafeEvent);
}

bool Server::notifyClose() const
{
    return callbacks_.onClose && (config_.isHashDispatch() || config_.enableUnsafeEvent);
}

int Server::start()
{
    base::setThreadRole(base::Role::Master, -1);
    config_.applyDefaults();
    std::string bad = config_.validate();
    if (!bad.empty())
    {
        RS_ERROR("invalid settings: {}; not starting", bad);
        return 2;
    }
    if (config_.mode == Mode::Process && !config_.isHashDispatch() && !config_.enableUnsafeEvent &&
        (callbacks_.onConnect || callbacks_.onClose))
        RS_WARN(
            "dispatch_mode {} is not a hash mode: onConnect/onClose are not delivered "
            "(as swoole does; --enable-unsafe-event keeps them)",
            config_.dispatchMode);
    if (config_.schedBatch)
    {
        // Inherited by every thread and child created from here on.
        sched_param param{};
        if (::sched_setscheduler(0, SCHED_BATCH, &param) < 0)
            RS_WARN("sched_setscheduler(SCHED_BATCH): {}; keeping the default policy",
                    base::errnoText(errno));
    }
    // Signals are taken through signalfd; the mask is inherited by every thread and child.
    reactor::blockServerSignals();
    shared_ = std::make_unique<SharedState>(config_.workerNum + config_.taskWorkerNum,
                                            config_.maxConnection);
    shared_->header().masterPid.store(::getpid());
    if (config_.tracingEnabled() && !trace::kTraceCompiled)
        RS_INFO(
            "this rscope was built with -DRSCOPE_TRACE=OFF: --trace-listen {} and "
            "--trace-file are ignored",
            config_.traceListen);
    if (config_.tracingEnabled() && trace::kTraceCompiled)
    {
        // Mapped before the first fork so that every process writes into the same rings.
        bool base = config_.mode == Mode::Base;
        traceBuffers_ = std::make_unique<trace::TraceBuffers>(
            base ? 0 : config_.reactorNum, config_.workerNum, config_.taskWorkerNum);
        trace::gBuffers = traceBuffers_.get();
        trace::gPayloadPreview = config_.tracePayload;
        if (config_.traceStep)
        {
            // Also before the first fork: every process waits on the same page. Not held until
            // a client says `hold`, so startup runs at full speed.
            stepGate_ = std::make_unique<trace::StepGate>();
            trace::gStepGate = stepGate_.get();
        }
        trace::attachThread(trace::ActorRole::Master, -1);
        trace::ev::serverStart(base ? 0 : config_.reactorNum, config_.workerNum,
                               config_.dispatchMode, base);
    }
    return config_.mode == Mode::Process ? startProcessMode() : startBaseMode();
}

void Server::createPipes()
{
    int total = config_.workerNum + config_.taskWorkerNum;
    pipes_.resize(total);
    for (int i = 0; i < total; ++i)
    {
        int socks[2];
        if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks) < 0)
            reactor::dieWithErrno("socketpair", fmt::format("pipe of worker {}", i), errno);
        for (int fd : socks)
        {
            int rc = reactor::setBufferSizes(fd, ipc::kPipeBufferBytes);
            if (rc < 0)
                RS_WARN(
                    "setsockopt(SO_SNDBUF/SO_RCVBUF, pipe of worker {}): {}; using the "
                    "kernel default",
                    i, base::errnoText(rc));
        }
        // swoole: socks[1] = pipe_master (reactor side), socks[0] = pipe_worker.
        pipes_[i].workerEnd.reset(socks[0]);
        pipes_[i].masterEnd.reset(socks[1]);
        if (trace::on())
        {
            int sndbuf = 0;
            socklen_t len = sizeof sndbuf;
            ::getsockopt(socks[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
            trace::ev::pipeCreate(i, socks[1], socks[0], sndbuf);
        }
    }
}

int Server::startProcessMode()
{
    const char* what = "";
    int fd = reactor::bindTcp(config_.host, config_.port, false, &what);
    if (fd < 0) reactor::dieWithErrno(what, fmt::format("{}:{}", config_.host, config_.port), -fd);
    listenFd_.reset(fd);
    boundListenFd_ = fd;
    port_ = reactor::localPort(fd);
    createPipes();

    // The manager is forked before any thread exists and before listen() (model 2.6).
    pid_t pid = ::fork();
    if (pid < 0) reactor::dieWithErrno("fork", "manager", errno);
    if (pid == 0)
    {
        int code = 70;
        try
        {
            Manager manager(*this);
            code = manager.run();
        }
        catch (const std::exception& e)
        {
            RS_ERROR("manager: uncaught exception: {}; exiting", e.what());
        }
        std::fflush(stdout);
        ::_exit(code);
    }
    shared_->header().managerPid.store(pid);
    Master master(*this);
    return master.run();
}

int Server::startBaseMode()
{
    // A bound (never listening) SO_REUSEPORT socket fixes the port, so port 0 works and every
    // worker binds the same one. The kernel routes connections only to listening sockets.
    const char* what = "";
    int fd = reactor::bindTcp(config_.host, config_.port, true, &what);
    if (fd < 0) reactor::dieWithErrno(what, fmt::format("{}:{}", config_.host, config_.port), -fd);
    listenFd_.reset(fd);
    boundListenFd_ = fd;
    port_ = reactor::localPort(fd);
    // Workers talk to each other (forwarded sends and closes) over the same pipes as PROCESS.
    createPipes();
    BaseMaster master(*this);
    return master.run();
}

trace::TopologySource Server::topologySource()
{
    // What never changes is copied now: the collector thread must not read UniqueFds that the
    // master closes at shutdown. Pids, generations and connections are read at each header from
    // the shared tables' atomics.
    bool base = config_.mode == Mode::Base;
    trace::Topology fixed;
    trace::Topology::Settings& s = fixed.settings;
    s.mode = modeName(config_.mode);
    s.host = config_.host;
    s.port = port_;
    s.workerNum = config_.workerNum;
    s.taskWorkerNum = config_.taskWorkerNum;
    s.reactorNum = base ? 0 : config_.reactorNum;
    s.dispatchMode = config_.dispatchMode;
    s.protocol = config_.protocol.protocol == protocol::Protocol::Eof      ? "eof"
                 : config_.protocol.protocol == protocol::Protocol::Length ? "length"
                                                                           : "raw";
    s.packageMaxLength = config_.protocol.maxLength;
    s.maxRequest = config_.maxRequest;
    s.heartbeatIdleTimeS = config_.heartbeatIdleTimeS;
    s.heartbeatCheckIntervalS = config_.heartbeatCheckIntervalS;
    s.socketBufferSize = static_cast<int64_t>(config_.socketBufferSize);
    s.bufferOutputSize = static_cast<int64_t>(config_.bufferOutputSize);
    for (int w = 0; w < config_.workerNum + config_.taskWorkerNum; ++w)
        fixed.pipes.push_back({w, pipes_[w].masterEnd.get(), pipes_[w].workerEnd.get(),
                               base || w >= config_.workerNum ? -1 : w % config_.reactorNum});
    fixed.listeners.push_back({config_.host, port_, boundListenFd_});
    SharedState* shared = shared_.get();
    return [fixed = std::move(fixed), shared, base]
    {
        trace::Topology t = fixed;
        t.processes.push_back({"master", -1, shared->header().masterPid.load(), -1});
        if (!base) t.processes.push_back({"manager", -1, shared->header().managerPid.load(), -1});
        for (int w = 0; w < t.settings.workerNum + t.settings.taskWorkerNum; ++w)
        {
            const WorkerSlot& slot = shared->worker(w);
            t.processes.push_back({w < t.settings.workerNum ? "worker" : "task_worker", w,
                                   slot.pid.load(), static_cast<int>(slot.generation.load())});
        }
        for (int64_t i = 0; i < shared->sessionCapacity(); ++i)
        {
            SessionSlot& slot = shared->slotOf(i);
            int64_t session = slot.sessionId.load(std::memory_order_acquire);
            if (session <= 0) continue;
            in_addr addr{htonl(slot.remoteIp)};
            char ip[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, &addr, ip, sizeof ip);
            t.connections.push_back({session, slot.fd.load(), slot.reactorId,
                                     std::string(ip) + ":" + std::to_string(slot.remotePort)});
        }
        return t;
    };
}

std::unique_ptr<trace::TraceCollector> Server::startTraceCollector()
{
    if (!traceBuffers_) return nullptr;
    trace::TraceOptions options;
    options.listen = config_.traceListen;
    options.file = config_.traceFile;
    options.payloadPreview = config_.tracePayload;
    options.stepGate = stepGate_.get();
    options.allowRemote = config_.traceAllowRemote;
    // The file's last events get the same bound as the workers' exit (max_wait_time).
    options.fileStopBudgetMs = config_.maxWaitTimeS * 1000;
    if (!config_.traceListenIsLocal())
        RS_WARN(
            "trace socket {} is reachable from other machines (--trace-allow-remote): "
            "anyone who connects reads payload previews{}",
            config_.traceListen, config_.traceStep ? " and can hold the server" : "");
    auto collector =
        std::make_unique<trace::TraceCollector>(topologySource(), *traceBuffers_, options);
    collector->start();
    return collector;
}

bool Server::send(int64_t session, std::string_view data)
{
    return context_ != nullptr && context_->send(session, data);
}

bool Server::close(int64_t session, bool reset)
{
    return context_ != nullptr && context_->close(session, reset);
}

std::optional<ConnectionInfo> Server::connectionInfo(int64_t session)
{
    if (!shared_) return std::nullopt;
    SessionSlot* slot = shared_->verify(session);
    if (slot == nullptr) return std::nullopt;
    ConnectionInfo info;
    info.session = session;
    info.fd = slot->fd.load(std::memory_order_relaxed);
    info.reactorId = slot->reactorId;
    in_addr addr{htonl(slot->remoteIp)};
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr, text, sizeof text);
    info.remoteIp = text;
    info.remotePort = slot->remotePort;
    info.connectTimeS = slot->connectTimeS;
    info.lastRecvMs = slot->lastRecvMs.load(std::memory_order_relaxed);
    info.uid = slot->uid.load(std::memory_order_relaxed);
    info.peerClosed = slot->peerClosed.load(std::memory_order_relaxed) != 0;
    // The slot may have moved on while we copied: check the id once more.
    if (slot->sessionId.load(std::memory_order_acquire) != session) return std::nullopt;
    return info;
}

bool Server::bind(int64_t session, int64_t uid)
{
    if (!shared_ || uid <= 0) return false;
    SessionSlot* slot = shared_->verify(session);
    if (slot == nullptr) return false;
    slot->uid.store(uid, std::memory_order_relaxed);
    return true;
}

int Server::workerId() const
{
    return context_ ? context_->workerId() : -1;
}

int64_t Server::task(std::string_view data, int dstWorkerId)
{
    return context_ != nullptr ? context_->task(data, dstWorkerId) : -1;
}

bool Server::finish(std::string_view data)
{
    return context_ != nullptr && context_->finish(data);
}

bool Server::sendMessage(std::string_view data, int dstWorkerId)
{
    return context_ != nullptr && context_->sendMessage(data, dstWorkerId);
}

bool Server::isTaskWorker() const
{
    return context_ != nullptr && context_->isTaskWorker();
}

pid_t Server::masterPid() const
{
    return shared_ ? shared_->header().masterPid.load() : 0;
}
pid_t Server::managerPid() const
{
    return shared_ ? shared_->header().managerPid.load() : 0;
}

void Server::shutdown()
{
    if (pid_t pid = masterPid(); pid > 0) ::kill(pid, SIGTERM);
}

void Server::reload()
{
    if (pid_t pid = masterPid(); pid > 0) ::kill(pid, SIGUSR1);
}

}  // namespace rscope::server
