// TraceBuffers: the per-actor single-producer rings in one anonymous MAP_SHARED mapping made
// before the first fork, so every server process writes its events without a syscall.
// Ring i is written by exactly one thread (see ringFor) and drained by the master's collector.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "engine/format/trace_event.h"

namespace rscope::trace
{

enum class ActorRole : uint8_t
{
    Master,
    Reactor,
    Manager,
    Worker,
    TaskWorker,  // index = its worker id, worker_num + i (swoole's numbering)
};
const char* actorRoleName(ActorRole role);

inline constexpr size_t kRingSlots = 32768;  // a power of two; 2 MiB of 64-byte slots per ring

struct alignas(64) RingHeader
{
    // Written by the producer thread only.
    std::atomic<uint64_t> head;     // next slot to write
    std::atomic<uint64_t> dropped;  // events lost to a full ring, ever
    std::atomic<int32_t> pid;       // set when a thread attaches
    std::atomic<int32_t> tid;
    std::atomic<uint32_t> generation;  // +1 per attach (a restarted worker reuses its ring)
    // head when the current generation attached: older slots were written by its predecessor,
    // whose events the collector may not have read yet (they keep the predecessor's actor).
    std::atomic<uint64_t> attachHead;
    uint64_t cachedTail;  // producer's last look at tail: re-read only when full
    uint8_t role;         // ActorRole, fixed at creation
    int16_t index;        // role index (-1 for the single master/manager)
    // Written by the collector only, on its own cache line.
    alignas(64) std::atomic<uint64_t> tail;  // next slot to read
};

struct Ring
{
    RingHeader header;
    TraceRecord slots[kRingSlots];
};

class TraceBuffers
{
  public:
    // Rings: master main, reactor 0..R-1, manager, worker 0..W-1, task worker W..W+T-1. Dies
    // if the mapping fails.
    TraceBuffers(int reactorNum, int workerNum, int taskWorkerNum = 0);
    ~TraceBuffers();
    TraceBuffers(const TraceBuffers&) = delete;
    TraceBuffers& operator=(const TraceBuffers&) = delete;

    int ringCount() const { return ringCount_; }
    Ring& ring(int i) { return rings_[i]; }
    int ringFor(ActorRole role, int index) const;

  private:
    int reactorNum_;
    int workerNum_;
    int ringCount_;
    Ring* rings_;
    size_t bytes_;
};

}  // namespace rscope::trace
