// Worker: pipe messages in, user callbacks, replies and closes out through the owning reactor.
#include "engine/server/worker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdint>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/dispatch/dispatch_policy.h"
#include "engine/ipc/pipe_codec.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/ipc/pipe_writer.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/signal_channel.h"
#include "engine/reactor/timer.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
#include "engine/trace/events.h"

namespace rscope::server
{

namespace
{
constexpr int kPipeReadBudget = 64;
}

Worker::Worker(Server& server, int id) : server_(server), id_(id) {}

Worker::~Worker() = default;

int Worker::run()
{
    SharedState& shared = server_.shared();
    // A worker must not outlive its manager (swoole relies on the manager alone; an orphan
    // worker would hold the pipes open forever, so we ask the kernel to stop it).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    trace::attachThread(trace::ActorRole::Worker, id_);
    int managerPid = shared.header().managerPid.load();
    if (managerPid > 0 && ::getppid() != managerPid) return 0;

    loop_ = std::make_unique<reactor::EventLoop>();
    signals_ = std::make_unique<reactor::SignalChannel>(loop_.get(),
                                                        std::initializer_list<int>{SIGTERM, SIGINT},
                                                        [this](int signo, int)
                                                        {
                                                            // SIGINT (Ctrl-C to the process group)
                                                            // is the master's to act on.
                                                            if (signo == SIGTERM)
                                                                beginExit("SIGTERM");
                                                        });
    reader_ = std::make_unique<ipc::PipeReader>();
    int workerNum = server_.config().workerNum;
    for (int w = 0; w < workerNum; ++w)
    {
        int workerEnd = server_.pipes()[w].workerEnd.get();
        int masterEnd = server_.pipes()[w].masterEnd.get();
        auto we = std::make_unique<reactor::Channel>(loop_.get(), workerEnd);
        auto me = std::make_unique<reactor::Channel>(loop_.get(), masterEnd);
        auto rw = std::make_unique<ipc::PipeWriter>(workerEnd, we.get(), false);
        rw->enableBatching(&dirtyWriters_);
        rw->setTraceTag(w, static_cast<uint8_t>(trace::Direction::ToReactor));
        auto fw = std::make_unique<ipc::PipeWriter>(masterEnd, me.get(), false);
        fw->setTraceTag(w, static_cast<uint8_t>(trace::Direction::ToWorkerForward));
        ipc::PipeWriter* rawReply = rw.get();
        ipc::PipeWriter* rawForward = fw.get();
        we->setWriteCallback(
            [this, rawReply]
            {
                rawReply->flush();
                if (exiting_) checkExit();
            });
        me->setWriteCallback(
            [this, rawForward]
            {
                rawForward->flush();
                if (exiting_) checkExit();
            });
        workerEndChannels_.push_back(std::move(we));
        masterEndChannels_.push_back(std::move(me));
        replyWriters_.push_back(std::move(rw));
        forwardWriters_.push_back(std::move(fw));
    }
    for (int t = workerNum; t < workerNum + server_.config().taskWorkerNum; ++t)
    {
        int masterEnd = server_.pipes()[t].masterEnd.get();
        auto channel = std::make_unique<reactor::Channel>(loop_.get(), masterEnd);
        auto writer = std::make_unique<ipc::PipeWriter>(masterEnd, channel.get(), false);
        writer->setTraceTag(t, static_cast<uint8_t>(trace::Direction::ToTaskWorker));
        ipc::PipeWriter* raw = writer.get();
        channel->setWriteCallback(
            [this, raw]
            {
                raw->flush();
                if (exiting_) checkExit();
            });
        taskChannels_.push_back(std::move(channel));
        taskWriters_.push_back(std::move(writer));
    }
    // Replies of one loop iteration leave in one sendmmsg per reactor pipe.
    loop_->setBeforeSleep([this] { ipc::PipeWriter::flushAll(dirtyWriters_); });
    int ownFd = server_.pipes()[id_].workerEnd.get();
    workerEndChannels_[id_]->setReadCallback([this, ownFd]
                                             { reader_->readFrom(ownFd, *this, kPipeReadBudget); });
    workerEndChannels_[id_]->enableReading();

    WorkerSlot& slot = shared.worker(id_);
    slot.requests.store(0);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Idle));
    server_.setContext(this);
    RS_DEBUG("worker started (generation {})", slot.generation.load());
    trace::ev::workerStart(id_, slot.generation.load());
    if (server_.on().onWorkerStart) server_.on().onWorkerStart(server_, id_);
    loop_->loop();
    if (server_.on().onWorkerStop) server_.on().onWorkerStop(server_, id_);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Exited));
    server_.setContext(nullptr);
    return 0;
}

