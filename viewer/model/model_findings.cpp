// ModelFindings: turns each compact Event into the rules' view of it. The peer address of an
// accept and the task ids and targets are the args the rules need that Event does not decode:
// they are read from the args text.
#include "viewer/model/model_findings.h"

#include <algorithm>
#include <string_view>

#include "viewer/model/event_args.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{
const std::vector<trace::ModelFinding> kNoFindings;

std::optional<int64_t> id(int64_t value)
{
    return value >= 0 ? std::optional(value) : std::nullopt;
}

// "peer_ip":"127.0.0.1" in an args object written by the collector (no spaces, no escapes in an
// address).
std::optional<uint32_t> peerIpOf(std::string_view args)
{
    constexpr std::string_view key = "\"peer_ip\":\"";
    size_t at = args.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    size_t from = at + key.size();
    size_t end = args.find('"', from);
    if (end == std::string_view::npos) return std::nullopt;
    return trace::parseIpv4(args.substr(from, end - from));
}
}  // namespace

void ModelFindings::reset(const Topology& topology)
{
    trace::ModelSettings settings;
    settings.processMode = topology.mode.empty() || topology.mode == "process";
    settings.reactorNum = topology.reactorNum;
    settings.workerNum = topology.workerNum;
    settings.taskWorkerNum = topology.taskWorkerNum;
    settings.dispatchMode = topology.dispatchMode;
    rules_.emplace(settings, "event");
    for (const OpenConnection& c : topology.connections)
    {
        std::string_view peer = c.peer;
        rules_->seedConnection(c.session, id(c.fd), id(c.reactor),
                               trace::parseIpv4(peer.substr(0, peer.rfind(':'))));
    }
    checked_ = 0;
}

void ModelFindings::extend(const TraceStore& store)
{
    if (!rules_) reset(store.topology());
    for (; checked_ < store.size(); ++checked_)
    {
        const Event& e = store[checked_];
        trace::ModelEvent m;
        m.ref = checked_;
        m.seq = e.seq;
        m.kind = e.kind;
        if (e.session != 0) m.session = e.session;
        m.flow = e.flow;
        m.fd = id(e.fd);
        m.reactor = id(e.reactor);
        m.worker = id(e.worker);
        const Actor& actor = store.actorOf(e);
        if (actor.role == Role::Reactor) m.actorReactor = actor.index;
        m.actorTaskWorker = actor.role == Role::TaskWorker;
        if (actor.role == Role::Worker || m.actorTaskWorker) m.actorWorker = actor.index;
        if (e.kind == EventKind::Accept) m.peerIp = peerIpOf(store.args(e));
        m.recvData = e.kind == EventKind::WorkerReceive && e.pipeType == PipeType::RecvData;
        m.finishData = e.kind == EventKind::WorkerReceive && e.pipeType == PipeType::Finish;
        if (e.kind == EventKind::CallbackEnter) m.callback = e.callback;
        if (e.kind == EventKind::TaskDispatch || e.kind == EventKind::TaskFinish)
        {
            std::string_view args = store.args(e);
            m.taskId = intArgIn(args, "task_id");
            m.taskTarget = intArgIn(args, "target");
            m.taskToWorker = intArgIn(args, "to_worker");
        }
        rules_->observe(m);
    }
}

const std::vector<trace::ModelFinding>& ModelFindings::findings() const
{
    return rules_ ? rules_->findings() : kNoFindings;
}

size_t ModelFindings::countBefore(size_t position) const
{
    const auto& all = findings();
    return static_cast<size_t>(std::partition_point(all.begin(), all.end(),
                                                    [&](const trace::ModelFinding& f)
                                                    { return f.ref < position; }) -
                               all.begin());
}

}  // namespace rscope::viewer
