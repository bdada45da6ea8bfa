// What the architecture picture shows at one moment: each actor's status and counters, the open
// sessions, and cumulative hop counts per edge. Built by applying events forward from the header's
// topology; copyable so keyframes can hold it. Plain data plus apply(); no owner, not thread-safe.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

class TraceStore;

enum class WorkerStatus : uint8_t
{
    Starting,  // forked, no worker_start yet
    Idle,
    Busy,    // inside a callback
    Exited,  // gone until its successor's worker_start: WorkerState::killed says how
};
const char* workerStatusName(WorkerStatus s);

struct WorkerState
{
    int index = -1;
    bool task = false;  // a task worker (index >= worker_num, model section 10)
    int pid = 0;
    int generation = 0;
    WorkerStatus status = WorkerStatus::Starting;
    CallbackId callback = CallbackId::None;  // the callback running while Busy
    int64_t session = 0;                     // the session of that callback
    int callbackDepth = 0;  // callbacks running: onClose nests inside onReceive when it closes
    CallbackId outerCallback = CallbackId::None;  // the outermost one, resumed after a nested
    int64_t outerSession = 0;                     // one returns
    uint64_t received = 0;  // worker_receive events (messages taken from the pipe)
    uint64_t requests = 0;  // onReceive callbacks finished
    uint64_t tasks = 0;     // onTask callbacks finished (task workers)
    uint64_t bytesIn = 0;   // RECV_DATA bytes received
    uint64_t bytesOut = 0;  // send_request bytes
    int64_t busyNs = 0;  // time in callbacks: outermost enter to exit, by ts (nesting counted once)
    int64_t busySinceNs = 0;  // ts of the outermost callback_enter while Busy
    uint32_t restarts = 0;
    int64_t exitedAtNs = 0;  // last worker_exit, 0 = never
    // Exited without a worker_exit (a signal or a crash; the manager's worker_restart told):
    // drawn red. A graceful exit (shutdown, max_request, reload) sent worker_exit first: grey.
    bool killed = false;
    uint8_t exitReason = 0;  // trace::Cause of the last worker_exit (max_request, sigterm ...)
    // Successors whose worker_start came before the manager's worker_restart for them (the fork
    // races the manager's own event): that restart then only counts, the successor stays live.
    int startsAhead = 0;
};
// The state the pictures show: "starting", "idle", "busy", "exited" (graceful) or "killed".
const char* workerStateName(const WorkerState& w);

struct ReactorState
{
    int index = -1;
    int tid = 0;
    int connections = 0;        // sessions registered and not yet closed
    uint64_t bytesRead = 0;     // read events
    uint64_t bytesWritten = 0;  // reactor_write events
    // Output waiting for the clients: the sum of its open sessions' SessionState::queued.
    int64_t bytesQueued = 0;
    // Messages waiting in this thread's memory for full worker pipes: the queued_bytes of the
    // pipe_full events this reactor emitted, until their pipe_drain (model 8.6).
    int64_t pipeQueued = 0;
    uint64_t handoffs = 0;    // main reactor -> this reactor (pipe_write to_reactor_thread)
    uint64_t reads = 0;       // client -> this reactor (read)
    uint64_t writes = 0;      // this reactor -> client (reactor_write)
    uint64_t closes = 0;      // close
    uint64_t peerCloses = 0;  // client -> this reactor (peer_close)
};

struct PipeState
{
    int reactor = -1;
    int worker = -1;
    uint64_t toWorker = 0;   // pipe_write to_worker / to_worker_forward (messages)
    uint64_t toReactor = 0;  // pipe_write to_reactor
    uint64_t bytesToWorker = 0;
    uint64_t bytesToReactor = 0;
    // Towards the worker (to_worker, to_worker_forward): between pipe_full and pipe_drain, and
    // what waits to go into the pipe (pipe_full queued_bytes, 0 on drain).
    bool full = false;
    int64_t queuedBytes = 0;
    // Back towards the reactor (to_reactor: a worker's replies wait in the worker's memory).
    bool fullBack = false;
    int64_t queuedBackBytes = 0;
};

struct SessionState
{
    enum class Stage : uint8_t
    {
        Accepted,  // accept seen, not yet registered by its reactor
        Open,      // reactor_register seen
        Closing,   // close_request or peer_close seen
    };
    int64_t session = 0;
    int fd = -1;
    int reactor = -1;
    int worker = -1;  // the worker of the last dispatch / connect_notify
    Stage stage = Stage::Accepted;
    uint64_t requests = 0;  // read/frame dispatches
    int64_t openedNs = 0;
    // Bytes in its output buffer: args.queued of its latest reactor_write, buffer_full or
    // buffer_drain. Counted in ReactorState::bytesQueued of queuedOn (the reactor of that event)
    // until the next one or its close.
    int64_t queued = 0;
    int queuedOn = -1;
    // Between buffer_full and buffer_drain: send() to it fails in the workers (model 3.8).
    bool overflow = false;
};

