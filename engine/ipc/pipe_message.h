// The fixed header of every master<->worker datagram (model section 3.5) and its event types.
// Plain data shared by reactor threads and workers; no owner.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/format/trace_event.h"

namespace rscope::ipc
{

// The message types are the trace vocabulary's (format/trace_event.h: swoole's numbers, and
// trace::pipeTypeName for their names), so a log line and a trace event spell a type the same way.
using PipeType = trace::PipeType;

// Chunk flags (swoole's values): a payload that spans datagrams is a train BEGIN .. END.
inline constexpr uint8_t kFlagChunk = 4;
inline constexpr uint8_t kFlagBegin = 8;
inline constexpr uint8_t kFlagEnd = 16;
// Close flags carried in PipeHeader::aux for PipeType::Close from a worker.
inline constexpr uint32_t kCloseActively = 1;  // the server asked (close()), not the peer
inline constexpr uint32_t kCloseReset = 2;     // drop queued output (close(session, true))

struct PipeHeader
{
    int64_t session;    // session id on the wire; the fd for Incoming
    uint64_t msgId;     // unique per message; chunks of one message share it
    uint64_t flowId;    // request flow id for tracing (carried across processes)
    int64_t timeNs;     // when the reactor read the bytes (monotonic)
    uint32_t len;       // total payload length of the message, repeated in every chunk
    int16_t reactorId;  // owning reactor thread; -1 in onClose when the server closed
    uint8_t type;       // PipeType
    uint8_t flags;      // kFlag*
    uint16_t workerId;  // sending worker (worker -> reactor), target worker (reactor -> worker)
    uint16_t serverFd;  // listen fd the connection came from
    uint32_t aux;       // per-type extra: close flags, session slot generation ...
};
static_assert(sizeof(PipeHeader) == 48, "the pipe header is a fixed 48-byte record");

// One datagram carries at most this much (header included); bigger payloads become trains.
inline constexpr size_t kMaxDatagramBytes = 64 * 1024;
inline constexpr size_t kMaxChunkPayload = kMaxDatagramBytes - sizeof(PipeHeader);
// Fallback when the kernel refuses big datagrams (EMSGSIZE/ENOBUFS), as swoole does.
inline constexpr size_t kSmallChunkPayload = 2008;
// Socket buffer asked for on every pipe end (the kernel may cap it: model section 8.6).
inline constexpr int kPipeBufferBytes = 8 * 1024 * 1024;

}  // namespace rscope::ipc
