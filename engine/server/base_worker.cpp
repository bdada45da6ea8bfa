// BaseWorker: accept, read, frame and call back in one process; forward to the owner otherwise.
#include "engine/server/base_worker.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/ipc/pipe_writer.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/signal_channel.h"
#include "engine/reactor/socket_ops.h"
#include "engine/reactor/timer.h"
#include "engine/server/connection.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
#include "engine/trace/events.h"

namespace rscope::server
{

namespace
{
constexpr int kBaseAcceptPerEvent = 64;  // SW_ACCEPT_MAX_COUNT
constexpr int kBasePipeReadBudget = 64;
constexpr size_t kBaseReadBytes = 64 * 1024;
}  // namespace

BaseWorker::BaseWorker(Server& server, int id) : server_(server), id_(id) {}

BaseWorker::~BaseWorker()
{
    for (Connection* conn : conns_) delete conn;
}

int BaseWorker::run()
{
    const ServerConfig& config = server_.config();
    SharedState& shared = server_.shared();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    trace::attachThread(trace::ActorRole::Worker, id_);
    if (::getppid() != shared.header().masterPid.load()) return 0;
    server_.listenFd().reset();  // the master's port placeholder

    const char* what = "";
    int fd = reactor::bindTcp(config.host, server_.port(), true, &what);
    if (fd < 0)
    {
        RS_ERROR("{}({}:{}): {}; worker exits", what, config.host, server_.port(),
                 base::errnoText(fd));
        return 1;
    }
    listenFd_.reset(fd);
    if (int rc = reactor::listenFd(fd, config.backlog); rc < 0)
    {
        RS_ERROR("listen({}:{}): {}; worker exits", config.host, server_.port(),
                 base::errnoText(rc));
        return 1;
    }

    loop_ = std::make_unique<reactor::EventLoop>();
    signals_ = std::make_unique<reactor::SignalChannel>(loop_.get(),
                                                        std::initializer_list<int>{SIGTERM, SIGINT},
                                                        [this](int signo, int)
                                                        {
                                                            if (signo == SIGTERM) stop();
                                                        });
    conns_.assign(config.maxConnection + 1, nullptr);
    readBuffer_.reset(new char[kBaseReadBytes]);
    acceptChannel_ = std::make_unique<reactor::Channel>(loop_.get(), fd);
    acceptChannel_->setReadCallback([this] { onAccept(); });
    acceptChannel_->enableReading();

    reader_ = std::make_unique<ipc::PipeReader>();
    int ownFd = server_.pipes()[id_].workerEnd.get();
    ownPipeChannel_ = std::make_unique<reactor::Channel>(loop_.get(), ownFd);
    ownPipeChannel_->setReadCallback([this, ownFd]
                                     { reader_->readFrom(ownFd, *this, kBasePipeReadBudget); });
    ownPipeChannel_->enableReading();
    for (int w = 0; w < config.workerNum; ++w)
    {
        // Writing on pipe_master of worker w delivers to w's pipe_worker.
        int masterEnd = server_.pipes()[w].masterEnd.get();
        auto channel = std::make_unique<reactor::Channel>(loop_.get(), masterEnd);
        auto writer = std::make_unique<ipc::PipeWriter>(masterEnd, channel.get(), false);
        ipc::PipeWriter* raw = writer.get();
        channel->setWriteCallback([raw] { raw->flush(); });
        forwardChannels_.push_back(std::move(channel));
        forwardWriters_.push_back(std::move(writer));
    }
    if (config.heartbeatCheckIntervalS > 0)
        heartbeat_ = std::make_unique<reactor::PeriodicTimer>(
            loop_.get(), config.heartbeatCheckIntervalS * 1000, [this] { checkHeartbeat(); });

    WorkerSlot& slot = shared.worker(id_);
    slot.requests.store(0);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Idle));
    trace::ev::workerStart(id_, slot.generation.load());
    server_.setContext(this);
    if (server_.on().onWorkerStart) server_.on().onWorkerStart(server_, id_);
    loop_->loop();
    for (Connection* conn : conns_)
        if (conn != nullptr) closeConnection(conn, "worker stopping");
    if (server_.on().onWorkerStop) server_.on().onWorkerStop(server_, id_);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Exited));
    server_.setContext(nullptr);
    return 0;
}

