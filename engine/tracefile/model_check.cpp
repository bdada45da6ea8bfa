// ModelChecker: reads what the rules need from each JSON event and hands it to trace::ModelRules.
#include "engine/tracefile/model_check.h"

#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

namespace
{
std::string argString(const TraceEventView& event, const char* name)
{
    return event.stringArg(name);
}
}  // namespace

trace::ModelSettings modelSettingsFromHeader(const TraceHeader& header)
{
    trace::ModelSettings s;
    s.processMode = header.settings.mode.empty() || header.settings.mode == "process";
    s.reactorNum = header.settings.reactorNum;
    s.workerNum = header.settings.workerNum;
    s.dispatchMode = header.settings.dispatchMode;
    return s;
}

ModelChecker::ModelChecker(const TraceHeader& header)
    : rules_(modelSettingsFromHeader(header), "line")
{
    // Connections open when the header was written never get an accept in this trace.
    for (const HeaderConnection& c : header.connections)
    {
        if (!c.session) continue;
        std::optional<uint32_t> peerIp;
        if (!c.peer.empty()) peerIp = trace::parseIpv4(c.peer.substr(0, c.peer.rfind(':')));
        rules_.seedConnection(*c.session, c.fd, c.reactor, peerIp);
    }
}

void ModelChecker::observe(const TraceEventView& event)
{
    if (!event.session) return;
    trace::ModelEvent m;
    m.ref = event.line;
    m.seq = event.seq;
    m.kind = event.kind;
    m.session = event.session;
    m.fd = event.fd;
    m.reactor = event.reactor;
    m.worker = event.worker;
    if (event.actor.role == "reactor") m.actorReactor = static_cast<int>(event.actor.index);
    if (event.kind == trace::EventKind::Accept)
        m.peerIp = trace::parseIpv4(argString(event, "peer_ip"));
    m.recvData =
        event.kind == trace::EventKind::WorkerReceive && argString(event, "type") == "RECV_DATA";
    m.onClose =
        event.kind == trace::EventKind::CallbackEnter && argString(event, "callback") == "onClose";
    rules_.observe(m);
}

std::vector<ModelFinding> ModelChecker::findings() const
{
    std::vector<ModelFinding> out;
    for (const trace::ModelFinding& f : rules_.findings()) out.push_back({f.ref, f.seq, f.message});
    return out;
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
