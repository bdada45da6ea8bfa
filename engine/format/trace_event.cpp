// The kind table: JSON name, historic swoole 1.8 function, and named args of every event kind.
// It drives the serializer, the format checker and traces/FORMAT.md.
#include "engine/format/trace_event.h"

#include <array>
#include <cstring>

namespace rscope::trace
{

namespace
{
using S = ArgSlot;
using T = ArgType;

// Indexed by EventKind; the order must match the enum (checked in kindInfo's test).
const KindInfo kKinds[] = {
    {"server_start",
     "swServer_start",
     {{"reactor_num", S::A0, T::Int},
      {"worker_num", S::A1, T::Int},
      {"dispatch_mode", S::A2, T::Int},
      {"base_mode", S::A3, T::Bool}}},
    {"pipe_create",
     "swPipeUnsock_create",
     {{"master_fd", S::A0, T::Int}, {"worker_fd", S::A1, T::Int}, {"sndbuf", S::A2, T::Int}}},
    {"manager_start", "swManager_start", {{"ppid", S::A0, T::Int}}},
    {"worker_start", "swWorker_loop", {{"generation", S::A0, T::Int}}},
    {"reactor_start",
     "swReactorThread_loop_stream",
     {{"watched_pipes", S::A0, T::Int}, {"pipe_mask", S::A1, T::Int}}},
    {"listen", "swServer_start_proxy", {{"port", S::A0, T::Int}, {"backlog", S::A1, T::Int}}},
    {"accept",
     "swServer_master_onAccept",
     {{"listen_fd", S::A0, T::Int}, {"peer_ip", S::A2, T::Ipv4}, {"peer_port", S::A1, T::Int}}},
    {"reactor_assign", "swServer_master_onAccept", {}},
    // 1.8 registered the fd in swServer_master_onAccept (sub_reactor->add), not in the thread.
    {"reactor_register", "swServer_master_onAccept", {{"delayed", S::A3, T::Bool}}},
    {"connect_notify", "swFactoryProcess_notify", {}},
    {"read",
     "swReactorThread_onRead",
     {{"bytes", S::A0, T::Int}, {"buffered_total", S::A1, T::Int}}},
    // 1.8: swProtocol_recv_check_eof/_length hand each packet to swReactorThread_dispatch.
    {"frame",
     "swReactorThread_dispatch",
     {{"length", S::A0, T::Int}, {"protocol", S::A3, T::Protocol}}},
    // With the length protocol 1.8's check is swProtocol_recv_check_length.
    {"frame_error",
     "swProtocol_recv_check_eof",
     {{"reason", S::A3, T::Cause}, {"length", S::A0, T::Int}, {"max", S::A1, T::Int}}},
    {"dispatch",
     "swFactoryProcess_dispatch",
     {{"type", S::A3, T::PipeType}, {"len", S::A0, T::Int}, {"mode", S::A1, T::Int}}},
    {"pipe_write",
     "swReactorThread_send2worker",
     {{"direction", S::A3, T::Direction},
      {"type", S::A2, T::PipeType},
      {"bytes", S::A0, T::Int},
      {"chunks", S::A1, T::Int},
      {"queued", S::A4, T::Bool}}},
    {"pipe_full",
     "swReactorThread_send2worker",
     {{"direction", S::A3, T::Direction}, {"queued_bytes", S::A0, T::Int}}},
    {"pipe_drain",
     "swReactorThread_onPipeWrite",
     {{"direction", S::A3, T::Direction}, {"queued_bytes", S::A0, T::Int}}},
    {"worker_receive",
     "swWorker_onPipeReceive",
     {{"type", S::A3, T::PipeType}, {"len", S::A0, T::Int}, {"chunks", S::A1, T::Int}}},
    {"callback_enter", "swWorker_onTask", {{"callback", S::A3, T::Callback}}},
    {"callback_exit",
     "swWorker_onTask",
     {{"callback", S::A3, T::Callback}, {"duration_ns", S::A0, T::Int}}},
    {"send_request", "swFactoryProcess_finish", {{"len", S::A0, T::Int}, {"pipe", S::A1, T::Int}}},
    {"reactor_write",
     "swReactorThread_send",
     {{"bytes", S::A0, T::Int}, {"queued", S::A1, T::Int}, {"direct", S::A3, T::Bool}}},
    {"buffer_full",
     "swReactorThread_send",
     {{"queued", S::A0, T::Int}, {"watermark", S::A1, T::Int}}},
    {"buffer_drain",
     "swReactorThread_onWrite",
     {{"queued", S::A0, T::Int}, {"watermark", S::A1, T::Int}}},
    {"close_request",
     "swFactoryProcess_end",
     {{"reset", S::A3, T::Bool}, {"forwarded", S::A4, T::Bool}, {"owner_worker", S::A0, T::Int}}},
    {"peer_close", "swReactorThread_onClose", {{"cause", S::A3, T::Cause}}},
    {"close_notify", "swReactorThread_onClose", {}},
    {"close",
     "swReactorThread_close",
     {{"cause", S::A3, T::Cause}, {"dropped_bytes", S::A0, T::Int}}},
    {"discard", "swWorker_discard_data", {{"reason", S::A3, T::Cause}, {"len", S::A0, T::Int}}},
    {"worker_exit", "swWorker_clean", {{"reason", S::A3, T::Cause}, {"requests", S::A0, T::Int}}},
    {"worker_restart",
     "swManager_spawn_worker",
     {{"old_pid", S::A0, T::Int},
      {"new_pid", S::A1, T::Int},
      {"exit_status", S::A2, T::Int},
      {"signal", S::A4, T::Int}}},
    // 1.8 reloads all workers at once in swManager_loop_async (as here), one by one in _sync.
    {"reload_begin", "swManager_loop_async", {{"workers", S::A0, T::Int}}},
    {"reload_end", "swManager_loop_async", {{"workers", S::A0, T::Int}}},
    {"shutdown", "swServer_shutdown", {{"phase", S::A3, T::Phase}}},
    {"trace_dropped", "rscope_trace_collect", {{"count", S::A0, T::Int}}},
    {"gate_hold", "rscope_step_gate", {}},
    {"gate_step", "rscope_step_gate", {{"count", S::A0, T::Int}, {"released", S::A1, T::Int}}},
    {"gate_release", "rscope_step_gate", {{"held_ns", S::A0, T::Int}, {"steps", S::A1, T::Int}}},
    // An event worker's task(): the task worker chosen (the envelope's worker), first idle or,
    // with none idle, round robin (idle false); 1.8's swProcessPool_schedule.
    {"task_dispatch",
     "swProcessPool_dispatch",
     {{"task_id", S::A0, T::Int},
      {"target", S::A1, T::Int},
      {"len", S::A2, T::Int},
      {"idle", S::A3, T::Bool}}},
    // A task worker's finish(): the result goes back to the worker that called task().
    {"task_finish",
     "swTaskWorker_finish",
     {{"task_id", S::A0, T::Int}, {"to_worker", S::A1, T::Int}, {"len", S::A2, T::Int}}},
    // 1.8's manager respawns a task worker through the pool, not swManager_spawn_worker.
    {"task_worker_restart",
     "swProcessPool_spawn",
     {{"old_pid", S::A0, T::Int},
      {"new_pid", S::A1, T::Int},
      {"exit_status", S::A2, T::Int},
      {"signal", S::A4, T::Int}}},
};
static_assert(sizeof kKinds / sizeof kKinds[0] == static_cast<size_t>(EventKind::Count),
              "one table row per event kind");

const char* const kCauses[] = {"none",      "eof",       "error",       "protocol", "heartbeat",
                               "closed",    "gone",      "max_request", "reload",   "sigterm",
                               "killed",    "exited",    "shutdown",    "reset",    "server_close",
                               "too_large", "malformed", "no_callback", "overflow"};
static_assert(sizeof kCauses / sizeof kCauses[0] == static_cast<size_t>(Cause::Count));

const char* const kCallbacks[] = {"none",          "onConnect",    "onReceive",    "onClose",
                                  "onWorkerStart", "onWorkerStop", "onStart",      "onShutdown",
                                  "onTask",        "onFinish",     "onPipeMessage"};
const char* const kDirections[] = {"to_worker", "to_reactor", "to_worker_forward",
                                   "to_reactor_thread", "to_task_worker"};
static_assert(sizeof kDirections / sizeof kDirections[0] == kDirectionCount);

// The pipe kinds' swoole 1.8 functions by direction (to_worker, to_reactor, to_worker_forward,
// to_reactor_thread); nullptr = the kind's own. A reactor thread writes to a worker with
// swReactorThread_send2worker, which also queues when the pipe is full, and
// swReactorThread_onPipeWrite drains that queue; a worker writes with swWorker_send2reactor (or
// swWorker_send2worker to another worker) through its reactor's swReactor_write, which queues,
// and swReactor_onWrite drains; the main reactor hands a new connection to a reactor thread with
// sub_reactor->add (swReactorEpoll_add in swServer_master_onAccept): no pipe, never full. An
// event worker writes a task to a task worker's pipe_master with swWorker_send2worker too.
struct PipeFns
{
    EventKind kind;
    const char* byDirection[kDirectionCount];
};
const PipeFns kPipeFns[] = {
    {EventKind::PipeWrite,
     {"swReactorThread_send2worker", "swWorker_send2reactor", "swWorker_send2worker",
      "swReactorEpoll_add", "swWorker_send2worker"}},
    {EventKind::PipeFull,
     {"swReactorThread_send2worker", "swReactor_write", "swReactor_write", nullptr,
      "swReactor_write"}},
    {EventKind::PipeDrain,
     {"swReactorThread_onPipeWrite", "swReactor_onWrite", "swReactor_onWrite", nullptr,
      "swReactor_onWrite"}},
};

// What a task worker runs instead (src/network/TaskWorker.c, ProcessPool.c of 1.8): it has no
// event loop; swProcessPool_worker_loop reads its pipe and swTaskWorker_onTask runs the callback.
struct TaskWorkerFn
{
    EventKind kind;
    const char* fn;
};
const TaskWorkerFn kTaskWorkerFns[] = {
    {EventKind::WorkerStart, "swTaskWorker_onStart"},
    {EventKind::WorkerReceive, "swProcessPool_worker_loop"},
    {EventKind::CallbackEnter, "swTaskWorker_onTask"},
    {EventKind::CallbackExit, "swTaskWorker_onTask"},
    {EventKind::WorkerExit, "swTaskWorker_onStop"},
};

const char* const kPhases[] = {"begin",       "reactors_stopped", "workers_stopped",
                               "worker_stop", "complete",         "task_workers_stopped"};

template <size_t N>
const char* pick(const char* const (&names)[N], uint8_t i)
{
    return i < N ? names[i] : "unknown";
}
}  // namespace

const KindInfo& kindInfo(EventKind kind)
{
    return kKinds[static_cast<size_t>(kind)];
}

const char* historicFn(EventKind kind, uint8_t direction)
{
    const char* fallback = static_cast<size_t>(kind) < static_cast<size_t>(EventKind::Count)
                               ? kindInfo(kind).historicFn
                               : "";
    for (const PipeFns& p : kPipeFns)
        if (p.kind == kind && direction < kDirectionCount && p.byDirection[direction] != nullptr)
            return p.byDirection[direction];
    return fallback;
}

const char* historicFn(EventKind kind, uint8_t direction, bool byTaskWorker)
{
    if (byTaskWorker)
        for (const TaskWorkerFn& t : kTaskWorkerFns)
            if (t.kind == kind) return t.fn;
    return historicFn(kind, direction);
}

const char* historicFn(const TraceRecord& r, bool byTaskWorker)
{
    if (byTaskWorker && r.kind < static_cast<uint8_t>(EventKind::Count))
        for (const TaskWorkerFn& t : kTaskWorkerFns)
            if (static_cast<uint8_t>(t.kind) == r.kind) return t.fn;
    if (r.kind >= static_cast<uint8_t>(EventKind::Count)) return "";
    auto kind = static_cast<EventKind>(r.kind);
    for (const ArgInfo& arg : kindInfo(kind).args)
    {
        if (arg.name == nullptr) break;
        if (arg.type != ArgType::Direction) continue;
        int64_t v = arg.slot == ArgSlot::A0   ? r.a0
                    : arg.slot == ArgSlot::A1 ? r.a1
                    : arg.slot == ArgSlot::A2 ? r.a2
                    : arg.slot == ArgSlot::A3 ? r.a3
                                              : r.a4;
        return historicFn(kind, static_cast<uint8_t>(v));
    }
    return kindInfo(kind).historicFn;
}

bool isTerminalKind(EventKind kind)
{
    switch (kind)
    {
        case EventKind::CallbackExit:
        case EventKind::ReactorWrite:
        case EventKind::Close:
        case EventKind::Discard:
        case EventKind::FrameError:
        case EventKind::ReactorRegister:
            return true;
        default:
            return false;
    }
}

EventKind kindByName(std::string_view name)
{
    // Open addressing on length and three characters: one compare per lookup, mostly (the
    // recorder looks up every line's kind).
    constexpr size_t kSlots = 128;
    static auto hash = [](std::string_view n)
    {
        auto c = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(n[i])); };
        return (n.size() * 131 + c(0) * 31 + c(n.size() / 2) * 7 + c(n.size() - 1)) % kSlots;
    };
    struct Table
    {
        std::array<int8_t, kSlots> slot;
        std::array<std::string_view, static_cast<size_t>(EventKind::Count)> names;
    };
    static const Table table = []
    {
        Table t;
        t.slot.fill(-1);
        for (size_t k = 0; k < t.names.size(); ++k)
        {
            t.names[k] = kKinds[k].name;
            size_t h = hash(t.names[k]);
            while (t.slot[h] >= 0) h = (h + 1) % kSlots;
            t.slot[h] = static_cast<int8_t>(k);
        }
        return t;
    }();
    if (name.empty()) return EventKind::Count;
    for (size_t h = hash(name);; h = (h + 1) % kSlots)
    {
        int8_t k = table.slot[h];
        if (k < 0) return EventKind::Count;
        if (table.names[static_cast<size_t>(k)] == name) return static_cast<EventKind>(k);
    }
}

const char* causeName(uint8_t cause)
{
    return pick(kCauses, cause);
}
const char* callbackName(uint8_t id)
{
    return pick(kCallbacks, id);
}
const char* directionName(uint8_t d)
{
    return pick(kDirections, d);
}
const char* phaseName(uint8_t phase)
{
    return pick(kPhases, phase);
}

const char* pipeTypeName(uint8_t wireValue)
{
    switch (wireValue)
    {
        case 0:
            return "RECV_DATA";
        case 2:
            return "SEND_DATA";
        case 4:
            return "CLOSE";
        case 5:
            return "CONNECT";
        case 6:
            return "CLOSE_FORCE";
        case 7:
            return "CLOSE_FORWARD";
        case 8:
            return "TASK";
        case 9:
            return "FINISH";
        case 10:
            return "PIPE_MESSAGE";
        case 15:
            return "INCOMING";
        case 16:
            return "SHUTDOWN";
        default:
            return "UNKNOWN";
    }
}

}  // namespace rscope::trace