void Worker::onMessage(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    WorkerSlot& slot = server_.shared().worker(id_);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Busy), std::memory_order_relaxed);
    flowId_ = head.flowId;
    session_ = head.session;
    callbackRan_ = false;
    trace::ev::workerReceive({.session = head.session,
                              .reactor = head.reactorId,
                              .worker = id_,
                              .flow = head.flowId,
                              .msgId = head.msgId},
                             head.type, len, ipc::chunkCount(len));
    // No exception may cross the loop: a throwing callback is logged and serving goes on.
    try
    {
        switch (static_cast<ipc::PipeType>(head.type))
        {
            case ipc::PipeType::RecvData:
                onReceive(head, payload, len);
                break;
            case ipc::PipeType::Connect:
                if (server_.shared().verify(head.session) && server_.on().onConnect)
                    runCallback(trace::CallbackId::OnConnect, head.session,
                                [&]
                                { server_.on().onConnect(server_, head.session, head.reactorId); });
                break;
            case ipc::PipeType::Close:
                onPeerClosed(head);
                break;
            case ipc::PipeType::CloseForward:
                if (SessionSlot* s = server_.shared().verify(head.session))
                    closeAsOwner(head.session, s, head.aux & ipc::kCloseReset);
                break;
            case ipc::PipeType::Finish:
                // A task's result (model 10.3): the task id travels in aux.
                if (server_.on().onFinish)
                    runCallback(trace::CallbackId::OnFinish, head.session,
                                [&] {
                                    server_.on().onFinish(server_, head.aux,
                                                          std::string_view(payload, len));
                                });
                break;
            case ipc::PipeType::PipeMessage:
                if (server_.on().onPipeMessage)
                    runCallback(trace::CallbackId::OnPipeMessage, head.session,
                                [&] {
                                    server_.on().onPipeMessage(server_, head.workerId,
                                                               std::string_view(payload, len));
                                });
                break;
            default:
                RS_WARN_LIMITED("pipe: unexpected {} message for session {}; dropped",
                                trace::pipeTypeName(head.type), head.session);
        }
    }
    catch (const std::exception& e)
    {
        RS_ERROR("callback for session {} threw: {}; the worker goes on", head.session, e.what());
    }
    // Every message ends in a callback or a discard, so each flow has a visible end.
    if (!callbackRan_) traceDiscard(head.session, trace::Cause::NoCallback, len);
    flowId_ = 0;
    session_ = 0;
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Idle), std::memory_order_relaxed);
}

void Worker::onReceive(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    SharedState& shared = server_.shared();
    SessionSlot* slot = shared.verify(head.session);
    // Data for a session that is gone or already closed is discarded (model 8.5, third place).
    if (slot == nullptr || slot->closed.load(std::memory_order_relaxed))
    {
        shared.header().discardCount.fetch_add(1, std::memory_order_relaxed);
        traceDiscard(head.session, slot ? trace::Cause::Closed : trace::Cause::Gone, len);
        return;
    }
    if (server_.on().onReceive)
        runCallback(trace::CallbackId::OnReceive, head.session,
                    [&] {
                        server_.on().onReceive(server_, head.session, head.reactorId,
                                               std::string_view(payload, len));
                    });
    WorkerSlot& me = shared.worker(id_);
    uint64_t handled = me.requests.fetch_add(1, std::memory_order_relaxed) + 1;
    me.totalRequests.fetch_add(1, std::memory_order_relaxed);
    uint64_t maxRequest = server_.config().maxRequest;
    if (maxRequest > 0 && handled >= maxRequest) beginExit("max_request");
}

