// The trace record: one fixed 64-byte POD per event (one cache line), written by the emitting
// thread into its own ring, and the table that names every kind, its historic function and args.
// Plain data shared by every server process (through the trace rings); no owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rscope::trace
{

// Format version of the JSON Lines stream ("major.minor"); readers refuse a newer major.
inline constexpr const char* kFormatName = "reactorscope-trace";
inline constexpr int kFormatMajor = 1;
inline constexpr int kFormatMinor = 1;  // 1.1: task workers (kinds, role, types)

enum class EventKind : uint16_t
{
    // startup
    ServerStart,
    PipeCreate,
    ManagerStart,
    WorkerStart,
    ReactorStart,
    Listen,
    // per connection and request
    Accept,
    ReactorAssign,
    ReactorRegister,
    ConnectNotify,
    Read,
    Frame,
    FrameError,
    Dispatch,
    PipeWrite,
    PipeFull,
    PipeDrain,
    WorkerReceive,
    CallbackEnter,
    CallbackExit,
    SendRequest,
    ReactorWrite,
    BufferFull,
    BufferDrain,
    CloseRequest,
    PeerClose,
    CloseNotify,
    Close,
    Discard,
    // lifecycle
    WorkerExit,
    WorkerRestart,
    ReloadBegin,
    ReloadEnd,
    Shutdown,
    // the tracer itself
    TraceDropped,
    // live step mode (--trace-step): the step gate, as the trace collector saw it
    GateHold,
    GateStep,
    GateRelease,
    // task workers (format 1.1, model section 10)
    TaskDispatch,
    TaskFinish,
    TaskWorkerRestart,
    Count
};

// Which argument slot of TraceRecord an arg lives in, and how it is printed.
enum class ArgSlot : uint8_t
{
    None,
    A0,
    A1,
    A2,
    A3,
    A4
};
enum class ArgType : uint8_t
{
    Int,        // signed integer
    Bool,       // 0 / 1
    PipeType,   // PipeType name ("RECV_DATA" ...)
    Callback,   // callback name (onConnect ...)
    Cause,      // a short reason from the Cause table ("eof", "error" ...)
    Protocol,   // "raw" / "eof" / "length"
    Direction,  // "to_worker" / "to_reactor" / "to_worker_forward" / "to_reactor_thread"
    Ipv4,       // host-order IPv4 address printed as "127.0.0.1"
    Phase,      // shutdown phase name
};

struct ArgInfo
{
    const char* name;
    ArgSlot slot;
    ArgType type;
};

struct KindInfo
{
    const char* name;        // JSON "kind"
    const char* historicFn;  // JSON "fn": the swoole 1.8 function of this step
    ArgInfo args[5];         // JSON "args", in this order; name == nullptr ends the list
};

const KindInfo& kindInfo(EventKind kind);
// A flow whose last event is of one of these kinds is finished (traces/FORMAT.md, "Flows"):
// callback_exit, reactor_write, close, discard, frame_error, reactor_register.
bool isTerminalKind(EventKind kind);
// kind by JSON name; EventKind::Count when unknown.
EventKind kindByName(std::string_view name);

// Reasons carried in a Cause arg (peer_close cause, discard reason, worker_exit reason ...).
enum class Cause : uint8_t
{
    None,
    Eof,
    Error,
    Protocol,
    Heartbeat,
    Closed,
    Gone,
    MaxRequest,
    Reload,
    Sigterm,
    Killed,
    Exited,
    Shutdown,
    Reset,
    ServerClose,
    TooLarge,
    Malformed,
    NoCallback,
    Overflow,  // discard: send() refused while the connection's output buffer is in overflow
    Count
};
const char* causeName(uint8_t cause);

enum class Phase : uint8_t
{
    Begin,               // master: SIGTERM seen, stop accepting
    ReactorsStopped,     // master: reactor threads flushed and joined
    WorkersStopped,      // manager: every worker reaped
    WorkerStop,          // worker: leaving its loop
    Complete,            // master: exit follows
    TaskWorkersStopped,  // manager: every task worker reaped (after the event workers)
};
const char* phaseName(uint8_t phase);

enum class CallbackId : uint8_t
{
    None,
    OnConnect,
    OnReceive,
    OnClose,
    OnWorkerStart,
    OnWorkerStop,
    OnStart,
    OnShutdown,
    OnTask,         // task worker
    OnFinish,       // event worker, with a task's result
    OnPipeMessage,  // any worker, with another worker's sendMessage
};
const char* callbackName(uint8_t id);

enum class Direction : uint8_t
{
    ToWorker,         // reactor -> worker pipe_master
    ToReactor,        // worker -> reactor over pipe_worker
    ToWorkerForward,  // worker -> worker (forwarded close / BASE send)
    ToReactorThread,  // main reactor -> reactor thread notify pipe
    ToTaskWorker,     // event worker -> task worker pipe_master (a task or a message)
};
inline constexpr uint8_t kDirectionCount = 5;
const char* directionName(uint8_t d);

// The type of a pipe message (ipc::PipeHeader::type), as it travels on the wire and in trace args.
// Numbers follow swoole's enum ServerEventType so a learner can match them to its source.
// The vocabulary lives here so that readers of traces need not link the pipes.
enum class PipeType : uint8_t
{
    RecvData = 0,      // reactor -> worker: client bytes (one frame)
    SendData = 2,      // worker -> reactor: reply bytes; BASE: worker -> owner worker
    Close = 4,         // both ways: close notification / close request / close answer
    Connect = 5,       // reactor -> worker: a new connection (onConnect)
    CloseForce = 6,    // -> reactor: close now (heartbeat, shutdown)
    CloseForward = 7,  // worker -> owner worker: close() called outside the owner
    Task = 8,          // event worker -> task worker: task(data)
    Finish = 9,        // task worker -> the calling event worker: finish(result)
    PipeMessage = 10,  // worker -> worker: sendMessage(data)
    Incoming = 15,     // main reactor -> reactor thread: a new fd to own
    Shutdown = 16,     // main reactor -> reactor thread: stop
};

// The name a pipe message type has in traces and logs ("RECV_DATA", "INCOMING" ...), by its
// value on the wire; "UNKNOWN" for others.
const char* pipeTypeName(uint8_t wireValue);
inline const char* pipeTypeName(PipeType type)
{
    return pipeTypeName(static_cast<uint8_t>(type));
}

// The swoole 1.8 function of one event: the kind's historicFn, except for the pipe kinds
// (pipe_write, pipe_full, pipe_drain), whose function is the sender's, chosen by `direction`
// (their args.direction): reactor -> worker swReactorThread_send2worker, worker -> reactor
// swWorker_send2reactor, worker -> worker swWorker_send2worker, the main reactor's hand-off to a
// reactor thread swReactorEpoll_add (1.8's sub_reactor->add). Ignored for the other kinds.
// A few kinds name another function when a task worker emits them (actor role task_worker):
// worker_start swTaskWorker_onStart, worker_receive swProcessPool_worker_loop, callback_enter /
// callback_exit swTaskWorker_onTask, worker_exit swTaskWorker_onStop (model section 10).
const char* historicFn(EventKind kind, uint8_t direction);
const char* historicFn(EventKind kind, uint8_t direction, bool byTaskWorker);

// One event: one 64-byte cache line. The emitting actor (role, index, pid, tid) is a property of
// the ring, not stored. A payload preview travels in the ring slot right after its record.
struct TraceRecord
{
    int64_t tsNs;     // monotonic clock
    uint64_t flow;    // request flow id (0 = none); carried across processes in PipeHeader
    int64_t session;  // 0 = none
    uint64_t msgId;   // pipe message id (0 = none)
    int64_t a0;       // kind-specific (see KindInfo::args)
    int64_t a1;
    int32_t a2;
    int32_t fd;       // -1 = none
    int16_t reactor;  // -1 = none
    int16_t worker;   // -1 = none
    uint8_t kind;     // EventKind
    uint8_t a3;       // kind-specific small values (enums, flags)
    uint8_t a4;
    uint8_t previewLen;  // payload bytes in the next ring slot (0 = no preview)
};
static_assert(sizeof(TraceRecord) == 64, "a trace record is one 64-byte cache line");
// The record's "fn": historicFn(kind, a3) for the pipe kinds (their direction lives in a3).
const char* historicFn(const TraceRecord& r, bool byTaskWorker = false);
inline constexpr size_t kPreviewBytes = 32;

}  // namespace rscope::trace
