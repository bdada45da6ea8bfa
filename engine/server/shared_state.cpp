// SharedState: one anonymous shared mapping; session ids grow forever, slots are reused.
#include "engine/server/shared_state.h"

#include <sys/mman.h>

#include <cerrno>
#include <new>

#include "engine/reactor/socket_ops.h"

namespace rscope::server
{

namespace
{
size_t roundUp(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}
}  // namespace

SharedState::SharedState(int workerNum, int maxConnection) : workerNum_(workerNum)
{
    // Twice max_connection so that a free slot is near when ids wrap around the table.
    int64_t capacity = 1024;
    while (capacity < 2 * static_cast<int64_t>(maxConnection)) capacity <<= 1;
    sessionCapacity_ = capacity;
    size_t headerBytes = roundUp(sizeof(SharedHeader), 64);
    size_t workerBytes = roundUp(sizeof(WorkerSlot) * workerNum, 64);
    size_t sessionBytes = sizeof(SessionSlot) * capacity;
    bytes_ = headerBytes + workerBytes + sessionBytes;
    base_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) reactor::dieWithErrno("mmap", "shared tables", errno);
    // The mapping is zero-filled: every atomic starts at 0, which is its intended initial value.
    char* p = static_cast<char*>(base_);
    header_ = new (p) SharedHeader;
    workers_ = reinterpret_cast<WorkerSlot*>(p + headerBytes);
    sessions_ = reinterpret_cast<SessionSlot*>(p + headerBytes + workerBytes);
}

SharedState::~SharedState()
{
    ::munmap(base_, bytes_);
}

int64_t SharedState::allocateSession()
{
    for (int64_t probes = 0; probes < sessionCapacity_; ++probes)
    {
        int64_t id = header_->sessionRound.fetch_add(1, std::memory_order_relaxed) + 1;
        SessionSlot& slot = slotOf(id);
        int64_t expected = 0;
        // A slot is free when its sessionId is 0. The CAS claims it with a placeholder (-id) so
        // no reader verifies a half-filled slot; BASE workers race here.
        if (slot.sessionId.load(std::memory_order_relaxed) != 0) continue;
        if (!slot.sessionId.compare_exchange_strong(expected, -id, std::memory_order_acq_rel))
            continue;
        slot.fd.store(-1, std::memory_order_relaxed);
        slot.closed.store(0, std::memory_order_relaxed);
        slot.peerClosed.store(0, std::memory_order_relaxed);
        slot.closeActively.store(0, std::memory_order_relaxed);
        slot.overflow.store(0, std::memory_order_relaxed);
        slot.uid.store(0, std::memory_order_relaxed);
        slot.ownerWorker.store(-1, std::memory_order_relaxed);
        return id;
    }
    return 0;
}

void SharedState::publishSession(int64_t session)
{
    slotOf(session).sessionId.store(session, std::memory_order_release);
}

void SharedState::releaseSession(int64_t session)
{
    SessionSlot& slot = slotOf(session);
    slot.fd.store(-1, std::memory_order_relaxed);
    slot.sessionId.store(0, std::memory_order_release);
}

}  // namespace rscope::server
