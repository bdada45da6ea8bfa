// ArchitectureState: the architecture picture's data at one moment, advanced one event at a time
// (process model sections 1 and 3: who owns which connection, which pipe carries what).
#include "viewer/model/architecture_state.h"

#include <algorithm>

#include "engine/format/held_time.h"

namespace rscope::viewer
{

namespace
{

// Ids come from the trace: never trusted as indices before a bounds check.
template <typename T>
T* slotAt(std::vector<T>& v, int index)
{
    if (index < 0 || static_cast<size_t>(index) >= v.size()) return nullptr;
    return &v[index];
}

// The pipe of `worker` (one socketpair per worker). Headers list pipes by worker, so the direct
// slot is tried first.
int pipeOfWorker(const std::vector<PipeState>& pipes, int worker)
{
    if (worker < 0) return -1;
    if (static_cast<size_t>(worker) < pipes.size() && pipes[worker].worker == worker) return worker;
    for (size_t i = 0; i < pipes.size(); ++i)
        if (pipes[i].worker == worker) return static_cast<int>(i);
    return -1;
}

void enterCallback(WorkerState& w, const Event& e)
{
    if (w.callbackDepth == 0)
    {
        w.busySinceNs = e.tsNs;
        w.outerCallback = e.callback;
        w.outerSession = e.session;
    }
    ++w.callbackDepth;
    w.status = WorkerStatus::Busy;
    w.callback = e.callback;
    w.session = e.session;
}

void exitCallback(WorkerState& w, const Event& e, const HeldTime* held)
{
    if (e.callback == CallbackId::OnReceive) ++w.requests;
    if (e.callback == CallbackId::OnTask) ++w.tasks;
    if (w.callbackDepth > 1)
    {
        // A nested callback (onClose from close() inside onReceive) returned: the outer one runs
        // on.
        --w.callbackDepth;
        w.callback = w.outerCallback;
        w.session = w.outerSession;
        return;
    }
    // An exit without its enter (the trace began inside the callback) ends the busy spell too,
    // but adds no time: its start is unknown.
    if (w.callbackDepth == 1)
        w.busyNs += held != nullptr ? held->activeNs(w.busySinceNs, e.tsNs)
                                    : std::max<int64_t>(0, e.tsNs - w.busySinceNs);
    w.callbackDepth = 0;
    w.status = WorkerStatus::Idle;
    w.callback = CallbackId::None;
    w.session = 0;
    w.busySinceNs = 0;
}

void stopCallbacks(WorkerState& w)
{
    w.callback = CallbackId::None;
    w.callbackDepth = 0;
    w.session = 0;
}

}  // namespace

const char* workerStatusName(WorkerStatus s)
{
    switch (s)
    {
        case WorkerStatus::Starting:
            return "starting";
        case WorkerStatus::Idle:
            return "idle";
        case WorkerStatus::Busy:
            return "busy";
        case WorkerStatus::Exited:
            return "exited";
    }
    return "?";
}

BufferPressure bufferPressure(int64_t queued, bool overflow, int64_t limit)
{
    if (overflow || (limit > 0 && queued >= limit)) return BufferPressure::Over;
    // 75 %, in integers: a limit of up to 2^62 cannot overflow the products.
    if (limit > 0 && queued > 0 && queued / 3 * 4 >= limit) return BufferPressure::Near;
    return BufferPressure::None;
}

const char* workerStateName(const WorkerState& w)
{
    return w.status == WorkerStatus::Exited && w.killed ? "killed" : workerStatusName(w.status);
}

int64_t ArchitectureState::busyNs(const WorkerState& w, int64_t nowNs) const
{
    int64_t busy = w.busyNs;
    if (w.status == WorkerStatus::Busy && w.callbackDepth > 0 && nowNs > w.busySinceNs)
        busy += held_ != nullptr ? held_->activeNs(w.busySinceNs, nowNs) : nowNs - w.busySinceNs;
    return busy;
}

void ArchitectureState::reset(const Topology& topology)
{
    *this = ArchitectureState();
    socketBufferSize_ = std::max<int64_t>(topology.socketBufferSize, 0);

    // Size the tables from every place the header names an index, so a header whose settings and
    // lists disagree still gets a slot for each actor it mentions.
    int workerCount = std::max(topology.workerNum, 0) + std::max(topology.taskWorkerNum, 0);
    int reactorCount = std::max(topology.reactorNum, 0);
    for (const Process& p : topology.processes)
        if (p.role == Role::Worker || p.role == Role::TaskWorker)
            workerCount = std::max(workerCount, p.index + 1);
    for (const Actor& t : topology.threads)
        if (t.role == Role::Reactor) reactorCount = std::max(reactorCount, t.index + 1);
    for (const Pipe& p : topology.pipes)
    {
        workerCount = std::max(workerCount, p.worker + 1);
        reactorCount = std::max(reactorCount, p.reactor + 1);
    }

    workers_.resize(workerCount);
    for (int i = 0; i < workerCount; ++i)
    {
        workers_[i].index = i;
        workers_[i].task = topology.taskWorkerNum > 0 && i >= topology.workerNum;
    }
    for (const Process& p : topology.processes)
    {
        if ((p.role != Role::Worker && p.role != Role::TaskWorker) || p.index < 0) continue;
        workers_[p.index].pid = p.pid;
        workers_[p.index].generation = p.generation;
        if (p.role == Role::TaskWorker) workers_[p.index].task = true;
    }

    reactors_.resize(reactorCount);
    for (int i = 0; i < reactorCount; ++i) reactors_[i].index = i;
    for (const Actor& t : topology.threads)
        if (t.role == Role::Reactor && t.index >= 0) reactors_[t.index].tid = t.tid;

    pipes_.reserve(topology.pipes.size());
    for (const Pipe& p : topology.pipes)
    {
        PipeState ps;
        ps.reactor = p.reactor;
        ps.worker = p.worker;
        pipes_.push_back(ps);
    }

    // A late joiner's header lists connections that are already registered with their reactor.
    for (const OpenConnection& c : topology.connections)
    {
        SessionState s;
        s.session = c.session;
        s.fd = c.fd;
        s.reactor = c.reactor;
        s.stage = SessionState::Stage::Open;
        sessions_[c.session] = s;
        if (ReactorState* r = slotAt(reactors_, c.reactor)) ++r->connections;
    }
}

void ArchitectureState::countQueued(SessionState& s, int64_t queued, int reactor)
{
    if (ReactorState* r = slotAt(reactors_, s.queuedOn))
        r->bytesQueued = std::max<int64_t>(0, r->bytesQueued - s.queued);
    s.queued = 0;
    s.queuedOn = -1;
    if (ReactorState* r = slotAt(reactors_, reactor))
    {
        r->bytesQueued += queued;
        s.queued = queued;
        s.queuedOn = reactor;
    }
}

void ArchitectureState::setQueued(const Event& e)
{
    // A session this state never saw (its accept before the trace began, not in the header)
    // has nowhere to keep its count, so it adds nothing: the close that ends it could not take
    // it back out.
    if (e.queued < 0) return;
    auto it = sessions_.find(e.session);
    if (it == sessions_.end()) return;
    // The owning reactor: the event's, else the one the session was registered with.
    countQueued(it->second, e.queued, e.reactor >= 0 ? e.reactor : it->second.reactor);
}

uint64_t ArchitectureState::taskHops(int from, int to) const
{
    for (const auto& [key, count] : taskHops_)
        if (key.first == from && key.second == to) return count;
    return 0;
}

void ArchitectureState::setReactorPipeQueued(int reactor, int worker, int64_t queued)
{
    ReactorState* r = slotAt(reactors_, reactor);
    if (r == nullptr || worker < 0) return;
    uint64_t key = (static_cast<uint64_t>(reactor) << 32) | static_cast<uint32_t>(worker);
    auto it = reactorPipeQueued_.find(key);
    int64_t old = it == reactorPipeQueued_.end() ? 0 : it->second;
    r->pipeQueued = std::max<int64_t>(0, r->pipeQueued - old + queued);
    if (queued > 0)
        reactorPipeQueued_[key] = queued;
    else if (it != reactorPipeQueued_.end())
        reactorPipeQueued_.erase(it);
}

int ArchitectureState::pipeIndex(int reactor, int worker) const
{
    int i = pipeOfWorker(pipes_, worker);
    if (i < 0 || pipes_[i].reactor != reactor) return -1;
    return i;
}

void ArchitectureState::apply(const Event& e, const Actor* actor)
{
    ++applied_;
    nowNs_ = e.tsNs;
    const uint64_t bytes = e.bytes > 0 ? static_cast<uint64_t>(e.bytes) : 0;
    auto sessionAt = [this](int64_t id) -> SessionState*
    {
        auto it = sessions_.find(id);
        return it == sessions_.end() ? nullptr : &it->second;
    };

    switch (e.kind)
    {
        case EventKind::WorkerStart:
            if (WorkerState* w = slotAt(workers_, e.worker))
            {
                // A successor that starts before the manager's worker_restart for it: a newer
                // generation (args.generation), or, without one, a new pid while the slot still
                // shows its live predecessor.
                int pid = actor ? actor->pid : 0;
                bool ahead = e.generation > 0
                                 ? e.generation > w->generation && w->generation > 0 && w->pid != 0
                                 : w->status != WorkerStatus::Starting && w->pid > 0 && pid > 0 &&
                                       pid != w->pid;
                if (ahead) ++w->startsAhead;
                if (e.generation > 0)
                    w->generation = e.generation;
                else if (ahead || w->generation == 0)
                    ++w->generation;  // the header gives the first, restarts count up
                w->status = WorkerStatus::Idle;
                w->killed = false;
                if (pid > 0) w->pid = pid;
                stopCallbacks(*w);
            }
            break;
        case EventKind::WorkerReceive:
            if (WorkerState* w = slotAt(workers_, e.worker))
            {
                ++w->received;
                if (e.pipeType == PipeType::RecvData) w->bytesIn += bytes;
            }
            break;
        case EventKind::CallbackEnter:
            if (WorkerState* w = slotAt(workers_, e.worker)) enterCallback(*w, e);
            break;
        case EventKind::CallbackExit:
            if (WorkerState* w = slotAt(workers_, e.worker)) exitCallback(*w, e, held_);
            break;
        case EventKind::SendRequest:
            if (WorkerState* w = slotAt(workers_, e.worker)) w->bytesOut += bytes;
            break;
        case EventKind::WorkerExit:
            if (WorkerState* w = slotAt(workers_, e.worker))
            {
                // A predecessor's exit that arrives after its successor started changes nothing.
                if (actor && actor->pid > 0 && w->pid > 0 && actor->pid != w->pid) break;
                w->status = WorkerStatus::Exited;
                w->killed = false;
                w->exitReason = e.cause;
                w->exitedAtNs = e.tsNs;
                stopCallbacks(*w);
            }
            break;
        case EventKind::WorkerRestart:
        case EventKind::TaskWorkerRestart:
            ++managerRestarts_;
            if (WorkerState* w = slotAt(workers_, e.worker))
            {
                ++w->restarts;
                if (w->startsAhead > 0)
                {
                    // Its successor already runs (worker_start came first): it stays live.
                    --w->startsAhead;
                    break;
                }
                // A killed predecessor never sent worker_exit: the restart is the first sign it
                // died, so it shows killed (red) until its successor's worker_start, whose actor
                // carries the new pid. One that exited gracefully stays grey.
                if (w->status != WorkerStatus::Exited)
                {
                    w->exitedAtNs = e.tsNs;
                    w->killed = true;
                }
                w->status = WorkerStatus::Exited;
                w->pid = 0;
                ++w->generation;
                stopCallbacks(*w);
            }
            break;

        case EventKind::ReactorStart:
            if (ReactorState* r = slotAt(reactors_, e.reactor))
                if (actor && actor->tid > 0) r->tid = actor->tid;
            break;
        case EventKind::Read:
            if (ReactorState* r = slotAt(reactors_, e.reactor))
            {
                ++r->reads;
                r->bytesRead += bytes;
            }
            break;
        case EventKind::ReactorWrite:
            if (ReactorState* r = slotAt(reactors_, e.reactor))
            {
                ++r->writes;
                r->bytesWritten += bytes;
            }
            setQueued(e);
            break;
        case EventKind::BufferFull:
        case EventKind::BufferDrain:
            setQueued(e);
            if (e.bytes > 0) socketBufferSize_ = e.bytes;  // args.watermark: the limit
            if (SessionState* s = sessionAt(e.session))
                s->overflow = e.kind == EventKind::BufferFull;
            break;

        case EventKind::PipeWrite:
            // Worker to worker over the receiver's pipe: a task, its result, a message.
            if (actor != nullptr && (e.direction == Direction::ToTaskWorker ||
                                     e.direction == Direction::ToWorkerForward))
            {
                std::pair<int, int> key{actor->index, e.worker};
                auto it = std::find_if(taskHops_.begin(), taskHops_.end(),
                                       [&](const auto& kv) { return kv.first == key; });
                if (it == taskHops_.end())
                    taskHops_.push_back({key, 1});
                else
                    ++it->second;
            }
            if (e.direction == Direction::ToReactorThread)
            {
                // The INCOMING message is the handoff (and its token, see hopEdge): counting it
                // rather than reactor_assign keeps rates and tokens on the same events.
                if (ReactorState* r = slotAt(reactors_, e.reactor)) ++r->handoffs;
            }
            else if (int i = pipeOfWorker(pipes_, e.worker); i >= 0)
            {
                // `worker` names the pipe, not the writer: a reply may ride another worker's pipe
                // (process model 3.7), so counters are per pipe, never per writing worker.
                PipeState& p = pipes_[i];
                if (e.direction == Direction::ToWorker ||
                    e.direction == Direction::ToWorkerForward ||
                    e.direction == Direction::ToTaskWorker)
                {
                    ++p.toWorker;
                    p.bytesToWorker += bytes;
                }
                else if (e.direction == Direction::ToReactor)
                {
                    ++p.toReactor;
                    p.bytesToReactor += bytes;
                }
            }
            break;
        case EventKind::PipeFull:
        case EventKind::PipeDrain:
        {
            bool full = e.kind == EventKind::PipeFull;
            if (int i = pipeOfWorker(pipes_, e.worker); i >= 0)
            {
                // A drain empties the queue: a missing queued_bytes leaves a full one's as it was.
                PipeState& p = pipes_[i];
                bool back = e.direction == Direction::ToReactor;
                (back ? p.fullBack : p.full) = full;
                int64_t& queued = back ? p.queuedBackBytes : p.queuedBytes;
                if (!full)
                    queued = 0;
                else if (e.queued >= 0)
                    queued = e.queued;
            }
            // A reactor thread's own queue (the writer is the emitting thread, model 8.6).
            if (actor != nullptr && actor->role == Role::Reactor)
                setReactorPipeQueued(actor->index, e.worker, full ? std::max(e.queued, 0) : 0);
            break;
        }

        case EventKind::Accept:
        {
            ++accepted_;
            SessionState s;
            s.session = e.session;
            s.fd = e.fd;
            s.openedNs = e.tsNs;
            // An accept that reuses an open session's id (lost events) replaces it: its queued
            // bytes leave the sum as at a close.
            if (SessionState* old = sessionAt(e.session)) countQueued(*old, 0, -1);
            sessions_[e.session] = s;
            break;
        }
        case EventKind::ReactorAssign:
            if (SessionState* s = sessionAt(e.session)) s->reactor = e.reactor;
            break;
        case EventKind::ReactorRegister:
            if (SessionState* s = sessionAt(e.session))
            {
                // Count a registration once even if a replayed trace repeats it.
                if (s->stage == SessionState::Stage::Accepted)
                    if (ReactorState* r = slotAt(reactors_, e.reactor)) ++r->connections;
                s->stage = SessionState::Stage::Open;
                s->reactor = e.reactor;
            }
            else if (ReactorState* r = slotAt(reactors_, e.reactor))
            {
                ++r->connections;
            }
            break;
        case EventKind::ConnectNotify:
            if (SessionState* s = sessionAt(e.session)) s->worker = e.worker;
            break;
        case EventKind::Dispatch:
            if (SessionState* s = sessionAt(e.session))
            {
                s->worker = e.worker;
                ++s->requests;
            }
            break;
        case EventKind::CloseRequest:
            if (SessionState* s = sessionAt(e.session)) s->stage = SessionState::Stage::Closing;
            break;
        case EventKind::PeerClose:
            if (ReactorState* r = slotAt(reactors_, e.reactor)) ++r->peerCloses;
            if (SessionState* s = sessionAt(e.session)) s->stage = SessionState::Stage::Closing;
            break;
        case EventKind::Close:
        {
            ++closed_;
            ReactorState* r = slotAt(reactors_, e.reactor);
            if (r) ++r->closes;
            // Only a registered connection counts on its reactor; a session this state never saw
            // (lost events) is assumed registered, and the count never goes below zero.
            auto it = sessions_.find(e.session);
            bool registered =
                it == sessions_.end() || it->second.stage != SessionState::Stage::Accepted;
            if (it != sessions_.end())
            {
                countQueued(it->second, 0, -1);  // its unsent output leaves its reactor's sum
                sessions_.erase(it);
            }
            if (r && registered && r->connections > 0) --r->connections;
            break;
        }

        case EventKind::ReloadBegin:
            reloading_ = true;
            break;
        case EventKind::ReloadEnd:
            reloading_ = false;
            break;
        case EventKind::Shutdown:
            shutdown_ = true;
            break;
        default:
            break;
    }
}

}  // namespace rscope::viewer
