// The viewer's in-memory event: one compact record per trace line, plus the actors and the
// topology read from the header. Plain data; owned by TraceStore (GUI thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/format/held_time.h"
#include "engine/format/trace_event.h"

namespace rscope::viewer
{

using trace::CallbackId;
using trace::Direction;
using trace::EventKind;
using trace::HeldTime;
using trace::PipeType;

enum class Role : uint8_t
{
    Master,
    Reactor,
    Manager,
    Worker,
    TaskWorker,  // index: its worker id, worker_num + i (format 1.1)
    Unknown
};
const char* roleName(Role role);
Role roleByName(std::string_view name);

// The thread that emitted an event ("actor" in the JSON). Interned: events hold an index.
struct Actor
{
    Role role = Role::Unknown;
    int index = -1;  // reactor / worker index; -1 for master and manager
    int pid = 0;
    int tid = 0;
    std::string name;  // "reactor[1]", "worker[3]", "master", "manager"
};

// The args the derived state needs hold the trace vocabulary's values (format/trace_event.h), so
// the viewer names them as `rscope trace` does. An event without the arg, or with a name the
// format does not know (a newer minor version), holds a value no wire value uses:
inline constexpr PipeType kNoPipeType = static_cast<PipeType>(0xff);     // no args.type
inline constexpr PipeType kOtherPipeType = static_cast<PipeType>(0xfe);  // unknown args.type
inline constexpr Direction kNoDirection = static_cast<Direction>(0xff);  // none or unknown
// CallbackId::None is the format's own "no callback".
inline constexpr CallbackId kOtherCallback = static_cast<CallbackId>(0xff);  // unknown name

// CLOSE, CLOSE_FORCE and CLOSE_FORWARD all carry a close (a notification, a request, a forwarded
// close() call): the pictures treat them alike.
constexpr bool isCloseType(PipeType type)
{
    return type == PipeType::Close || type == PipeType::CloseForce ||
           type == PipeType::CloseForward;
}

// The format's names (trace::pipeTypeName, trace::callbackName), "" for kNoPipeType and
// CallbackId::None: "RECV_DATA", "CLOSE_FORWARD" ..., "UNKNOWN" for kOtherPipeType; "onReceive"
// ..., "unknown" for kOtherCallback.
const char* pipeTypeLabel(PipeType type);
const char* callbackLabel(CallbackId cb);

// One event. Ids the event does not concern are -1 (fd, reactor, worker) or 0 (session, flow,
// msgId). The args object and the payload preview stay as text in the store's arena; the few args
// the derived state needs are decoded here.
struct Event
{
    int64_t tsNs = 0;
    uint64_t seq = 0;
    uint64_t flow = 0;
    int64_t session = 0;
    uint64_t msgId = 0;
    uint32_t argsOffset = 0;  // TraceStore::text(argsOffset, argsLength): the JSON args object
    uint32_t argsLength = 0;
    uint32_t payloadOffset = 0;  // the escaped payload preview (JSON string contents), may be empty
    uint16_t payloadLength = 0;
    uint16_t actor = 0;  // index into TraceStore::actors()
    int32_t fd = -1;
    // args.bytes or args.len (whichever the kind has), -1 when absent; for buffer_full and
    // buffer_drain, which have neither, args.watermark (the socket_buffer_size limit).
    int32_t bytes = -1;
    int16_t reactor = -1;
    int16_t worker = -1;
    int16_t generation = 0;  // args.generation (worker_start), 0 = none
    EventKind kind = EventKind::Count;
    PipeType pipeType = kNoPipeType;         // args.type
    Direction direction = kNoDirection;      // args.direction (pipe_write)
    CallbackId callback = CallbackId::None;  // args.callback
    // trace::Cause of args.cause / args.reason, 0 = none (the format has fewer than 128).
    uint8_t cause : 7 = 0;
    // The actor is a task worker: a few kinds name another fn. A bit of cause's byte: the event
    // has no byte to spare.
    uint8_t byTaskWorker : 1 = 0;
    // Bytes waiting to be sent, -1 when absent: args.queued (reactor_write, buffer_full,
    // buffer_drain: the connection's output buffer) or args.queued_bytes (pipe_full, pipe_drain:
    // the pipe's). Clamped like `bytes`.
    int32_t queued = -1;
};
// Millions of events are held: an event is 80 bytes. `queued` took the unused `pad` byte and the
// padding around `generation` (moved up next to the other int16 ids), so adding it kept 80.
static_assert(sizeof(Event) == 80, "Event grew: check the field order and padding");

// The swoole 1.8 function of the event (JSON "fn"): the kind's, or for the pipe kinds the
// sender's, by direction, or a task worker's own (trace::historicFn).
const char* eventFn(const Event& e);

struct Process
{
    Role role = Role::Unknown;
    int index = -1;
    int pid = 0;
    int generation = 0;
};

struct Pipe
{
    int reactor = -1;  // the reactor thread that polls this worker's pipe
    int worker = -1;
    int masterFd = -1;
    int workerFd = -1;
};

struct Listener
{
    std::string host;
    int port = 0;
    int fd = -1;
};

struct OpenConnection
{
    int64_t session = 0;
    int fd = -1;
    int reactor = -1;
    std::string peer;  // "127.0.0.1:55868"
};

// The header line: settings and the live topology (traces/FORMAT.md, "Header").
struct Topology
{
    std::string formatVersion;  // "1.1"
    std::string mode;           // "process" | "base"
    std::string host;
    int port = 0;
    int reactorNum = 0;
    int workerNum = 0;
    int taskWorkerNum = 0;  // settings.task_worker_num (0 before format 1.1)
    int dispatchMode = 0;
    std::string protocol;
    bool traceStep = false;  // settings.trace_step: the server accepts hold / step / run
    // settings.socket_buffer_size / buffer_output_size (model 3.8); 0 when the header has none
    // (older traces): a buffer_full's watermark then tells the limit.
    int64_t socketBufferSize = 0;
    int64_t bufferOutputSize = 0;
    std::vector<Process> processes;
    std::vector<Actor> threads;  // every thread of the header, as actors
    std::vector<Pipe> pipes;
    std::vector<Listener> listeners;
    std::vector<OpenConnection> connections;
    uint64_t liveFromSeq = 0;
    std::string headerJson;  // the header line as read, for File -> Save recording
};

}  // namespace rscope::viewer
