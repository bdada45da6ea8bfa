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

// args[name] when the kind has it as an Int and the line carries one.
std::optional<int64_t> argInt(const TraceEventView& event, std::string_view name)
{
    for (const TraceArg& a : event.args)
    {
        if (a.info == nullptr) break;
        if (name == a.info->name) return a.valid ? std::optional(a.number) : std::nullopt;
    }
    return std::nullopt;
}

trace::CallbackId callbackOf(const std::string& name)
{
    using trace::CallbackId;
    for (uint8_t id = 1; id <= static_cast<uint8_t>(CallbackId::OnPipeMessage); ++id)
        if (name == trace::callbackName(id)) return static_cast<CallbackId>(id);
    return CallbackId::None;
}
}  // namespace

trace::ModelSettings modelSettingsFromHeader(const TraceHeader& header)
{
    trace::ModelSettings s;
    s.processMode = header.settings.mode.empty() || header.settings.mode == "process";
    s.reactorNum = header.settings.reactorNum;
    s.workerNum = header.settings.workerNum;
    s.taskWorkerNum = header.settings.taskWorkerNum;
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
    trace::ModelEvent m;
    m.ref = event.line;
    m.seq = event.seq;
    m.kind = event.kind;
    m.session = event.session;
    m.fd = event.fd;
    m.reactor = event.reactor;
    m.worker = event.worker;
    m.flow = event.flowId();
    if (event.actor.role == "reactor") m.actorReactor = static_cast<int>(event.actor.index);
    m.actorTaskWorker = event.actor.role == "task_worker";
    if (event.actor.role == "worker" || m.actorTaskWorker)
        m.actorWorker = static_cast<int>(event.actor.index);
    switch (event.kind)
    {
        case trace::EventKind::Accept:
            m.peerIp = trace::parseIpv4(argString(event, "peer_ip"));
            break;
        case trace::EventKind::WorkerReceive:
        {
            std::string type = argString(event, "type");
            m.recvData = type == "RECV_DATA";
            m.finishData = type == "FINISH";
            break;
        }
        case trace::EventKind::CallbackEnter:
            m.callback = callbackOf(argString(event, "callback"));
            break;
        case trace::EventKind::TaskDispatch:
            m.taskId = argInt(event, "task_id");
            m.taskTarget = argInt(event, "target");
            break;
        case trace::EventKind::TaskFinish:
            m.taskId = argInt(event, "task_id");
            m.taskToWorker = argInt(event, "to_worker");
            break;
        default:
            break;
    }
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
