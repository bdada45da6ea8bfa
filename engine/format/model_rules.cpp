// ModelRules: replays a trace's sessions against the ownership and dispatch rules of the process
// model, keyed by session id (fds repeat, session ids never do), and its tasks against the task
// worker rules (section 10), keyed by flow: a task joins the flow of the request that called
// task().
#include "engine/format/model_rules.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace rscope::trace
{

namespace
{
// The dispatch modes whose choice the trace can replay (engine/dispatch/dispatch_policy.h uses
// the same numbers; swoole's SW_DISPATCH_FDMOD and SW_DISPATCH_IPMOD).
constexpr int kFdMod = 2;
constexpr int kIpMod = 4;

const char* kindName(EventKind kind)
{
    return kindInfo(kind).name;
}
}  // namespace

std::optional<uint32_t> parseIpv4(std::string_view text)
{
    unsigned a, b, c, d;
    char tail;
    std::string s(text);
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return std::nullopt;
    if (a > 255 || b > 255 || c > 255 || d > 255) return std::nullopt;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

void ModelRules::seedConnection(int64_t session, std::optional<int64_t> fd,
                                std::optional<int64_t> reactor, std::optional<uint32_t> peerIp)
{
    Session& s = sessions_[session];
    s.fd = fd;
    s.reactor = reactor;
    s.peerIp = peerIp;
}

void ModelRules::add(const ModelEvent& event, std::string message)
{
    findings_.push_back({event.ref, event.seq, std::move(message)});
}

void ModelRules::observe(const ModelEvent& event)
{
    observeTask(event);
    if (event.session) observeSession(event);
}

bool ModelRules::isTaskWorker(const ModelEvent& event) const
{
    // A trace whose actors say only "worker" still numbers task workers after the event workers.
    return event.actorTaskWorker ||
           (settings_.taskWorkerNum > 0 && event.actorWorker >= settings_.workerNum);
}

void ModelRules::observeTask(const ModelEvent& event)
{
    switch (event.kind)
    {
        case EventKind::TaskDispatch:
            checkTaskDispatch(event);
            // A dispatch from a task worker was reported: its results are not followed.
            if (event.flow == 0 || event.actorWorker < 0 || isTaskWorker(event)) break;
            {
                TaskFlow& flow = taskFlows_[event.flow];
                if (flow.pending == 0)
                {
                    flow.caller = event.actorWorker;
                    flow.dispatchRef = event.ref;
                }
                ++flow.pending;
            }
            break;
        case EventKind::TaskFinish:
        {
            auto it = taskFlows_.find(event.flow);
            if (event.flow == 0 || it == taskFlows_.end()) break;
            std::string what = fmt::format("task_finish of task {}", event.taskId.value_or(-1));
            // Both the arg and the envelope name the worker the result is written to.
            if (event.taskToWorker && *event.taskToWorker != it->second.caller)
                checkTaskResult(event, it->second, what, *event.taskToWorker);
            else if (event.worker)
                checkTaskResult(event, it->second, what, *event.worker);
            break;
        }
        case EventKind::WorkerReceive:
        {
            if (!event.finishData) break;
            auto it = taskFlows_.find(event.flow);
            if (event.flow == 0 || it == taskFlows_.end()) break;
            int64_t to = event.actorWorker >= 0 ? event.actorWorker : event.worker.value_or(-1);
            if (to >= 0) checkTaskResult(event, it->second, "worker_receive FINISH", to);
            break;
        }
        case EventKind::CallbackEnter:
        {
            if (isTaskWorker(event) &&
                (event.callback == CallbackId::OnReceive ||
                 event.callback == CallbackId::OnConnect || event.callback == CallbackId::OnClose))
                add(event, fmt::format("{} runs in task worker {}: a task worker runs onTask and "
                                       "onPipeMessage, never a connection's callbacks",
                                       callbackName(static_cast<uint8_t>(event.callback)),
                                       event.actorWorker));
            if (event.callback != CallbackId::OnFinish) break;
            auto it = taskFlows_.find(event.flow);
            if (event.flow == 0 || it == taskFlows_.end()) break;
            if (event.actorWorker >= 0)
                checkTaskResult(event, it->second, "onFinish", event.actorWorker);
            if (--it->second.pending <= 0) taskFlows_.erase(it);
            break;
        }
        default:
            break;
    }
}

void ModelRules::checkTaskDispatch(const ModelEvent& event)
{
    if (isTaskWorker(event))
        add(event, fmt::format("task_dispatch from task worker {}: only event workers call task()",
                               event.actorWorker));
    int64_t first = settings_.workerNum, end = first + std::max(settings_.taskWorkerNum, 0);
    for (std::optional<int64_t> target : {event.taskTarget, event.worker})
    {
        if (!target || (*target >= first && *target < end)) continue;
        if (end == first)
            add(event,
                fmt::format("task_dispatch to worker {}, but task_worker_num is 0", *target));
        else
            add(event,
                fmt::format("task_dispatch to worker {}, which is no task worker (ids {}..{})",
                            *target, first, end - 1));
        break;  // the arg and the envelope say the same: one finding
    }
}

void ModelRules::checkTaskResult(const ModelEvent& event, const TaskFlow& flow,
                                 const std::string& what, int64_t to)
{
    if (to == flow.caller) return;
    add(event, fmt::format("{} of flow {} reaches worker {}, but worker {} called task() ({} {})",
                           what, event.flow, to, flow.caller, refLabel_, flow.dispatchRef));
}

void ModelRules::observeSession(const ModelEvent& event)
{
    Session& session = sessions_[*event.session];
    if (!session.fd && event.fd) session.fd = event.fd;
    switch (event.kind)
    {
        case EventKind::Accept:
            session.peerIp = event.peerIp;
            break;
        case EventKind::ReactorAssign:
        case EventKind::ReactorRegister:
        case EventKind::Read:
            checkReactor(event, session);
            // The assignment names the owner; a register stands in when the assign was lost.
            if (event.reactor && (event.kind == EventKind::ReactorAssign || !session.reactor))
                session.reactor = event.reactor;
            break;
        case EventKind::Dispatch:
        case EventKind::ConnectNotify:
            checkDispatch(event, session);
            break;
        case EventKind::ReactorWrite:
            if (session.closed)
                add(event, fmt::format("reactor_write for session {} after its close ({} {})",
                                       *event.session, refLabel_, session.closeRef));
            else
                checkOwnerWrite(event, session);
            break;
        case EventKind::WorkerReceive:
            if (session.closed && event.recvData)
                add(event, fmt::format("worker_receive RECV_DATA for session {} after its close "
                                       "({} {})",
                                       *event.session, refLabel_, session.closeRef));
            break;
        case EventKind::CallbackEnter:
            if (event.callback != CallbackId::OnClose) break;
            if (session.onCloseSeen)
                add(event, fmt::format("onClose for session {} runs a second time (first at {} "
                                       "{})",
                                       *event.session, refLabel_, session.onCloseRef));
            session.onCloseSeen = true;
            if (session.onCloseRef == 0) session.onCloseRef = event.ref;
            break;
        case EventKind::Close:
            if (!session.closed) session.closeRef = event.ref;
            session.closed = true;
            break;
        default:
            break;
    }
}

void ModelRules::checkReactor(const ModelEvent& event, Session& session)
{
    // Base mode has no reactor threads: the workers own their connections.
    if (!settings_.processMode || settings_.reactorNum <= 0 || !session.fd) return;
    int64_t owner = *session.fd % settings_.reactorNum;
    // The emitting reactor thread did the work; the event's `reactor` field could merely repeat
    // the session's owner, so it is only consulted when the thread agrees or is no reactor.
    std::optional<int64_t> handler;
    if (event.actorReactor >= 0) handler = event.actorReactor;
    if (!handler || *handler == owner) handler = event.reactor;
    if (!handler || *handler == owner) return;
    add(event, fmt::format("{} of session {} (fd {}) on reactor {}, but fd % reactor_num ({}) = {}",
                           kindName(event.kind), *event.session, *session.fd, *handler,
                           settings_.reactorNum, owner));
}

void ModelRules::checkDispatch(const ModelEvent& event, const Session& session)
{
    if (settings_.workerNum <= 0 || !event.worker) return;
    int64_t expected = 0;
    std::string rule;
    // Modes 1, 3 (round robin, idle worker) depend on a shared counter and 5 (uid) on bind()
    // calls the trace does not show, so only the hash modes 2 and 4 can be replayed.
    if (settings_.dispatchMode == kFdMod)
    {
        if (!session.fd) return;
        expected = *session.fd % settings_.workerNum;
        rule = fmt::format("fd {} % worker_num {}", *session.fd, settings_.workerNum);
    }
    else if (settings_.dispatchMode == kIpMod)
    {
        // Same key as the server's chooser: the IPv4 address in host order % worker_num.
        if (!session.peerIp) return;
        expected =
            static_cast<int64_t>(*session.peerIp % static_cast<uint32_t>(settings_.workerNum));
        rule = fmt::format("peer ip {} % worker_num {}", *session.peerIp, settings_.workerNum);
    }
    else
        return;
    if (*event.worker == expected) return;
    add(event, fmt::format("{} of session {} to worker {}, but dispatch_mode {} gives {} = {}",
                           kindName(event.kind), *event.session, *event.worker,
                           settings_.dispatchMode, rule, expected));
}

void ModelRules::checkOwnerWrite(const ModelEvent& event, const Session& session)
{
    if (!session.reactor) return;
    std::optional<int64_t> writer;
    if (event.actorReactor >= 0) writer = event.actorReactor;
    if (!writer || *writer == *session.reactor) writer = event.reactor;
    if (!writer || *writer == *session.reactor) return;
    add(event, fmt::format("reactor_write of session {} through reactor {}, but reactor {} owns it",
                           *event.session, *writer, *session.reactor));
}

}  // namespace rscope::trace
