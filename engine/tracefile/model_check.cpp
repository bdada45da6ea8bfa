// ModelChecker: reads what the rules need from each JSON event and hands it to trace::ModelRules.
#include "engine/tracefile/model_check.h"

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
}  // namespace

trace::ModelSettings modelSettingsFromHeader(const TraceHeader& header)
{
    trace::ModelSettings s;
    auto mode = header.settings.find("mode");
    s.processMode = mode == header.settings.end() || !mode->is_string() ||
                    mode->get<std::string>() == "process";
    s.reactorNum = settingInt(header.settings, "reactor_num");
    s.workerNum = settingInt(header.settings, "worker_num");
    s.dispatchMode = settingInt(header.settings, "dispatch_mode");
    return s;
}

ModelChecker::ModelChecker(const TraceHeader& header)
    : rules_(modelSettingsFromHeader(header), "line")
{
    // Connections open when the header was written never get an accept in this trace.
    auto connections = header.topology.find("connections");
    if (connections == header.topology.end() || !connections->is_array()) return;
    for (const nlohmann::json& c : *connections)
    {
        if (!c.is_object() || !c.contains("session") || !c["session"].is_number_integer()) continue;
        std::optional<int64_t> fd, reactor;
        std::optional<uint32_t> peerIp;
        if (c.contains("fd") && c["fd"].is_number_integer()) fd = c["fd"].get<int64_t>();
        if (c.contains("reactor") && c["reactor"].is_number_integer())
            reactor = c["reactor"].get<int64_t>();
        if (c.contains("peer") && c["peer"].is_string())
        {
            std::string peer = c["peer"].get<std::string>();
            peerIp = trace::parseIpv4(peer.substr(0, peer.rfind(':')));
        }
        rules_.seedConnection(c["session"].get<int64_t>(), fd, reactor, peerIp);
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
