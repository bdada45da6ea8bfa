// StepGate: tickets and a futex on a shared page (see step_gate.h).
#include "engine/trace/step_gate.h"

#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <climits>

#include "engine/base/process_globals.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::trace
{

StepGate* gStepGate = nullptr;

namespace
{
// A paused thread looks for a pending termination this often, so a stop never waits longer.
constexpr long kWaitRoundNs = 50'000'000;

// Not FUTEX_PRIVATE: the word is in MAP_SHARED memory and the waiters are in several processes.
void futexWait(std::atomic<uint32_t>* word, uint32_t expected)
{
    timespec timeout{0, kWaitRoundNs};
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, &timeout, nullptr,
              0);
}

// The server takes SIGTERM/SIGINT through signalfd, so they stay blocked and pending while a
// thread of this process is paused here instead of reading its signalfd.
bool terminationPending()
{
    sigset_t pending;
    if (::sigpending(&pending) < 0) return false;
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}
}  // namespace

StepGate::StepGate()
{
    void* p = ::mmap(nullptr, sizeof(StepGateState), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) reactor::dieWithErrno("mmap", "step gate", errno);
    state_ = static_cast<StepGateState*>(p);
}

StepGate::~StepGate()
{
    ::munmap(state_, sizeof(StepGateState));
}

void StepGate::pass()
{
    uint32_t ticket;
    if (takeTicket(&ticket)) waitFor(ticket);
}

void StepGate::publishAndPass(std::atomic<uint64_t>& word, uint64_t value)
{
    uint32_t ticket;
    bool held = takeTicket(&ticket);
    word.store(value, std::memory_order_release);
    if (held) waitFor(ticket);
}

bool StepGate::takeTicket(uint32_t* ticket)
{
    StepGateState& s = *state_;
    if (s.holding.load(std::memory_order_acquire) == 0) return false;
    *ticket = s.issued.fetch_add(1, std::memory_order_acq_rel) + 1;
    s.waiting.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void StepGate::waitFor(uint32_t ticket)
{
    StepGateState& s = *state_;
    for (;;)
    {
        // Read the change counter before the conditions: a change made after this read makes
        // futexWait return at once, so no wakeup is lost.
        uint32_t seen = s.changes.load(std::memory_order_acquire);
        if (s.holding.load(std::memory_order_acquire) == 0) break;
        if (s.closed.load(std::memory_order_acquire) != 0) break;  // wins over a racing hold()
        // Wrap-safe: released has reached the ticket when their difference is not negative.
        if (static_cast<int32_t>(s.released.load(std::memory_order_acquire) - ticket) >= 0) break;
        if (terminationPending())
        {
            // In the master or the manager a pending stop signal is the shutdown: open the gate
            // for everyone. A worker's SIGTERM may be a reload: this worker alone goes on.
            if (base::threadRole() != base::Role::Worker) close();
            break;
        }
        futexWait(&s.changes, seen);
    }
    s.waiting.fetch_sub(1, std::memory_order_relaxed);
}

bool StepGate::hold()
{
    StepGateState& s = *state_;
    if (s.closed.load(std::memory_order_acquire) != 0) return false;
    if (s.holding.load(std::memory_order_acquire) != 0) return false;
    // Steps granted while nobody held are forgotten: the hold starts from the tickets taken.
    s.released.store(s.issued.load(std::memory_order_acquire), std::memory_order_release);
    s.holding.store(1, std::memory_order_release);
    wakeAll();
    return true;
}

void StepGate::run()
{
    state_->holding.store(0, std::memory_order_release);
    wakeAll();
}

uint32_t StepGate::step(uint32_t n)
{
    StepGateState& s = *state_;
    uint32_t released = s.released.load(std::memory_order_acquire);
    uint32_t granted = 0;
    for (;;)
    {
        // Only tickets already taken: a step pressed while nothing waits must not let a later
        // burst of events through unseen.
        auto waiting = static_cast<int32_t>(s.issued.load(std::memory_order_acquire) - released);
        if (waiting <= 0) return 0;
        granted = std::min(n, static_cast<uint32_t>(waiting));
        if (s.released.compare_exchange_weak(released, released + granted,
                                             std::memory_order_acq_rel))
            break;
    }
    wakeAll();
    return granted;
}

void StepGate::close()
{
    state_->closed.store(1, std::memory_order_release);
    run();
}

void StepGate::wakeAll()
{
    state_->changes.fetch_add(1, std::memory_order_acq_rel);
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_->changes), FUTEX_WAKE, INT_MAX,
              nullptr, nullptr, 0);
}

}  // namespace rscope::trace
