// SharedState: the tables every server process reads, in one anonymous MAP_SHARED mapping made
// before the first fork (model section 1). Each field names the one process/thread that writes it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rscope::server
{

enum class WorkerStatus : uint8_t
{
    Starting = 0,
    Busy = 1,  // swoole's values: BUSY=1, IDLE=2, EXIT=3
    Idle = 2,
    Exited = 3,
};

struct alignas(64) WorkerSlot
{
    std::atomic<int32_t> pid;  // manager (after fork)
    std::atomic<uint32_t>
        generation;                  // manager: 1 for the first process of this id, +1 per restart
    std::atomic<uint8_t> status;     // the worker itself (WorkerStatus)
    std::atomic<uint64_t> requests;  // the worker: successful onReceive calls of this process
    std::atomic<uint64_t> totalRequests;  // the worker: over all generations
};

// One connection as seen by every process; slot = session id % capacity (model 3.1).
struct alignas(64) SessionSlot
{
    std::atomic<int64_t> sessionId;   // master allocates (0 -> id); the owning reactor frees (-> 0)
    std::atomic<int32_t> fd;          // master; the real fd inside the master
    int16_t reactorId;                // master, before sessionId is published
    uint16_t serverFd;                // master
    uint16_t remotePort;              // master
    uint32_t remoteIp;                // master (host order)
    std::atomic<uint8_t> closed;      // CAS 0->1 by whoever runs onClose
    std::atomic<uint8_t> peerClosed;  // owning reactor: the client is gone
    std::atomic<uint8_t> closeActively;  // worker: close() was called
    std::atomic<uint8_t> overflow;       // owning reactor: output queue above socket_buffer_size
    std::atomic<int32_t> ownerWorker;    // BASE mode: the worker that accepted it
    std::atomic<int64_t> uid;            // worker: bind(); 0 = unbound
    int64_t connectTimeS;                // master (wall clock)
    std::atomic<int64_t> lastRecvMs;     // owning reactor (monotonic ms)
};

struct alignas(64) SharedHeader
{
    std::atomic<int32_t> masterPid;        // master
    std::atomic<int32_t> managerPid;       // master (after fork)
    std::atomic<int64_t> sessionRound;     // master (BASE: any worker, by CAS)
    std::atomic<uint64_t> roundRobin;      // reactors: dispatch_mode 1 and 3 counter
    std::atomic<uint8_t> shuttingDown;     // master
    std::atomic<uint64_t> acceptCount;     // master
    std::atomic<uint64_t> closeCount;      // reactors
    std::atomic<uint64_t> discardCount;    // reactors and workers: data for a closed/stale session
    std::atomic<uint64_t> workerRestarts;  // manager
    std::atomic<uint64_t> taskRound;  // event workers: where the idle task worker search starts
    std::atomic<uint64_t> tasksLost;  // task workers: a result whose worker was gone
};

// The mapping: header, worker table (event workers, then task workers: swoole's ids), session
// table.
class SharedState
{
  public:
    // Maps the tables (dies on failure: a startup step). workerNum counts task workers too.
    SharedState(int workerNum, int maxConnection);
    ~SharedState();
    SharedState(const SharedState&) = delete;
    SharedState& operator=(const SharedState&) = delete;

    SharedHeader& header() { return *header_; }
    WorkerSlot& worker(int id) { return workers_[id]; }
    int workerNum() const { return workerNum_; }

    SessionSlot& slotOf(int64_t session) { return sessions_[session & (sessionCapacity_ - 1)]; }
    // The slot of a live session, or nullptr when the id is stale (the slot moved on).
    SessionSlot* verify(int64_t session)
    {
        if (session <= 0) return nullptr;
        SessionSlot& slot = slotOf(session);
        return slot.sessionId.load(std::memory_order_acquire) == session ? &slot : nullptr;
    }
    int64_t sessionCapacity() const { return sessionCapacity_; }

    // Claims the slot of the next session id (master; BASE workers race through CAS) and
    // clears its flags. The caller fills fd, reactor and peer, then publishes. 0 = table full.
    int64_t allocateSession();
    // Makes the session visible to verify() in every process.
    void publishSession(int64_t session);
    // Frees the slot of session (its owner, when the fd is closed).
    void releaseSession(int64_t session);

  private:
    void* base_;
    size_t bytes_;
    int workerNum_;
    int64_t sessionCapacity_;  // a power of two
    SharedHeader* header_;
    WorkerSlot* workers_;
    SessionSlot* sessions_;
};

}  // namespace rscope::server