void BaseWorker::stop()
{
    // Stop accepting at once: the kernel sends new connections to the other workers.
    acceptChannel_->remove();
    listenFd_.reset();
    loop_->quit();
}

void BaseWorker::onAccept()
{
    const ServerConfig& config = server_.config();
    SharedState& shared = server_.shared();
    for (int i = 0; i < kBaseAcceptPerEvent; ++i)
    {
        sockaddr_in peer{};
        int fd = reactor::acceptConnection(listenFd_.get(), &peer);
        if (fd == -EAGAIN) return;
        if (fd < 0)
        {
            RS_WARN_LIMITED("accept4: {}; continuing", base::errnoText(fd));
            return;
        }
        int64_t session = fd < config.maxConnection ? shared.allocateSession() : 0;
        if (session == 0)
        {
            RS_WARN_LIMITED("fd {}: too many connections; closing it", fd);
            ::close(fd);
            continue;
        }
        reactor::setNoDelay(fd);
        SessionSlot& slot = shared.slotOf(session);
        slot.fd.store(fd, std::memory_order_relaxed);
        slot.reactorId = static_cast<int16_t>(id_);  // in BASE the worker is its own reactor
        slot.remoteIp = ntohl(peer.sin_addr.s_addr);
        slot.remotePort = ntohs(peer.sin_port);
        slot.connectTimeS = base::wallSeconds();
        slot.lastRecvMs.store(base::monotonicMs(), std::memory_order_relaxed);
        slot.ownerWorker.store(id_, std::memory_order_relaxed);
        shared.publishSession(session);
        shared.header().acceptCount.fetch_add(1, std::memory_order_relaxed);

        if (trace::on())
        {
            // In BASE mode the worker is its own main reactor: accept and registration at once.
            trace::ev::accept(connIds(session, fd), listenFd_.get(), slot.remoteIp,
                              slot.remotePort);
            trace::ev::reactorRegister(connIds(session, fd));
        }
        auto* conn = new Connection(loop_.get(), fd, session, &config.protocol);
        conns_[fd] = conn;
        conn->channel().setReadCallback([this, conn] { onClientRead(conn); });
        conn->channel().setWriteCallback([this, conn] { onClientWrite(conn); });
        conn->channel().enableReading();
        if (server_.on().onConnect)
            tracedCallback(trace::CallbackId::OnConnect, session, fd,
                           [&] { server_.on().onConnect(server_, session, id_); });
    }
}

void BaseWorker::onClientRead(Connection* conn)
{
    ssize_t n = reactor::readSome(conn->fd(), readBuffer_.get(), kBaseReadBytes);
    if (n > 0)
    {
        conn->bytesIn += static_cast<uint64_t>(n);
        if (trace::on())
            trace::ev::read(base::monotonicNs(), connIds(conn->session(), conn->fd()), n, 0,
                            readBuffer_.get());
        server_.shared()
            .slotOf(conn->session())
            .lastRecvMs.store(base::monotonicMs(), std::memory_order_relaxed);
        if (conn->closeQueued) return;
        if (conn->decoder() == nullptr)
        {
            deliver(conn, readBuffer_.get(), static_cast<size_t>(n));
            return;
        }
        framing_ = conn;
        const char* error = conn->decoder()->feed(readBuffer_.get(), static_cast<size_t>(n), *this);
        framing_ = nullptr;
        if (error != nullptr)
        {
            RS_WARN_LIMITED("session {} (fd {}): {}; closing this connection", conn->session(),
                            conn->fd(), error);
            peerClose(conn, "protocol");
        }
        return;
    }
    if (n == -EAGAIN) return;
    peerClose(conn, n == 0 ? "eof" : "error");
}

