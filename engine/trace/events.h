// One helper per event kind, so that an emit site reads as one line of the request path:
//     trace::ev::read(readTimeNs_, {.session = s, .fd = fd, .reactor = id_, .flow = flow}, n, ...);
// Each helper names the kind's args (engine/format/trace_event.cpp, traces/FORMAT.md) as typed
// parameters, checks trace::on() itself and fills one record. Inline: the record is built in
// registers and stored straight into the ring, as the hand-written sites did.
// Thread-safety: the calling thread's ring only (trace_emitter.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/trace/trace_emitter.h"

namespace rscope::trace::ev
{

// The envelope ids of an event; what the event does not concern stays at its "none" value.
// Designated initializers must follow this order: session, fd, reactor, worker, flow, msgId.
struct Ids
{
    int64_t session = 0;
    int fd = -1;
    int reactor = -1;
    int worker = -1;
    uint64_t flow = 0;
    uint64_t msgId = 0;
};

inline TraceRecord record(EventKind kind, const Ids& ids)
{
    TraceRecord r = makeRecord(kind);
    r.session = ids.session;
    r.fd = ids.fd;
    r.reactor = static_cast<int16_t>(ids.reactor);
    r.worker = static_cast<int16_t>(ids.worker);
    r.flow = ids.flow;
    r.msgId = ids.msgId;
    return r;
}

// --- startup ---

inline void serverStart(int reactorNum, int workerNum, int dispatchMode, bool baseMode)
{
    if (!on()) return;
    TraceRecord r = makeRecord(EventKind::ServerStart);
    r.a0 = reactorNum;
    r.a1 = workerNum;
    r.a2 = dispatchMode;
    r.a3 = baseMode;
    emit(r);
}

inline void pipeCreate(int worker, int masterFd, int workerFd, int sndbuf)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::PipeCreate, {.worker = worker});
    r.a0 = masterFd;
    r.a1 = workerFd;
    r.a2 = sndbuf;
    emit(r);
}

inline void managerStart(int ppid)
{
    if (!on()) return;
    TraceRecord r = makeRecord(EventKind::ManagerStart);
    r.a0 = ppid;
    emit(r);
}

inline void workerStart(int worker, int64_t generation)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::WorkerStart, {.worker = worker});
    r.a0 = generation;
    emit(r);
}

// watchedPipes: how many workers' pipes the thread reads; pipeMask: which (bit w for worker w).
inline void reactorStart(int reactor, int64_t watchedPipes, int64_t pipeMask)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::ReactorStart, {.reactor = reactor});
    r.a0 = watchedPipes;
    r.a1 = pipeMask;
    emit(r);
}

inline void listen(int fd, int port, int backlog)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Listen, {.fd = fd});
    r.a0 = port;
    r.a1 = backlog;
    emit(r);
}

// --- per connection and request ---

inline void accept(const Ids& ids, int listenFd, uint32_t peerIp, int peerPort)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Accept, ids);
    r.a0 = listenFd;
    r.a1 = peerPort;
    r.a2 = static_cast<int32_t>(peerIp);
    emit(r);
}

inline void reactorAssign(const Ids& ids)
{
    if (on()) emit(record(EventKind::ReactorAssign, ids));
}

inline void reactorRegister(const Ids& ids)
{
    if (on()) emit(record(EventKind::ReactorRegister, ids));
}

// A read of `bytes` at tsNs; bufferedTotal: what the frame decoder holds with it (0 when raw).
// The payload preview is the read's data.
inline void read(int64_t tsNs, const Ids& ids, int64_t bytes, int64_t bufferedTotal,
                 const char* data)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Read, ids);
    r.tsNs = tsNs;
    r.a0 = bytes;
    r.a1 = bufferedTotal;
    setPreview(r, data, static_cast<size_t>(bytes));
    emit(r);
}

inline void frame(const Ids& ids, const char* data, size_t len, uint8_t protocol)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Frame, ids);
    r.a0 = static_cast<int64_t>(len);
    r.a3 = protocol;
    setPreview(r, data, len);
    emit(r);
}

inline void frameError(const Ids& ids, Cause reason, int64_t length, int64_t max)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::FrameError, ids);
    r.a0 = length;
    r.a1 = max;
    r.a3 = static_cast<uint8_t>(reason);
    emit(r);
}

// kind: Dispatch for data, ConnectNotify / CloseNotify for the CONNECT and CLOSE messages.
inline void dispatch(EventKind kind, const Ids& ids, uint8_t pipeType, size_t len, int dispatchMode)
{
    if (!on()) return;
    TraceRecord r = record(kind, ids);
    r.a0 = static_cast<int64_t>(len);
    r.a1 = dispatchMode;
    r.a3 = pipeType;
    emit(r);
}

// A message into a pipe: stamped before `write` runs (the receiver may log its side before the
// writer gets back), emitted after with whether the writer had to queue it. A queued message is
// stamped again when write returns: the receiver cannot have all of it yet, and the writer may
// have emitted pipe_full meanwhile, which must not come later than this event in the thread's
// time order. Returns what write returned (PipeWriter::write: 1 = queued).
template <typename Write>
inline int pipeWrite(const Ids& ids, Direction direction, uint8_t pipeType, size_t bytes,
                     int64_t chunks, Write&& write)
{
    if (!on()) return write();
    TraceRecord r = record(EventKind::PipeWrite, ids);
    r.a0 = static_cast<int64_t>(bytes);
    r.a1 = chunks;
    r.a2 = pipeType;
    r.a3 = static_cast<uint8_t>(direction);
    int rc = write();
    r.a4 = rc == 1;
    if (rc == 1) r.tsNs = base::monotonicNs();
    emit(r);
    return rc;
}

