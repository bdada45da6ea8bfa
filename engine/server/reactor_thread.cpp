// ReactorThread: the per-thread loop that owns client connections and the worker pipes it polls.
#include "engine/server/reactor_thread.h"

#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/base/process_globals.h"
#include "engine/dispatch/dispatch_policy.h"
#include "engine/ipc/pipe_codec.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/ipc/pipe_writer.h"
#include "engine/reactor/event_loop.h"
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
// Datagrams taken from one pipe per readiness, so one busy worker cannot starve the clients.
constexpr int kPipeReadBudget = 64;
// Raw reads fit one datagram, so a raw read is always one pipe message of one datagram.
constexpr size_t kReadBytes = ipc::kMaxChunkPayload;
}  // namespace

class ReactorThread::Loop : public ipc::MessageSink, public protocol::FrameSink
{
  public:
    Loop(Server& server, int id, int notifyFd);
    void run() { loop_.loop(); }

  private:
    // Main reactor -> this thread.
    void onNotifyReadable();
    void onIncoming(int fd, int64_t session, uint64_t flow);
    void onShutdown();
    // Pipe messages from workers (and the notify pipe).
    void onMessage(const ipc::PipeHeader& head, const char* payload, size_t len) override;
    void onSendData(const ipc::PipeHeader& head, const char* payload, size_t len);
    void onCloseFromWorker(const ipc::PipeHeader& head);
    // Client side.
    void onClientRead(Connection* conn);
    void onClientWrite(Connection* conn);
    void onFrame(const char* data, size_t len) override;
    void dispatch(Connection* conn, ipc::PipeType type, const char* data, size_t len,
                  uint64_t flow);
    void peerClose(Connection* conn, trace::Cause cause);
    void closeConnection(Connection* conn, trace::Cause cause, uint64_t flow);
    void traceDiscard(int64_t session, uint64_t flow, trace::Cause reason, size_t len);
    // The ids of an event about this connection: its session, fd and this reactor.
    trace::ev::Ids connIds(const Connection* conn, uint64_t flow = 0) const
    {
        return {.session = conn->session(), .fd = conn->fd(), .reactor = id_, .flow = flow};
    }
    void checkHeartbeat();

    int scheduleWorker(const Connection* conn);
    Connection* lookup(int64_t session);
    Connection*& slotFor(int fd) { return conns_[fd / reactorNum_]; }
    uint64_t nextMsgId() { return (static_cast<uint64_t>(id_ + 1) << 40) | ++msgCounter_; }

    reactor::EventLoop loop_;
    Server& server_;
    SharedState& shared_;
    const ServerConfig& config_;
    int id_;
    int reactorNum_;
    int workerNum_;
    bool notifyConnect_;
    bool notifyClose_;
    int notifyFd_;
    reactor::Channel notifyChannel_;
    std::vector<std::unique_ptr<reactor::Channel>> pipeChannels_;  // per worker pipe_master
    std::vector<std::unique_ptr<ipc::PipeWriter>> writers_;        // per worker pipe_master
    std::vector<ipc::PipeWriter*> dirtyWriters_;  // writers holding a batch until before-sleep
    ipc::PipeReader reader_;
    std::vector<Connection*> conns_;  // indexed by fd / reactor_num
    size_t connectionCount_ = 0;
    std::unique_ptr<char[]> readBuffer_;
    Connection* framing_ = nullptr;  // connection whose frames onFrame receives
    uint64_t msgCounter_ = 0;
    int64_t readTimeNs_ = 0;
    std::unique_ptr<reactor::PeriodicTimer> heartbeat_;
    bool shuttingDown_ = false;
};