void Worker::onPeerClosed(const ipc::PipeHeader& head)
{
    SessionSlot* slot = server_.shared().verify(head.session);
    if (slot == nullptr) return;
    // Whoever wins the CAS runs onClose, exactly once (model 3.9a, 8.12).
    uint8_t expected = 0;
    if (slot->closed.compare_exchange_strong(expected, 1) && server_.on().onClose)
        runCallback(trace::CallbackId::OnClose, head.session,
                    [&] { server_.on().onClose(server_, head.session, head.reactorId); });
    // Always answer: the reactor keeps the fd open until it hears back.
    sendToReactor(head.session, *slot, static_cast<uint8_t>(ipc::PipeType::Close), nullptr, 0, 0);
}

void Worker::sendToReactor(int64_t session, const SessionSlot& slot, uint8_t type, const char* data,
                           size_t len, uint32_t aux)
{
    // Pipe selection of model 3.7: one session always uses one pipe, read by its reactor.
    const ServerConfig& config = server_.config();
    int reactorPipeNum = config.workerNum / config.reactorNum;
    int index = static_cast<int>(session % reactorPipeNum);
    int pipe = slot.reactorId + index * config.reactorNum;
    ipc::PipeHeader head{};
    head.session = session;
    head.msgId = nextMsgId();
    head.flowId = flowId_;
    head.timeNs = base::monotonicNs();
    head.reactorId = slot.reactorId;
    head.type = type;
    head.workerId = static_cast<uint16_t>(id_);
    head.aux = aux;
    // Stamped before the write: the reactor may log the write-back before we get back.
    if (type == static_cast<uint8_t>(ipc::PipeType::SendData))
        trace::ev::sendRequest({.session = session,
                                .reactor = slot.reactorId,
                                .worker = id_,
                                .flow = head.flowId,
                                .msgId = head.msgId},
                               len, pipe);
    trace::ev::pipeWrite({.session = session,
                          .reactor = slot.reactorId,
                          .worker = pipe,
                          .flow = head.flowId,
                          .msgId = head.msgId},
                         trace::Direction::ToReactor, type, len + sizeof head, ipc::chunkCount(len),
                         [&] { return replyWriters_[pipe]->write(head, data, len); });
}

void Worker::traceDiscard(int64_t session, trace::Cause reason, size_t len)
{
    callbackRan_ = true;  // a discard also ends the message
    trace::ev::discard({.session = session, .worker = id_, .flow = flowId_}, reason, len);
}

void Worker::traceCloseRequest(int64_t session, const SessionSlot& slot, bool reset, int owner,
                               bool forwarded)
{
    trace::ev::closeRequest(
        {.session = session, .reactor = slot.reactorId, .worker = id_, .flow = flowId_}, owner,
        reset, forwarded);
}

bool Worker::send(int64_t session, std::string_view data)
{
    SessionSlot* slot = server_.shared().verify(session);
    if (slot == nullptr)
    {
        RS_DEBUG("send(session {}): session does not exist; dropped", session);
        return false;
    }
    // After the client left, send() fails at once even before onClose (model 8.16): normal.
    if (slot->closed.load(std::memory_order_relaxed) ||
        slot->peerClosed.load(std::memory_order_relaxed))
    {
        RS_DEBUG("send(session {}): session is closed; dropped", session);
        return false;
    }
    if (data.size() > UINT32_MAX)
    {
        // The pipe header carries a 32-bit length; a bigger message would arrive truncated.
        RS_WARN_LIMITED("send(session {}): {} bytes is more than one message can carry; dropped",
                        session, data.size());
        return false;
    }
    // swoole refuses a send() of buffer_output_size or more (swServer_tcp_send), and every send()
    // while the reactor has marked the output buffer overflow (swFactoryProcess_finish); model 3.8.
    trace::Cause refused = trace::Cause::None;
    if (data.size() >= server_.config().bufferOutputSize)
    {
        RS_WARN_LIMITED("send(session {}): {} bytes is not below buffer_output_size {}; dropped",
                        session, data.size(), server_.config().bufferOutputSize);
        refused = trace::Cause::TooLarge;
    }
    else if (slot->overflow.load(std::memory_order_relaxed))
    {
        RS_WARN_LIMITED("send(session {}): output buffer full (socket_buffer_size {}); dropped",
                        session, server_.config().socketBufferSize);
        refused = trace::Cause::Overflow;
    }
    if (refused != trace::Cause::None)
    {
        trace::ev::discard({.session = session, .worker = id_, .flow = flowId_}, refused,
                           data.size());
        return false;
    }
    sendToReactor(session, *slot, static_cast<uint8_t>(ipc::PipeType::SendData), data.data(),
                  data.size(), 0);
    return true;
}