void BaseWorker::onFrame(const char* data, size_t len)
{
    deliver(framing_, data, len);
}

template <typename Fn>
void BaseWorker::tracedCallback(trace::CallbackId id, int64_t session, int fd, Fn&& fn)
{
    trace::ev::callback(connIds(session, fd), id, std::forward<Fn>(fn));
}

void BaseWorker::deliver(Connection* conn, const char* data, size_t len)
{
    SessionSlot& slot = server_.shared().slotOf(conn->session());
    if (conn->peerClosed || slot.closed.load(std::memory_order_relaxed)) return;
    tracedCallback(trace::CallbackId::OnReceive, conn->session(), conn->fd(),
                   [&]
                   {
                       try
                       {
                           if (server_.on().onReceive)
                               server_.on().onReceive(server_, conn->session(), id_,
                                                      std::string_view(data, len));
                       }
                       catch (const std::exception& e)
                       {
                           RS_ERROR("onReceive(session {}) threw: {}; the worker goes on",
                                    conn->session(), e.what());
                       }
                   });
    server_.shared().worker(id_).requests.fetch_add(1, std::memory_order_relaxed);
}

void BaseWorker::onClientWrite(Connection* conn)
{
    int rc = conn->flushOutput();
    if (rc < 0)
        peerClose(conn, "error");
    else if (rc == 1 && conn->closeQueued)
        closeConnection(conn, "closed by server after flush");
}

void BaseWorker::peerClose(Connection* conn, const char* cause)
{
    if (conn->peerClosed) return;
    conn->peerClosed = true;
    SessionSlot& slot = server_.shared().slotOf(conn->session());
    slot.peerClosed.store(1, std::memory_order_relaxed);
    uint8_t expected = 0;
    if (slot.closed.compare_exchange_strong(expected, 1) && server_.on().onClose)
        tracedCallback(trace::CallbackId::OnClose, conn->session(), conn->fd(),
                       [&] { server_.on().onClose(server_, conn->session(), id_); });
    closeConnection(conn, cause);
}

void BaseWorker::closeConnection(Connection* conn, const char* reason)
{
    RS_DEBUG("session {} fd {} closed: {}", conn->session(), conn->fd(), reason);
    trace::ev::close(connIds(conn->session(), conn->fd()), trace::Cause::None, 0);
    conn->dropOutput();
    conn->channel().remove();
    conns_[conn->fd()] = nullptr;
    server_.shared().releaseSession(conn->session());
    server_.shared().header().closeCount.fetch_add(1, std::memory_order_relaxed);
    if (loop_->quitting())
        delete conn;
    else
        loop_->runAfterEvents([conn] { delete conn; });
}

Connection* BaseWorker::lookup(int64_t session)
{
    SessionSlot* slot = server_.shared().verify(session);
    if (slot == nullptr || slot->ownerWorker.load(std::memory_order_relaxed) != id_) return nullptr;
    int fd = slot->fd.load(std::memory_order_relaxed);
    if (fd < 0 || fd >= static_cast<int>(conns_.size())) return nullptr;
    Connection* conn = conns_[fd];
    return conn != nullptr && conn->session() == session ? conn : nullptr;
}

void BaseWorker::forward(int owner, int64_t session, uint8_t type, const char* data, size_t len,
                         uint32_t aux)
{
    ipc::PipeHeader head{};
    head.session = session;
    head.msgId = (static_cast<uint64_t>(0x100 + id_) << 40) | ++msgCounter_;
    head.timeNs = base::monotonicNs();
    head.type = type;
    head.workerId = static_cast<uint16_t>(id_);
    head.aux = aux;
    forwardWriters_[owner]->write(head, data, len);
}

