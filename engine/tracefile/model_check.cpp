// ModelChecker: replays a trace's sessions against the ownership and dispatch rules of the
// process model, keyed by session id (fds repeat, session ids never do).
#include "engine/tracefile/model_check.h"

#include <cstdio>

#include <fmt/format.h>

#include "engine/dispatch/dispatch_policy.h"
#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

namespace
{
int settingInt(const nlohmann::json& settings, const char* name)
{
    auto it = settings.find(name);
    return it != settings.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string argString(const TraceEventView& event, const char* name)
{
    auto it = event.args.find(name);
    return it != event.args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The reactor thread that did the work: the emitting thread when it is a reactor thread, since
// the event's `reactor` field could merely repeat the session's owner.
std::optional<int64_t> actingReactor(const TraceEventView& event)
{
    if (event.actor.role == "reactor") return event.actor.index;
    return std::nullopt;
}
}  // namespace

ModelSettings ModelSettings::fromHeader(const TraceHeader& header)
{
    ModelSettings s;
    auto mode = header.settings.find("mode");
    s.processMode = mode == header.settings.end() || !mode->is_string() ||
                    mode->get<std::string>() == "process";
    s.reactorNum = settingInt(header.settings, "reactor_num");
    s.workerNum = settingInt(header.settings, "worker_num");
    s.dispatchMode = settingInt(header.settings, "dispatch_mode");
    return s;
}

std::optional<uint32_t> parseIpv4(const std::string& text)
{
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return std::nullopt;
    if (a > 255 || b > 255 || c > 255 || d > 255) return std::nullopt;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

ModelChecker::ModelChecker(const TraceHeader& header) : settings_(ModelSettings::fromHeader(header))
{
    // Connections open when the header was written never get an accept in this trace.
    auto connections = header.topology.find("connections");
    if (connections == header.topology.end() || !connections->is_array()) return;
    for (const nlohmann::json& c : *connections)
    {
        if (!c.is_object() || !c.contains("session") || !c["session"].is_number_integer()) continue;
        Session& s = sessions_[c["session"].get<int64_t>()];
        if (c.contains("fd") && c["fd"].is_number_integer()) s.fd = c["fd"].get<int64_t>();
        if (c.contains("reactor") && c["reactor"].is_number_integer())
            s.reactor = c["reactor"].get<int64_t>();
        if (c.contains("peer") && c["peer"].is_string())
        {
            std::string peer = c["peer"].get<std::string>();
            s.peerIp = parseIpv4(peer.substr(0, peer.rfind(':')));
        }
    }
}

void ModelChecker::add(const TraceEventView& event, std::string message)
{
    findings_.push_back({event.line, event.seq, std::move(message)});
}

void ModelChecker::observe(const TraceEventView& event)
{
    if (!event.session) return;
    using trace::EventKind;
    Session& session = sessions_[*event.session];
    if (!session.fd && event.fd) session.fd = event.fd;
    switch (event.kind)
    {
        case EventKind::Accept:
            session.peerIp = parseIpv4(argString(event, "peer_ip"));
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
                add(event, fmt::format("reactor_write for session {} after its close (line {})",
                                       *event.session, session.closeLine));
            else
                checkOwnerWrite(event, session);
            break;
        case EventKind::WorkerReceive:
            if (session.closed && argString(event, "type") == "RECV_DATA")
                add(event, fmt::format("worker_receive RECV_DATA for session {} after its close "
                                       "(line {})",
                                       *event.session, session.closeLine));
            break;
        case EventKind::CallbackEnter:
            if (argString(event, "callback") != "onClose") break;
            if (session.onCloseLine != 0)
                add(event, fmt::format("onClose for session {} runs a second time (first at line "
                                       "{})",
                                       *event.session, session.onCloseLine));
            else
                session.onCloseLine = event.line;
            break;
        case EventKind::Close:
            if (!session.closed) session.closeLine = event.line;
            session.closed = true;
            break;
        default:
            break;
    }
}

void ModelChecker::checkReactor(const TraceEventView& event, Session& session)
{
    // Base mode has no reactor threads: the workers own their connections.
    if (!settings_.processMode || settings_.reactorNum <= 0 || !session.fd) return;
    int64_t owner = *session.fd % settings_.reactorNum;
    std::optional<int64_t> handler = actingReactor(event);
    if (!handler || *handler == owner) handler = event.reactor;
    if (!handler || *handler == owner) return;
    add(event, fmt::format("{} of session {} (fd {}) on reactor {}, but fd % reactor_num ({}) = {}",
                           event.kindName, *event.session, *session.fd, *handler,
                           settings_.reactorNum, owner));
}

void ModelChecker::checkDispatch(const TraceEventView& event, const Session& session)
{
    if (settings_.workerNum <= 0 || !event.worker) return;
    int64_t expected = 0;
    std::string rule;
    // Modes 1, 3 (round robin, idle worker) depend on a shared counter and 5 (uid) on bind()
    // calls the trace does not show, so only the hash modes 2 and 4 can be replayed.
    if (settings_.dispatchMode == dispatch::kFdMod)
    {
        if (!session.fd) return;
        expected = *session.fd % settings_.workerNum;
        rule = fmt::format("fd {} % worker_num {}", *session.fd, settings_.workerNum);
    }
    else if (settings_.dispatchMode == dispatch::kIpMod)
    {
        // Same key as dispatch::chooseWorker: the IPv4 address in host order % worker_num.
        if (!session.peerIp) return;
        expected =
            static_cast<int64_t>(*session.peerIp % static_cast<uint32_t>(settings_.workerNum));
        rule = fmt::format("peer ip {} % worker_num {}", *session.peerIp, settings_.workerNum);
    }
    else
        return;
    if (*event.worker == expected) return;
    add(event, fmt::format("{} of session {} to worker {}, but dispatch_mode {} gives {} = {}",
                           event.kindName, *event.session, *event.worker, settings_.dispatchMode,
                           rule, expected));
}

void ModelChecker::checkOwnerWrite(const TraceEventView& event, const Session& session)
{
    if (!session.reactor) return;
    std::optional<int64_t> writer = actingReactor(event);
    if (!writer || *writer == *session.reactor) writer = event.reactor;
    if (!writer || *writer == *session.reactor) return;
    add(event, fmt::format("reactor_write of session {} through reactor {}, but reactor {} owns it",
                           *event.session, *writer, *session.reactor));
}

std::vector<ModelFinding> checkModel(const std::string& path)
{
    std::optional<ModelChecker> checker;
    TraceSink sink;
    sink.onHeader = [&](const TraceHeader& header) { checker.emplace(header); };
    sink.onEvent = [&](const TraceEventView& event)
    {
        if (checker) checker->observe(event);
    };
    TraceReader reader(path);
    reader.read(sink);
    return checker ? checker->findings() : std::vector<ModelFinding>{};
}

}  // namespace rscope::tracefile
