// TaskWorker: poll() on its pipe and a signalfd, one task at a time, blocking writes back.
#include "engine/server/task_worker.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/ipc/pipe_writer.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"

namespace rscope::server
{

namespace
{
// Datagrams read per wakeup: a chunked task is many; SIGTERM is looked at between batches.
constexpr int kTaskPipeReadBudget = 16;
// How often a blocked write looks again at its destination and at the signals.
constexpr int kBlockedWritePollMs = 100;
}  // namespace

TaskWorker::TaskWorker(Server& server, int id) : server_(server), id_(id) {}

TaskWorker::~TaskWorker() = default;

int TaskWorker::run()
{
    SharedState& shared = server_.shared();
    // As for event workers: never outlive the manager.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    trace::attachThread(trace::ActorRole::TaskWorker, id_);
    int managerPid = shared.header().managerPid.load();
    if (managerPid > 0 && ::getppid() != managerPid) return 0;

    // The server blocked these signals in every process (blockServerSignals): a signalfd takes
    // them, polled beside the pipe. 1.8 uses a handler that interrupts the blocking read instead.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    signalFd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signalFd_.valid())
        RS_WARN("signalfd: {}; only SIGKILL will end this task worker", base::errnoText(errno));

    reader_ = std::make_unique<ipc::PipeReader>();
    int total = server_.config().workerNum + server_.config().taskWorkerNum;
    for (int w = 0; w < total; ++w)
        writers_.push_back(
            std::make_unique<ipc::PipeWriter>(server_.pipes()[w].masterEnd.get(), nullptr, false));

    WorkerSlot& slot = shared.worker(id_);
    slot.requests.store(0);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Idle));
    server_.setContext(this);
    RS_DEBUG("task worker started (generation {})", slot.generation.load());
    trace::ev::workerStart(id_, slot.generation.load());
    if (server_.on().onWorkerStart) server_.on().onWorkerStart(server_, id_);

    int pipeFd = server_.pipes()[id_].workerEnd.get();
    while (!exiting_)
    {
        pollfd fds[2] = {{pipeFd, POLLIN, 0}, {signalFd_.get(), POLLIN, 0}};
        int n = ::poll(fds, signalFd_.valid() ? 2 : 1, -1);
        if (n < 0)
        {
            if (errno == EINTR) continue;
            RS_ERROR("poll: {}; the task worker exits", base::errnoText(errno));
            break;
        }
        if (signalFd_.valid() && (fds[1].revents & POLLIN)) takeSignals();
        if (exiting_) break;
        if (fds[0].revents & POLLIN) reader_->readFrom(pipeFd, *this, kTaskPipeReadBudget);
    }
    if (server_.on().onWorkerStop) server_.on().onWorkerStop(server_, id_);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Exited));
    server_.setContext(nullptr);
    return 0;
}

void TaskWorker::takeSignals()
{
    signalfd_siginfo info;
    while (::read(signalFd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        // SIGINT (Ctrl-C to the process group) is the master's to act on.
        if (info.ssi_signo == SIGTERM) beginExit(trace::Cause::Sigterm);
}

void TaskWorker::beginExit(trace::Cause reason)
{
    if (exiting_) return;
    exiting_ = true;
    // Tasks still in the pipe stay there: a restarted task worker reads the same socket pair.
    trace::ev::workerExit(id_, reason,
                          static_cast<int64_t>(server_.shared().worker(id_).requests.load()));
}

void TaskWorker::onMessage(const ipc::PipeHeader& head, const char* payload, size_t len)
{
    WorkerSlot& slot = server_.shared().worker(id_);
    // The status event workers look at when they choose a task worker (swProcessPool_schedule).
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Busy), std::memory_order_relaxed);
    flowId_ = head.flowId;
    session_ = head.session;
    taskId_ = head.aux;
    srcWorker_ = head.workerId;
    callbackRan_ = false;
    trace::ev::Ids ids{.session = session_, .worker = id_, .flow = flowId_};
    trace::ev::workerReceive(
        {.session = session_, .worker = id_, .flow = flowId_, .msgId = head.msgId}, head.type, len,
        ipc::chunkCount(len));
    std::string_view data(payload, len);
    try
    {
        switch (static_cast<ipc::PipeType>(head.type))
        {
            case ipc::PipeType::Task:
                if (server_.on().onTask)
                {
                    callbackRan_ = true;
                    inTask_ = true;
                    trace::ev::callback(
                        ids, trace::CallbackId::OnTask,
                        [&] { server_.on().onTask(server_, taskId_, srcWorker_, data); });
                }
                break;
            case ipc::PipeType::PipeMessage:
                if (server_.on().onPipeMessage)
                {
                    callbackRan_ = true;
                    trace::ev::callback(ids, trace::CallbackId::OnPipeMessage,
                                        [&]
                                        { server_.on().onPipeMessage(server_, srcWorker_, data); });
                }
                break;
            default:
                RS_WARN_LIMITED("pipe: unexpected {} message in a task worker; dropped",
                                trace::pipeTypeName(head.type));
        }
    }
    catch (const std::exception& e)
    {
        RS_ERROR("task {} from worker {} threw: {}; the task worker goes on", taskId_, srcWorker_,
                 e.what());
    }
    inTask_ = false;
    if (!callbackRan_) trace::ev::discard(ids, trace::Cause::NoCallback, len);
    flowId_ = 0;
    session_ = 0;
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Idle), std::memory_order_relaxed);
    if (head.type != static_cast<uint8_t>(ipc::PipeType::Task)) return;
    uint64_t handled = slot.requests.fetch_add(1, std::memory_order_relaxed) + 1;
    slot.totalRequests.fetch_add(1, std::memory_order_relaxed);
    uint64_t maxRequest = server_.config().taskMaxRequest;
    if (maxRequest > 0 && handled >= maxRequest) beginExit(trace::Cause::MaxRequest);
}

