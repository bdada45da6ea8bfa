// StepGate: live step mode (`rscope server --trace-step`). While a trace client holds the gate,
// every traced thread pauses right after each event it emits until a client grants a step, so
// a learner can walk the real multi-process server through a request one event at a time.
//
// The state lives in one anonymous MAP_SHARED page made before the first fork, so the master's
// threads, the manager and every worker wait on the same futex words. Tickets keep the order:
// a paused thread takes the next ticket and runs again once `released` reaches it, so steps
// release paused threads oldest first.
//
// Never a deadlock: `run` or the holding client's disconnect opens the gate; a shutdown
// (SIGTERM/SIGINT taken by the master or the manager, or still pending in the waiting process)
// opens it for good; a waiting worker with SIGTERM pending (a reload or its parent's death) goes
// on without waiting so it can exit in time (its ticket stays behind: one later step finds
// nobody to release, and the learner steps once more).
// Owner: Server, in the master, before the first fork; every child inherits the mapping.
// Thread-safety: every method is safe from any thread of any server process.
#pragma once

#include <atomic>
#include <cstdint>

namespace rscope::trace
{

// The shared words. All 32-bit so that futex can wait on them.
struct StepGateState
{
    std::atomic<uint32_t> holding;   // 1 while a client holds the gate
    std::atomic<uint32_t> closed;    // 1 once shutdown began: never holds again
    std::atomic<uint32_t> issued;    // tickets taken by paused threads (wraps)
    std::atomic<uint32_t> released;  // tickets let through (wraps; compared modulo 2^32)
    std::atomic<uint32_t> changes;   // +1 per state change: the futex word waiters sleep on
    std::atomic<uint32_t> waiting;   // threads paused right now (for the header and tests)
};

class StepGate
{
  public:
    // Maps the shared page (zero-filled: not holding). Dies if the mapping fails.
    StepGate();
    ~StepGate();
    StepGate(const StepGate&) = delete;
    StepGate& operator=(const StepGate&) = delete;

    // Called by a traced thread after it emitted an event. Returns at once unless the gate is
    // held; then waits for its ticket (futex, 50 ms rounds that re-check for termination).
    void pass();
    // emit()'s form of pass(): takes the ticket, then stores value into word (the ring head
    // that makes the event visible), then waits. A viewer that sees the event and steps can
    // therefore never miss this thread (a step only counts tickets already taken).
    void publishAndPass(std::atomic<uint64_t>& word, uint64_t value);

    // Control (the collector thread, on client commands; tests). Each wakes every waiter.
    // Starts holding: events emitted from now on wait. False when closed or already held.
    bool hold();
    // Stops holding: everyone paused goes on.
    void run();
    // Lets up to n of the threads paused right now go on, oldest first, and returns how many it
    // let go. Nothing is saved for later: a step while no thread waits does nothing (returns 0).
    uint32_t step(uint32_t n);
    // Shutdown: stops holding for good (hold() is refused from now on).
    void close();

    bool holding() const { return state_->holding.load(std::memory_order_acquire) != 0; }
    bool closed() const { return state_->closed.load(std::memory_order_acquire) != 0; }
    uint32_t waiting() const { return state_->waiting.load(std::memory_order_acquire); }

  private:
    bool takeTicket(uint32_t* ticket);  // false (no ticket) when the gate is not held
    void waitFor(uint32_t ticket);
    void wakeAll();

    StepGateState* state_;
};

// Process-wide: set by the master before the first fork when --trace-step is on (inherited by
// every child), read after every successful emit. nullptr = step mode off: one branch per emit.
extern StepGate* gStepGate;

// Opens the gate for good if step mode is on: the master and the manager call it when they
// begin a shutdown, so no thread waits for a step that can no longer come.
inline void closeStepGate()
{
    if (gStepGate != nullptr) gStepGate->close();
}

}  // namespace rscope::trace