ReactorThread::Loop::Loop(Server& server, int id, int notifyFd)
    : server_(server),
      shared_(server.shared()),
      config_(server.config()),
      id_(id),
      reactorNum_(server.config().reactorNum),
      workerNum_(server.config().workerNum),
      notifyConnect_(server.notifyConnect()),
      notifyClose_(server.notifyClose()),
      notifyFd_(notifyFd),
      notifyChannel_(&loop_, notifyFd),
      conns_(server.config().maxConnection / server.config().reactorNum + 2, nullptr),
      readBuffer_(new char[kReadBytes])
{
    notifyChannel_.setReadCallback([this] { onNotifyReadable(); });
    notifyChannel_.enableReading();
    // A channel and a writer for every worker's pipe_master: any worker may be chosen by
    // dispatch. Only the pipes of workers id % reactor_num == id_ are read here (model 2.9).
    for (int w = 0; w < workerNum_; ++w)
    {
        int fd = server.pipes()[w].masterEnd.get();
        auto channel = std::make_unique<reactor::Channel>(&loop_, fd);
        auto writer = std::make_unique<ipc::PipeWriter>(fd, channel.get(), true);
        writer->enableBatching(&dirtyWriters_);
        writer->setTraceTag(w, static_cast<uint8_t>(trace::Direction::ToWorker));
        ipc::PipeWriter* rawWriter = writer.get();
        channel->setWriteCallback([rawWriter] { rawWriter->flush(); });
        if (w % reactorNum_ == id_)
        {
            channel->setReadCallback([this, fd] { reader_.readFrom(fd, *this, kPipeReadBudget); });
            channel->enableReading();
        }
        pipeChannels_.push_back(std::move(channel));
        writers_.push_back(std::move(writer));
    }
    // Dispatches of one loop iteration leave in one sendmmsg per worker pipe.
    loop_.setBeforeSleep([this] { ipc::PipeWriter::flushAll(dirtyWriters_); });
    if (config_.heartbeatCheckIntervalS > 0)
        heartbeat_ = std::make_unique<reactor::PeriodicTimer>(
            &loop_, config_.heartbeatCheckIntervalS * 1000, [this] { checkHeartbeat(); });
    int64_t watched = 0, mask = 0;
    for (int w = id_; w < workerNum_; w += reactorNum_)
    {
        ++watched;
        if (w < 63) mask |= int64_t{1} << w;
    }
    trace::ev::reactorStart(id_, watched, mask);
}

void ReactorThread::Loop::onNotifyReadable()
{
    reader_.readFrom(notifyFd_, *this, kPipeReadBudget);
}

void ReactorThread::Loop::onMessage(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    switch (static_cast<ipc::PipeType>(head.type))
    {
        case ipc::PipeType::SendData:
            onSendData(head, payload, len);
            break;
        case ipc::PipeType::Close:
            onCloseFromWorker(head);
            break;
        case ipc::PipeType::Incoming:
            onIncoming(static_cast<int>(head.aux), head.session, head.flowId);
            break;
        case ipc::PipeType::Shutdown:
            onShutdown();
            break;
        default:
            RS_WARN_LIMITED("pipe: unexpected {} message for session {}; dropped",
                            trace::pipeTypeName(head.type), head.session);
    }
}

void ReactorThread::Loop::onIncoming(int fd, int64_t session, uint64_t flow)
{
    if (shuttingDown_)
    {
        shared_.releaseSession(session);
        ::close(fd);
        return;
    }
    auto* conn = new Connection(&loop_, fd, session, &config_.protocol);
    slotFor(fd) = conn;
    ++connectionCount_;
    conn->channel().setReadCallback([this, conn] { onClientRead(conn); });
    conn->channel().setWriteCallback([this, conn] { onClientWrite(conn); });
    conn->channel().enableReading();
    trace::ev::reactorRegister({.session = session, .fd = fd, .reactor = id_, .flow = flow});
    // CONNECT takes the same pipe as the data that follows, so it always arrives first (model 3.2).
    if (notifyConnect_) dispatch(conn, ipc::PipeType::Connect, nullptr, 0, flow);
}

int ReactorThread::Loop::scheduleWorker(const Connection* conn)
{
    const SessionSlot& slot = shared_.slotOf(conn->session());
    dispatch::DispatchKey key{conn->fd(), slot.remoteIp, slot.uid.load(std::memory_order_relaxed)};
    return dispatch::chooseWorker(
        config_.dispatchMode, workerNum_, key, shared_.header().roundRobin,
        [this](int w)
        {
            return shared_.worker(w).status.load(std::memory_order_relaxed) ==
                   static_cast<uint8_t>(WorkerStatus::Busy);
        });
}

