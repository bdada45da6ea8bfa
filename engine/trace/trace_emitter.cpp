// The emitter's process-wide state (documented in trace_emitter.h).
#include "engine/trace/trace_emitter.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace rscope::trace
{

TraceBuffers* gBuffers = nullptr;
bool gPayloadPreview = true;
constinit thread_local Ring* tRing = nullptr;
constinit thread_local char tPreview[kPreviewBytes] = {};

void attachThread(ActorRole role, int index)
{
    if (gBuffers == nullptr)
    {
        tRing = nullptr;
        return;
    }
    Ring& ring = gBuffers->ring(gBuffers->ringFor(role, index));
    // The predecessor of this ring (a restarted worker) is gone: head stays where it left it.
    ring.header.attachHead.store(ring.header.head.load(std::memory_order_relaxed),
                                 std::memory_order_relaxed);
    ring.header.pid.store(::getpid(), std::memory_order_relaxed);
    ring.header.tid.store(static_cast<int32_t>(::syscall(SYS_gettid)), std::memory_order_relaxed);
    ring.header.generation.fetch_add(1, std::memory_order_release);
    tRing = &ring;
}

}  // namespace rscope::trace