// A pipe's writer queued (full) or emptied its queue (drain); `pipe` is the worker of the pipe.
inline void pipePressure(bool full, int pipe, uint8_t direction, size_t queuedBytes)
{
    if (!on()) return;
    TraceRecord r = record(full ? EventKind::PipeFull : EventKind::PipeDrain, {.worker = pipe});
    r.a0 = static_cast<int64_t>(queuedBytes);
    r.a3 = direction;
    emit(r);
}

inline void workerReceive(const Ids& ids, uint8_t pipeType, size_t len, int64_t chunks)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::WorkerReceive, ids);
    r.a0 = static_cast<int64_t>(len);
    r.a1 = chunks;
    r.a3 = pipeType;
    emit(r);
}

inline void sendRequest(const Ids& ids, size_t len, int pipe)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::SendRequest, ids);
    r.a0 = static_cast<int64_t>(len);
    r.a1 = pipe;
    emit(r);
}

inline void reactorWrite(const Ids& ids, size_t bytes, size_t queued, bool direct)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::ReactorWrite, ids);
    r.a0 = static_cast<int64_t>(bytes);
    r.a1 = static_cast<int64_t>(queued);
    r.a3 = direct;
    emit(r);
}

// The output buffer crossed socket_buffer_size (full) or emptied again (drain).
inline void bufferPressure(bool full, const Ids& ids, size_t queued, size_t watermark)
{
    if (!on()) return;
    TraceRecord r = record(full ? EventKind::BufferFull : EventKind::BufferDrain, ids);
    r.a0 = static_cast<int64_t>(queued);
    r.a1 = static_cast<int64_t>(watermark);
    emit(r);
}

inline void closeRequest(const Ids& ids, int ownerWorker, bool reset, bool forwarded)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::CloseRequest, ids);
    r.a0 = ownerWorker;
    r.a3 = reset;
    r.a4 = forwarded;
    emit(r);
}

inline void peerClose(const Ids& ids, Cause cause)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::PeerClose, ids);
    r.a3 = static_cast<uint8_t>(cause);
    emit(r);
}

inline void close(const Ids& ids, Cause cause, size_t droppedBytes)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Close, ids);
    r.a0 = static_cast<int64_t>(droppedBytes);
    r.a3 = static_cast<uint8_t>(cause);
    emit(r);
}

// A message or reply for a session that is gone or closed (model 8.5), ending its flow.
inline void discard(const Ids& ids, Cause reason, size_t len)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::Discard, ids);
    r.a0 = static_cast<int64_t>(len);
    r.a3 = static_cast<uint8_t>(reason);
    emit(r);
}

// Runs a user callback between callback_enter and callback_exit (with its duration). The exit
// carries the ids of the enter: the callback may move on to another message's flow.
template <typename Fn>
inline void callback(const Ids& ids, CallbackId id, Fn&& fn)
{
    if (!on())
    {
        fn();
        return;
    }
    TraceRecord enter = record(EventKind::CallbackEnter, ids);
    enter.a3 = static_cast<uint8_t>(id);
    emit(enter);
    fn();
    TraceRecord exit = record(EventKind::CallbackExit, ids);
    exit.a3 = enter.a3;
    exit.a0 = exit.tsNs - enter.tsNs;
    emit(exit);
}

// --- task workers (model section 10) ---

// An event worker chose task worker `target` for task `taskId` (ids.worker is the target too):
// the first idle one, or round robin when none was idle.
inline void taskDispatch(const Ids& ids, int64_t taskId, int target, size_t len, bool idle)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::TaskDispatch, ids);
    r.a0 = taskId;
    r.a1 = target;
    r.a2 = static_cast<int32_t>(len);
    r.a3 = idle;
    emit(r);
}

// A task worker's finish(): the result of task `taskId` goes back to `toWorker`.
inline void taskFinish(const Ids& ids, int64_t taskId, int toWorker, size_t len)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::TaskFinish, ids);
    r.a0 = taskId;
    r.a1 = toWorker;
    r.a2 = static_cast<int32_t>(len);
    emit(r);
}

// --- lifecycle ---

inline void workerExit(int worker, Cause reason, int64_t requests)
{
    if (!on()) return;
    TraceRecord r = record(EventKind::WorkerExit, {.worker = worker});
    r.a0 = requests;
    r.a3 = static_cast<uint8_t>(reason);
    emit(r);
}

// exitStatus -1 when the worker was killed; signal 0 when it exited. kind: WorkerRestart, or
// TaskWorkerRestart for a task worker (1.8 respawns those through the pool).
inline void workerRestart(int worker, int oldPid, int newPid, int exitStatus, int signal,
                          EventKind kind = EventKind::WorkerRestart)
{
    if (!on()) return;
    TraceRecord r = record(kind, {.worker = worker});
    r.a0 = oldPid;
    r.a1 = newPid;
    r.a2 = exitStatus;
    r.a4 = static_cast<uint8_t>(signal);
    emit(r);
}

inline void reload(bool begin, int workers)
{
    if (!on()) return;
    TraceRecord r = makeRecord(begin ? EventKind::ReloadBegin : EventKind::ReloadEnd);
    r.a0 = workers;
    emit(r);
}

inline void shutdown(Phase phase)
{
    if (!on()) return;
    TraceRecord r = makeRecord(EventKind::Shutdown);
    r.a3 = static_cast<uint8_t>(phase);
    emit(r);
}

}  // namespace rscope::trace::ev