int Worker::ownerOf(SessionSlot* slot) const
{
    const ServerConfig& config = server_.config();
    if (!config.isHashDispatch()) return id_;
    dispatch::DispatchKey key{slot->fd.load(std::memory_order_relaxed), slot->remoteIp,
                              slot->uid.load(std::memory_order_relaxed)};
    std::atomic<uint64_t> unused{0};
    return dispatch::chooseWorker(config.dispatchMode, config.workerNum, key, unused,
                                  [](int) { return false; });
}

bool Worker::close(int64_t session, bool reset)
{
    SessionSlot* slot = server_.shared().verify(session);
    if (slot == nullptr || slot->closed.load(std::memory_order_relaxed)) return false;
    int owner = ownerOf(slot);
    if (owner != id_)
    {
        // onClose must run in the owner (model 3.9c): forward to its pipe.
        ipc::PipeHeader head{};
        head.session = session;
        head.msgId = nextMsgId();
        head.flowId = flowId_;
        head.timeNs = base::monotonicNs();
        head.reactorId = slot->reactorId;
        head.type = static_cast<uint8_t>(ipc::PipeType::CloseForward);
        head.workerId = static_cast<uint16_t>(id_);
        head.aux = reset ? ipc::kCloseReset : 0;
        traceCloseRequest(session, *slot, reset, owner, true);
        forwardWriters_[owner]->write(head, nullptr, 0);
        return true;
    }
    return closeAsOwner(session, slot, reset);
}

bool Worker::closeAsOwner(int64_t session, SessionSlot* slot, bool reset)
{
    uint8_t expected = 0;
    if (!slot->closed.compare_exchange_strong(expected, 1)) return false;  // "session is closed"
    slot->closeActively.store(1, std::memory_order_relaxed);
    traceCloseRequest(session, *slot, reset, id_, false);
    if (server_.notifyClose())
        runCallback(trace::CallbackId::OnClose, session,
                    [&] { server_.on().onClose(server_, session, -1); });
    sendToReactor(session, *slot, static_cast<uint8_t>(ipc::PipeType::Close), nullptr, 0,
                  ipc::kCloseActively | (reset ? ipc::kCloseReset : 0));
    return true;
}

int Worker::chooseTaskWorker(bool* idle)
{
    SharedState& shared = server_.shared();
    int workerNum = server_.config().workerNum;
    int taskNum = server_.config().taskWorkerNum;
    uint64_t start = shared.header().taskRound.fetch_add(1, std::memory_order_relaxed);
    for (int i = 0; i < taskNum; ++i)
    {
        int id = workerNum + static_cast<int>((start + i) % taskNum);
        if (shared.worker(id).status.load(std::memory_order_relaxed) ==
            static_cast<uint8_t>(WorkerStatus::Idle))
        {
            *idle = true;
            return id;
        }
    }
    *idle = false;
    return workerNum + static_cast<int>(start % taskNum);
}