bool BaseWorker::send(int64_t session, std::string_view data)
{
    SessionSlot* slot = server_.shared().verify(session);
    if (slot == nullptr || slot->closed.load(std::memory_order_relaxed) ||
        slot->peerClosed.load(std::memory_order_relaxed))
        return false;
    // swServer_tcp_send refuses it in both modes; BASE mode has no overflow check (model 3.8).
    if (data.size() >= server_.config().bufferOutputSize)
    {
        RS_WARN_LIMITED("send(session {}): {} bytes is not below buffer_output_size {}; dropped",
                        session, data.size(), server_.config().bufferOutputSize);
        trace::ev::discard({.session = session, .worker = id_}, trace::Cause::TooLarge,
                           data.size());
        return false;
    }
    int owner = slot->ownerWorker.load(std::memory_order_relaxed);
    if (owner != id_)
    {
        forward(owner, session, static_cast<uint8_t>(ipc::PipeType::SendData), data.data(),
                data.size(), 0);
        return true;
    }
    Connection* conn = lookup(session);
    if (conn == nullptr || conn->closeQueued) return false;
    trace::ev::reactorWrite(connIds(session, conn->fd()), data.size(), 0, conn->queuedBytes() == 0);
    if (conn->send(data.data(), data.size()) < 0)
    {
        peerClose(conn, "error");
        return false;
    }
    return true;
}

bool BaseWorker::close(int64_t session, bool reset)
{
    SessionSlot* slot = server_.shared().verify(session);
    if (slot == nullptr || slot->closed.load(std::memory_order_relaxed)) return false;
    int owner = slot->ownerWorker.load(std::memory_order_relaxed);
    if (owner != id_)
    {
        forward(owner, session, static_cast<uint8_t>(ipc::PipeType::CloseForward), nullptr, 0,
                reset ? ipc::kCloseReset : 0);
        return true;
    }
    Connection* conn = lookup(session);
    return conn != nullptr && closeOwned(conn, reset);
}

bool BaseWorker::closeOwned(Connection* conn, bool reset)
{
    SessionSlot& slot = server_.shared().slotOf(conn->session());
    uint8_t expected = 0;
    if (!slot.closed.compare_exchange_strong(expected, 1)) return false;
    slot.closeActively.store(1, std::memory_order_relaxed);
    if (server_.on().onClose)
        tracedCallback(trace::CallbackId::OnClose, conn->session(), conn->fd(),
                       [&] { server_.on().onClose(server_, conn->session(), -1); });
    if (reset || conn->queuedBytes() == 0)
        closeConnection(conn, reset ? "reset by server" : "closed by server");
    else
    {
        conn->closeQueued = true;
        conn->channel().disableReading();
    }
    return true;
}

void BaseWorker::onMessage(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    Connection* conn = lookup(head.session);
    if (conn == nullptr) return;
    switch (static_cast<ipc::PipeType>(head.type))
    {
        case ipc::PipeType::SendData:  // another worker's send() for our connection
            if (!conn->peerClosed && !conn->closeQueued && conn->send(payload, len) < 0)
                peerClose(conn, "error");
            break;
        case ipc::PipeType::CloseForward:
            closeOwned(conn, head.aux & ipc::kCloseReset);
            break;
        default:
            break;
    }
}

void BaseWorker::checkHeartbeat()
{
    int64_t now = base::monotonicMs();
    int64_t idleMs = static_cast<int64_t>(server_.config().heartbeatIdleTimeS) * 1000;
    for (Connection* conn : conns_)
    {
        if (conn == nullptr || conn->peerClosed) continue;
        int64_t last =
            server_.shared().slotOf(conn->session()).lastRecvMs.load(std::memory_order_relaxed);
        if (now - last > idleMs)
        {
            RS_INFO("session {} idle for {} ms; closing (heartbeat)", conn->session(), now - last);
            peerClose(conn, "heartbeat");
        }
    }
}

}  // namespace rscope::server