void ReactorThread::Loop::dispatch(Connection* conn, ipc::PipeType type, const char* data,
                                   size_t len, uint64_t flow)
{
    int worker = scheduleWorker(conn);
    ipc::PipeHeader head{};
    head.session = conn->session();
    head.msgId = nextMsgId();
    head.flowId = flow != 0 ? flow : head.msgId;
    head.timeNs = readTimeNs_;
    head.reactorId = static_cast<int16_t>(id_);
    head.type = static_cast<uint8_t>(type);
    head.workerId = static_cast<uint16_t>(worker);
    trace::EventKind kind = type == ipc::PipeType::Connect ? trace::EventKind::ConnectNotify
                            : type == ipc::PipeType::Close ? trace::EventKind::CloseNotify
                                                           : trace::EventKind::Dispatch;
    trace::ev::dispatch(kind,
                        {.session = head.session,
                         .fd = conn->fd(),
                         .reactor = id_,
                         .worker = worker,
                         .flow = head.flowId,
                         .msgId = head.msgId},
                        head.type, len, config_.dispatchMode);
    trace::ev::pipeWrite({.session = head.session,
                          .reactor = id_,
                          .worker = worker,
                          .flow = head.flowId,
                          .msgId = head.msgId},
                         trace::Direction::ToWorker, head.type, len + sizeof head,
                         ipc::chunkCount(len),
                         [&] { return writers_[worker]->write(head, data, len); });
}

void ReactorThread::Loop::onClientRead(Connection* conn)
{
    ssize_t n = reactor::readSome(conn->fd(), readBuffer_.get(), kReadBytes);
    if (n > 0)
    {
        readTimeNs_ = base::monotonicNs();
        conn->bytesIn += static_cast<uint64_t>(n);
        shared_.slotOf(conn->session())
            .lastRecvMs.store(readTimeNs_ / 1000000, std::memory_order_relaxed);
        protocol::FrameDecoder* decoder = conn->decoder();
        uint64_t flow = 0;
        if (trace::on())
        {
            // With the raw protocol the read opens the request flow. With framing a read may
            // complete no packet (or several): each frame opens its own flow instead.
            flow = decoder == nullptr ? nextMsgId() : 0;
            trace::ev::read(readTimeNs_, connIds(conn, flow), n,
                            decoder ? static_cast<int64_t>(decoder->bufferedBytes()) + n : 0,
                            readBuffer_.get());
        }
        if (conn->closeQueued)
        {
            // The server already closed it: data is discarded (model 8.5, first place).
            traceDiscard(conn->session(), flow, trace::Cause::Closed, static_cast<size_t>(n));
            return;
        }
        if (decoder == nullptr)
        {
            dispatch(conn, ipc::PipeType::RecvData, readBuffer_.get(), static_cast<size_t>(n),
                     flow);
            return;
        }
        framing_ = conn;
        const char* error = decoder->feed(readBuffer_.get(), static_cast<size_t>(n), *this);
        framing_ = nullptr;
        if (error != nullptr)
        {
            RS_WARN_LIMITED(
                "session {} (fd {}): {} (package_max_length {}); closing this connection",
                conn->session(), conn->fd(), error, config_.protocol.maxLength);
            if (trace::on())
                trace::ev::frameError(
                    connIds(conn, nextMsgId()),
                    std::strstr(error, "large") ? trace::Cause::TooLarge : trace::Cause::Malformed,
                    static_cast<int64_t>(decoder->bufferedBytes()), config_.protocol.maxLength);
            peerClose(conn, trace::Cause::Protocol);
        }
        return;
    }
    if (n == 0)
    {
        peerClose(conn, trace::Cause::Eof);
        return;
    }
    if (n == -EAGAIN) return;
    RS_DEBUG("recv(session {}, fd {}): {}; closing", conn->session(), conn->fd(),
             base::errnoText(static_cast<int>(n)));
    peerClose(conn, trace::Cause::Error);
}