int64_t Worker::task(std::string_view data, int dstWorkerId)
{
    const ServerConfig& config = server_.config();
    int first = config.workerNum;
    int last = config.workerNum + config.taskWorkerNum - 1;
    if (config.taskWorkerNum == 0)
    {
        RS_WARN_LIMITED("task(): no task workers (--task-worker-num); dropped");
        return -1;
    }
    if (dstWorkerId >= 0 && (dstWorkerId < first || dstWorkerId > last))
    {
        RS_WARN_LIMITED("task(): worker {} is not a task worker ({} .. {}); dropped", dstWorkerId,
                        first, last);
        return -1;
    }
    if (data.size() > UINT32_MAX)
    {
        RS_WARN_LIMITED("task(): {} bytes is more than one message can carry; dropped",
                        data.size());
        return -1;
    }
    bool idle = false;
    int target = dstWorkerId >= 0 ? dstWorkerId : chooseTaskWorker(&idle);
    int64_t taskId = taskCounter_++;
    trace::ev::taskDispatch({.session = session_, .worker = target, .flow = flowId_}, taskId,
                            target, data.size(), idle);
    if (!writeToWorker(target, static_cast<uint8_t>(ipc::PipeType::Task), data,
                       static_cast<uint32_t>(taskId)))
        return -1;
    return taskId;
}

bool Worker::sendMessage(std::string_view data, int dstWorkerId)
{
    const ServerConfig& config = server_.config();
    if (dstWorkerId < 0 || dstWorkerId >= config.workerNum + config.taskWorkerNum ||
        dstWorkerId == id_)
    {
        RS_WARN_LIMITED("sendMessage(): no worker {} to send to (0 .. {}, not itself); dropped",
                        dstWorkerId, config.workerNum + config.taskWorkerNum - 1);
        return false;
    }
    if (data.size() > UINT32_MAX) return false;
    return writeToWorker(dstWorkerId, static_cast<uint8_t>(ipc::PipeType::PipeMessage), data, 0);
}

bool Worker::writeToWorker(int dst, uint8_t type, std::string_view data, uint32_t aux)
{
    int workerNum = server_.config().workerNum;
    ipc::PipeWriter* writer =
        dst < workerNum ? forwardWriters_[dst].get() : taskWriters_[dst - workerNum].get();
    ipc::PipeHeader head{};
    head.session = session_;
    head.msgId = nextMsgId();
    head.flowId = flowId_;
    head.timeNs = base::monotonicNs();
    head.reactorId = -1;
    head.type = type;
    head.workerId = static_cast<uint16_t>(id_);
    head.aux = aux;
    trace::Direction direction =
        dst < workerNum ? trace::Direction::ToWorkerForward : trace::Direction::ToTaskWorker;
    int rc = trace::ev::pipeWrite(
        {.session = session_, .worker = dst, .flow = flowId_, .msgId = head.msgId}, direction, type,
        data.size() + sizeof head, ipc::chunkCount(data.size()),
        [&] { return writer->write(head, data.data(), data.size()); });
    return rc >= 0;
}

void Worker::beginExit(const char* reason)
{
    if (exiting_) return;
    exiting_ = true;
    RS_DEBUG("worker exiting ({}): no more pipe reads, flushing replies", reason);
    trace::ev::workerExit(id_,
                          std::string_view(reason) == "max_request" ? trace::Cause::MaxRequest
                                                                    : trace::Cause::Sigterm,
                          static_cast<int64_t>(server_.shared().worker(id_).requests.load()));
    // The successor reads the same socketpair, so what is still queued there is not lost.
    workerEndChannels_[id_]->disableReading();
    exitDeadlineMs_ = base::monotonicMs() + 1000LL * server_.config().maxWaitTimeS;
    exitTimer_ = std::make_unique<reactor::PeriodicTimer>(loop_.get(), 20, [this] { checkExit(); });
    checkExit();
}

void Worker::checkExit()
{
    ipc::PipeWriter::flushAll(dirtyWriters_);
    bool pending = false;
    for (auto& w : replyWriters_) pending |= w->queuedDatagrams() > 0;
    for (auto& w : forwardWriters_) pending |= w->queuedDatagrams() > 0;
    for (auto& w : taskWriters_) pending |= w->queuedDatagrams() > 0;
    if (!pending || base::monotonicMs() >= exitDeadlineMs_) loop_->quit();
}

}  // namespace rscope::server
