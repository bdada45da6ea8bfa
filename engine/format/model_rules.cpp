// ModelRules: replays a trace's sessions against the ownership and dispatch rules of the process
// model, keyed by session id (fds repeat, session ids never do).
#include "engine/format/model_rules.h"

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
    if (!event.session) return;
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
            if (!event.onClose) break;
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