void ReactorThread::Loop::onFrame(const char* data, size_t len)
{
    uint64_t flow = 0;
    if (trace::on())
    {
        flow = nextMsgId();
        trace::ev::frame(connIds(framing_, flow), data, len,
                         static_cast<uint8_t>(config_.protocol.protocol));
    }
    dispatch(framing_, ipc::PipeType::RecvData, data, len, flow);
}

void ReactorThread::Loop::onClientWrite(Connection* conn)
{
    int rc = conn->flushOutput();
    if (rc < 0)
    {
        RS_DEBUG("send(session {}, fd {}): {}; closing", conn->session(), conn->fd(),
                 base::errnoText(rc));
        peerClose(conn, trace::Cause::Error);
        return;
    }
    if (rc == 1)
    {
        SessionSlot& slot = shared_.slotOf(conn->session());
        if (slot.overflow.exchange(0, std::memory_order_relaxed))
            trace::ev::bufferPressure(false, connIds(conn), 0, config_.socketBufferSize);
        if (conn->closeQueued) closeConnection(conn, trace::Cause::ServerClose, conn->closeFlow);
    }
}

Connection* ReactorThread::Loop::lookup(int64_t session)
{
    SessionSlot* slot = shared_.verify(session);
    if (slot == nullptr) return nullptr;
    int fd = slot->fd.load(std::memory_order_relaxed);
    if (fd < 0 || fd % reactorNum_ != id_) return nullptr;
    Connection* conn = slotFor(fd);
    return conn != nullptr && conn->session() == session ? conn : nullptr;
}

void ReactorThread::Loop::traceDiscard(int64_t session, uint64_t flow, trace::Cause reason,
                                       size_t len)
{
    trace::ev::discard({.session = session, .reactor = id_, .flow = flow}, reason, len);
}

void ReactorThread::Loop::onSendData(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    Connection* conn = lookup(head.session);
    // A vanished session or one being closed: the reply has nowhere to go (model 3.8).
    if (conn == nullptr || conn->peerClosed || conn->closeQueued)
    {
        shared_.header().discardCount.fetch_add(1, std::memory_order_relaxed);
        traceDiscard(head.session, head.flowId,
                     conn == nullptr ? trace::Cause::Gone : trace::Cause::Closed, len);
        return;
    }
    size_t queuedBefore = conn->queuedBytes();
    bool direct = queuedBefore == 0;
    int rc = conn->send(payload, len);
    trace::ev::reactorWrite({.session = head.session,
                             .fd = conn->fd(),
                             .reactor = id_,
                             .worker = head.workerId,
                             .flow = head.flowId,
                             .msgId = head.msgId},
                            len, conn->queuedBytes(), direct);
    if (rc < 0)
    {
        RS_DEBUG("send(session {}, fd {}): {}; closing", conn->session(), conn->fd(),
                 base::errnoText(rc));
        peerClose(conn, trace::Cause::Error);
        return;
    }
    // As swoole 1.8.8+ (swReactorThread_send): the limit is checked against what was queued
    // before this reply, and the reply is queued all the same; only later send()s fail (model 3.8).
    if (queuedBefore >= config_.socketBufferSize)
    {
        SessionSlot& slot = shared_.slotOf(conn->session());
        if (!slot.overflow.exchange(1, std::memory_order_relaxed))
            trace::ev::bufferPressure(true, connIds(conn), conn->queuedBytes(),
                                      config_.socketBufferSize);
    }
}

void ReactorThread::Loop::onCloseFromWorker(const ipc::PipeHeader& head)
{
    Connection* conn = lookup(head.session);
    if (conn == nullptr)
    {
        // Already closed (both sides closed at once): the flow ends here.
        traceDiscard(head.session, head.flowId, trace::Cause::Gone, 0);
        return;
    }
    if (conn->peerClosed)
        closeConnection(conn, trace::Cause::Eof, head.flowId);
    else if ((head.aux & ipc::kCloseReset) || conn->queuedBytes() == 0)
        closeConnection(
            conn, head.aux & ipc::kCloseReset ? trace::Cause::Reset : trace::Cause::ServerClose,
            head.flowId);
    else
    {
        // Close after the queued output is written (swoole's close marker, model 8.11).
        conn->closeQueued = true;
        conn->closeFlow = head.flowId;
        conn->channel().disableReading();
    }
}

