// The emit API of the hot path: each thread attaches to its own ring once; emit() copies one
// 64-byte record (plus a preview slot) into it: no lock, no allocation, no syscall. A full ring
// drops and counts.
// With tracing off, every site costs one predictable branch on a process-wide flag; with step
// mode off (no --trace-step), an emit costs one more branch on gStepGate.
#pragma once

#include <cstring>

#include "engine/base/clock.h"
#include "engine/trace/step_gate.h"
#include "engine/trace/trace_buffers.h"

namespace rscope::trace
{

// Process-wide: set once by the master before the first fork (inherited by every child), read
// by every emit site. nullptr = tracing off.
extern TraceBuffers* gBuffers;
// Whether payload previews are recorded (--trace-payload).
extern bool gPayloadPreview;
// The ring of the calling thread (set by attachThread; cleared after fork by re-attaching).
// constinit: without it every use from another file goes through g++'s TLS wrapper function
// (a call per emit site, and UBSan reads its result as a possibly null address).
extern constinit thread_local Ring* tRing;
// The payload preview of the record being built on this thread (setPreview -> emit).
extern constinit thread_local char tPreview[kPreviewBytes];

// -DRSCOPE_TRACE=OFF compiles tracing out: on() is constant false, so every emit site and the
// helpers of events.h fold away, and the server runs as if no trace sink were configured.
#ifndef RSCOPE_TRACE_COMPILED
#define RSCOPE_TRACE_COMPILED 1
#endif
inline constexpr bool kTraceCompiled = RSCOPE_TRACE_COMPILED != 0;

inline bool on()
{
    if constexpr (!kTraceCompiled) return false;
    return tRing != nullptr;
}

// Binds the calling thread to its ring and records its pid/tid; no-op when tracing is off.
void attachThread(ActorRole role, int index);

// A record with the common fields cleared (no ids) and the timestamp taken now.
inline TraceRecord makeRecord(EventKind kind)
{
    TraceRecord r;
    std::memset(static_cast<void*>(&r), 0, sizeof r);
    r.tsNs = base::monotonicNs();
    r.fd = -1;
    r.reactor = -1;
    r.worker = -1;
    r.kind = static_cast<uint8_t>(kind);
    return r;
}

inline void setPreview(TraceRecord& r, const char* data, size_t len)
{
    if (!gPayloadPreview || len == 0) return;
    size_t n = len < kPreviewBytes ? len : kPreviewBytes;
    std::memcpy(tPreview, data, n);
    r.previewLen = static_cast<uint8_t>(n);
}

inline void emit(const TraceRecord& r)
{
    if constexpr (!kTraceCompiled) return;
    Ring* ring = tRing;
    if (ring == nullptr) return;
    RingHeader& h = ring->header;
    uint64_t head = h.head.load(std::memory_order_relaxed);
    uint64_t slots = r.previewLen > 0 ? 2 : 1;  // a preview takes the next slot
    // The collector's tail lives on another core's cache line: look only when the cached
    // value says the ring is full (the usual single-producer ring trick).
    if (head + slots - h.cachedTail > kRingSlots)
        h.cachedTail = h.tail.load(std::memory_order_acquire);
    if (head + slots - h.cachedTail > kRingSlots)
    {
        // Never wait for the collector: the server goes on, the loss is counted and reported.
        h.dropped.store(h.dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return;
    }
    ring->slots[head & (kRingSlots - 1)] = r;
    if (slots == 2)
        std::memcpy(static_cast<void*>(&ring->slots[(head + 1) & (kRingSlots - 1)]), tPreview,
                    kPreviewBytes);
    if (gStepGate != nullptr) [[unlikely]]
    {
        // Step mode: publish, then pause, so the viewer sees what this thread is about to go on
        // from. A dropped event (above) takes no step.
        gStepGate->publishAndPass(h.head, head + slots);
        return;
    }
    h.head.store(head + slots, std::memory_order_release);
}

}  // namespace rscope::trace