// How close an output buffer is to socket_buffer_size, for colouring: Near from 75 % of the
// limit, Over at the limit or while the overflow flag is up. None when the limit is unknown.
enum class BufferPressure : uint8_t
{
    None,
    Near,
    Over,
};
BufferPressure bufferPressure(int64_t queued, bool overflow, int64_t limit);

class ArchitectureState
{
  public:
    // Empty state shaped by the header: one entry per reactor, worker and pipe.
    void reset(const Topology& topology);
    // Applies one event (the next in seq order). Unknown ids are ignored, never trusted as indices.
    // `actor` (store.actorOf(e)) gives a restarted worker its new pid at worker_start; without it
    // the pid stays 0 after a worker_restart (args.new_pid is not decoded into Event).
    void apply(const Event& e, const Actor* actor = nullptr);

    // Step mode's held time (the store's), left out of busy times; copied with the state.
    void setHeldTime(const HeldTime* held) { held_ = held; }
    // w's busy time up to nowNs: the finished callbacks plus the one running, held time left out.
    int64_t busyNs(const WorkerState& w, int64_t nowNs) const;

    size_t applied() const { return applied_; }  // events applied since reset
    int64_t nowNs() const { return nowNs_; }
    const std::vector<WorkerState>& workers() const { return workers_; }
    const std::vector<ReactorState>& reactors() const { return reactors_; }
    const std::vector<PipeState>& pipes() const { return pipes_; }
    // Open sessions (closed ones are removed at their close event).
    const std::unordered_map<int64_t, SessionState>& sessions() const { return sessions_; }
    uint64_t accepted() const { return accepted_; }
    uint64_t closed() const { return closed_; }
    uint64_t managerRestarts() const { return managerRestarts_; }
    bool reloading() const { return reloading_; }
    bool shutdown() const { return shutdown_; }
    int pipeIndex(int reactor, int worker) const;  // -1 when no such pipe
    // Messages worker `from` wrote to worker `to` over `to`'s pipe: tasks (event worker -> task
    // worker), results (task worker -> event worker), sendMessage and forwarded closes (event
    // worker -> event worker), by pipe_write.
    uint64_t taskHops(int from, int to) const;
    // socket_buffer_size: the header's, else the watermark of the latest buffer_full or
    // buffer_drain; 0 while unknown (an older trace that never filled a buffer).
    int64_t socketBufferSize() const { return socketBufferSize_; }
    BufferPressure pressureOf(const SessionState& s) const
    {
        return bufferPressure(s.queued, s.overflow, socketBufferSize_);
    }

  private:
    // Moves session s's queued bytes from the reactor they count on to `reactor` as `queued`
    // (reactor -1: out of every sum).
    void countQueued(SessionState& s, int64_t queued, int reactor);
    void setQueued(const Event& e);  // reactor_write, buffer_full, buffer_drain with args.queued
    std::vector<std::pair<std::pair<int, int>, uint64_t>> taskHops_;  // (from, to) -> count
    // pipe_full / pipe_drain of a reactor thread: its per-pipe queue, summed in pipeQueued.
    void setReactorPipeQueued(int reactor, int worker, int64_t queued);

    std::vector<WorkerState> workers_;
    std::vector<ReactorState> reactors_;
    std::vector<PipeState> pipes_;
    std::unordered_map<int64_t, SessionState> sessions_;
    // (reactor << 32 | worker) -> bytes that reactor queues for that worker's pipe.
    std::unordered_map<uint64_t, int64_t> reactorPipeQueued_;
    int64_t socketBufferSize_ = 0;
    size_t applied_ = 0;
    int64_t nowNs_ = 0;
    const HeldTime* held_ = nullptr;
    uint64_t accepted_ = 0;
    uint64_t closed_ = 0;
    uint64_t managerRestarts_ = 0;
    bool reloading_ = false;
    bool shutdown_ = false;
};

// Keyframes of ArchitectureState every `interval` events, so the state after any prefix of the
// trace costs at most `interval` applies, backwards as cheaply as forwards.
class StateTimeline
{
  public:
    explicit StateTimeline(size_t interval = 4096);
    void rebuild(const TraceStore& store);  // from scratch (after a load or a clear)
    void extend(const TraceStore& store);   // after appends (live): keyframes for the new events
    // The state after applying events [0, n).
    void stateAt(const TraceStore& store, size_t n, ArchitectureState& out) const;
    size_t interval() const { return interval_; }
    size_t keyframes() const { return keyframes_.size(); }

  private:
    size_t interval_;
    std::vector<ArchitectureState> keyframes_;  // keyframes_[k] = state after k * interval_ events
    ArchitectureState tail_;                    // state after every event seen so far
};

// A state that follows the playback cursor: moving forward by a few events applies them;
// any other move goes through the nearest keyframe.
class StateCursor
{
  public:
    void moveTo(const TraceStore& store, const StateTimeline& timeline, size_t n);
    void reset() { valid_ = false; }
    const ArchitectureState& state() const { return state_; }
    size_t position() const { return state_.applied(); }

  private:
    ArchitectureState state_;
    bool valid_ = false;
};

}  // namespace rscope::viewer