void ReactorThread::Loop::peerClose(Connection* conn, trace::Cause cause)
{
    if (conn->peerClosed) return;
    conn->peerClosed = true;
    shared_.slotOf(conn->session()).peerClosed.store(1, std::memory_order_relaxed);
    // Out of epoll but still open: the fd number must not be reused before onClose ran (model 8.1).
    conn->channel().remove();
    uint64_t flow = 0;
    if (trace::on())
    {
        flow = nextMsgId();
        trace::ev::peerClose(connIds(conn, flow), cause);
    }
    if (!notifyClose_ || conn->closeQueued || shuttingDown_)
    {
        closeConnection(conn, cause, flow);
        return;
    }
    dispatch(conn, ipc::PipeType::Close, nullptr, 0, flow);
}

void ReactorThread::Loop::closeConnection(Connection* conn, trace::Cause cause, uint64_t flow)
{
    size_t dropped = conn->dropOutput();
    RS_DEBUG("session {} fd {} closed: {} ({} bytes in, {} out, {} dropped)", conn->session(),
             conn->fd(), trace::causeName(static_cast<uint8_t>(cause)), conn->bytesIn,
             conn->bytesOut, dropped);
    trace::ev::close(connIds(conn, flow), cause, dropped);
    conn->channel().remove();
    slotFor(conn->fd()) = nullptr;
    --connectionCount_;
    shared_.releaseSession(conn->session());
    shared_.header().closeCount.fetch_add(1, std::memory_order_relaxed);
    // Deleted (and the fd closed) after this batch of events: a later event of the same batch
    // may still point at the channel.
    loop_.runAfterEvents([conn] { delete conn; });
    if (shuttingDown_ && connectionCount_ == 0) loop_.quit();
}

void ReactorThread::Loop::checkHeartbeat()
{
    int64_t now = base::monotonicMs();
    int64_t idleMs = static_cast<int64_t>(config_.heartbeatIdleTimeS) * 1000;
    for (Connection* conn : conns_)
    {
        if (conn == nullptr || conn->peerClosed) continue;
        int64_t last = shared_.slotOf(conn->session()).lastRecvMs.load(std::memory_order_relaxed);
        if (now - last <= idleMs) continue;
        RS_INFO("session {} (fd {}) idle for {} ms > heartbeat_idle_time {} s; closing",
                conn->session(), conn->fd(), now - last, config_.heartbeatIdleTimeS);
        peerClose(conn, trace::Cause::Heartbeat);
    }
}

void ReactorThread::Loop::onShutdown()
{
    // Model 4: stop reading pipes and clients, flush what can be flushed now, close everything.
    shuttingDown_ = true;
    for (auto& channel : pipeChannels_) channel->disableAll();
    notifyChannel_.disableAll();
    for (Connection* conn : conns_)
    {
        if (conn == nullptr) continue;
        conn->flushOutput();
        closeConnection(conn, trace::Cause::Shutdown, 0);
    }
    loop_.quit();
}

ReactorThread::ReactorThread(Server& server, int id, base::UniqueFd notifyFd)
    : server_(server), id_(id), notifyFd_(std::move(notifyFd))
{
}

ReactorThread::~ReactorThread()
{
    join();
}

void ReactorThread::start()
{
    std::promise<void> ready;
    std::future<void> started = ready.get_future();
    thread_ = std::thread(
        [this, ready = std::move(ready)]() mutable
        {
            base::setThreadRole(base::Role::Reactor, id_);
            trace::attachThread(trace::ActorRole::Reactor, id_);
            bool signalled = false;
            try
            {
                Loop loop(server_, id_, notifyFd_.get());
                ready.set_value();
                signalled = true;
                loop.run();
            }
            catch (const std::exception& e)
            {
                RS_ERROR("uncaught exception: {}; the reactor thread stops", e.what());
                if (!signalled) ready.set_value();
            }
        });
    started.wait();
}

void ReactorThread::join()
{
    if (thread_.joinable()) thread_.join();
}

}  // namespace rscope::server