bool TaskWorker::finish(std::string_view data)
{
    if (!inTask_)
    {
        RS_WARN_LIMITED("finish(): only onTask has a task to answer; dropped");
        return false;
    }
    if (data.size() > UINT32_MAX) return false;
    trace::ev::taskFinish({.session = session_, .worker = srcWorker_, .flow = flowId_}, taskId_,
                          srcWorker_, data.size());
    return writeBlocking(srcWorker_, static_cast<uint8_t>(ipc::PipeType::Finish), data,
                         static_cast<uint32_t>(taskId_), trace::Direction::ToWorkerForward);
}

bool TaskWorker::sendMessage(std::string_view data, int dstWorkerId)
{
    const ServerConfig& config = server_.config();
    int total = config.workerNum + config.taskWorkerNum;
    if (dstWorkerId < 0 || dstWorkerId >= total || dstWorkerId == id_ || data.size() > UINT32_MAX)
    {
        RS_WARN_LIMITED("sendMessage(): no worker {} to send to (0 .. {}, not itself); dropped",
                        dstWorkerId, total - 1);
        return false;
    }
    trace::Direction direction = dstWorkerId < config.workerNum ? trace::Direction::ToWorkerForward
                                                                : trace::Direction::ToTaskWorker;
    return writeBlocking(dstWorkerId, static_cast<uint8_t>(ipc::PipeType::PipeMessage), data, 0,
                         direction);
}

bool TaskWorker::send(int64_t session, std::string_view)
{
    RS_WARN_LIMITED(
        "send(session {}) in a task worker: return the data with finish() and send it from "
        "onFinish in the event worker; dropped",
        session);
    return false;
}

bool TaskWorker::close(int64_t session, bool)
{
    RS_WARN_LIMITED("close(session {}) in a task worker: close from an event worker; ignored",
                    session);
    return false;
}

bool TaskWorker::writeBlocking(int dst, uint8_t type, std::string_view data, uint32_t aux,
                               trace::Direction direction)
{
    SharedState& shared = server_.shared();
    trace::ev::Ids ids{.session = session_, .worker = dst, .flow = flowId_};
    // An event worker that is gone (shutdown stops them first) never reads this: count it.
    if (shared.worker(dst).pid.load(std::memory_order_relaxed) == 0)
    {
        shared.header().tasksLost.fetch_add(1, std::memory_order_relaxed);
        trace::ev::discard(ids, trace::Cause::Gone, data.size());
        return false;
    }
    ipc::PipeHeader head{};
    head.session = session_;
    head.msgId = nextMsgId();
    head.flowId = flowId_;
    head.timeNs = base::monotonicNs();
    head.reactorId = -1;
    head.type = type;
    head.workerId = static_cast<uint16_t>(id_);
    head.aux = aux;
    ipc::PipeWriter& writer = *writers_[dst];
    ids.msgId = head.msgId;
    int rc = trace::ev::pipeWrite(ids, direction, type, data.size() + sizeof head,
                                  ipc::chunkCount(data.size()),
                                  [&] { return writer.write(head, data.data(), data.size()); });
    if (rc < 0) return false;
    // Queued: the destination's socket buffer is full. Wait for room, as 1.8's blocking write
    // does, but give up when the destination is gone or this worker is told to stop and its
    // max_wait_time has passed.
    int64_t stopDeadlineMs = 0;
    int fd = server_.pipes()[dst].masterEnd.get();
    while (!writer.flush())
    {
        pollfd fds[2] = {{fd, POLLOUT, 0}, {signalFd_.get(), POLLIN, 0}};
        ::poll(fds, signalFd_.valid() ? 2 : 1, kBlockedWritePollMs);
        if (signalFd_.valid() && (fds[1].revents & POLLIN)) takeSignals();
        if (exiting_ && stopDeadlineMs == 0)
            stopDeadlineMs = base::monotonicMs() + 1000LL * server_.config().maxWaitTimeS;
        bool gone = shared.worker(dst).pid.load(std::memory_order_relaxed) == 0;
        if (gone || (stopDeadlineMs > 0 && base::monotonicMs() >= stopDeadlineMs))
        {
            RS_WARN_LIMITED("{} for worker {} could not be written ({}); dropped",
                            trace::pipeTypeName(type), dst, gone ? "it is gone" : "stopping");
            shared.header().tasksLost.fetch_add(1, std::memory_order_relaxed);
            trace::ev::discard(ids, trace::Cause::Gone, data.size());
            return false;
        }
    }
    return true;
}

}  // namespace rscope::server
