// StepGate: paused threads go on in ticket order, one per step; `run` and a pending SIGTERM let
// everyone go; a worker's SIGTERM frees only that worker; the futex works across fork().
#include "engine/trace/step_gate.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/process_globals.h"

namespace rscope::trace
{
namespace
{

using namespace std::chrono_literals;

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 3s)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (cond()) return true;
        std::this_thread::sleep_for(1ms);
    }
    return cond();
}

// Threads that each pass the gate once, started one at a time so their tickets are in order.
class Passers
{
  public:
    explicit Passers(StepGate& gate) : gate_(gate) {}
    ~Passers()
    {
        gate_.run();  // never leave a thread behind, even when an assertion failed
        for (auto& t : threads_) t.join();
    }

    // Starts thread i and waits until it is paused (its ticket taken).
    bool startPaused(int i)
    {
        uint32_t before = gate_.waiting();
        threads_.emplace_back(
            [this, i]
            {
                gate_.pass();
                std::lock_guard<std::mutex> lock(mutex_);
                done_.push_back(i);
            });
        return waitFor([&] { return gate_.waiting() == before + 1; });
    }

    std::vector<int> done()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return done_;
    }

  private:
    StepGate& gate_;
    std::mutex mutex_;
    std::vector<int> done_;
    std::vector<std::thread> threads_;
};

TEST(StepGate, NotHeldPassesAtOnce)
{
    StepGate gate;
    EXPECT_FALSE(gate.holding());
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) gate.pass();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
    EXPECT_EQ(gate.waiting(), 0u);
}

TEST(StepGate, EachStepReleasesTheOldestPausedThread)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    EXPECT_FALSE(gate.hold()) << "already held";
    Passers passers(gate);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(passers.startPaused(i));
    std::this_thread::sleep_for(80ms);  // longer than a wait round: nobody leaves unasked
    EXPECT_TRUE(passers.done().empty());
    for (int i = 0; i < 3; ++i)
    {
        gate.step(1);
        ASSERT_TRUE(waitFor([&] { return passers.done().size() == static_cast<size_t>(i + 1); }));
        std::this_thread::sleep_for(60ms);  // and no second thread goes on the same step
        ASSERT_EQ(passers.done().size(), static_cast<size_t>(i + 1));
        EXPECT_EQ(passers.done().back(), i) << "tickets go in order";
    }
    EXPECT_EQ(gate.waiting(), 0u);
}

TEST(StepGate, PublishAndPassShowsTheEventThenWaitsForAStepSentAfterSeeingIt)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    std::atomic<uint64_t> head{0};
    std::atomic<bool> passed{false};
    std::thread producer(
        [&]
        {
            gate.publishAndPass(head, 7);
            passed = true;
        });
    // What a viewer does: wait until the event is visible, then step once at once. The ticket
    // was taken before the store, so this step is never a no-op.
    ASSERT_TRUE(waitFor([&] { return head.load() == 7u; }));
    gate.step(1);
    EXPECT_TRUE(waitFor([&] { return passed.load(); }, 1s));
    gate.run();
    producer.join();
}

TEST(StepGate, AStepWithNoThreadPausedIsNotSavedForLater)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    // nothing waits: a learner's early Enter must not release a later burst
    EXPECT_EQ(gate.step(3), 0u) << "a step that lets nobody go says so (no gate_step event)";
    Passers passers(gate);
    ASSERT_TRUE(passers.startPaused(0));
    std::this_thread::sleep_for(60ms);
    EXPECT_TRUE(passers.done().empty());
    gate.step(1);
    EXPECT_TRUE(waitFor([&] { return passers.done().size() == 1u; }));
}

TEST(StepGate, StepNReleasesUpToNOfThePausedThreads)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    Passers passers(gate);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(passers.startPaused(i));
    EXPECT_EQ(gate.step(2), 2u);
    ASSERT_TRUE(waitFor([&] { return passers.done().size() == 2u; }));
    std::this_thread::sleep_for(60ms);
    EXPECT_EQ(passers.done().size(), 2u) << "the third still waits";
    // More than wait: the one left goes, nothing is kept; the count says how many went.
    EXPECT_EQ(gate.step(5), 1u);
    ASSERT_TRUE(waitFor([&] { return passers.done().size() == 3u; }));
    Passers later(gate);
    ASSERT_TRUE(later.startPaused(9));
    std::this_thread::sleep_for(60ms);
    EXPECT_TRUE(later.done().empty()) << "the 4 steps too many were not saved";
}

TEST(StepGate, AFreshHoldStartsFromTheTicketsTakenSoFar)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    {
        Passers early(gate);
        ASSERT_TRUE(early.startPaused(0));
        gate.run();  // its ticket is never released by a step
    }
    ASSERT_TRUE(gate.hold());
    Passers passers(gate);
    ASSERT_TRUE(passers.startPaused(0));
    std::this_thread::sleep_for(60ms);
    EXPECT_TRUE(passers.done().empty());
    gate.step(1);  // not spent on the old ticket
    EXPECT_TRUE(waitFor([&] { return passers.done().size() == 1u; }, 1s));
}

TEST(StepGate, RunReleasesEveryPausedThread)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    Passers passers(gate);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(passers.startPaused(i));
    gate.run();
    EXPECT_TRUE(waitFor([&] { return passers.done().size() == 4u; }, 1s));
    EXPECT_FALSE(gate.holding());
    EXPECT_TRUE(gate.hold()) << "run is not close: a client may hold again";
    gate.run();
}

TEST(StepGate, CloseReleasesEveryoneAndRefusesLaterHolds)
{
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    Passers passers(gate);
    ASSERT_TRUE(passers.startPaused(0));
    gate.close();
    EXPECT_TRUE(waitFor([&] { return passers.done().size() == 1u; }, 1s));
    EXPECT_FALSE(gate.hold());
    EXPECT_TRUE(gate.closed());
    gate.pass();  // returns at once
}

// Blocks SIGTERM for the test (as the server does) and takes a pending one back at the end.
class SigtermBlocked
{
  public:
    SigtermBlocked()
    {
        sigemptyset(&set_);
        sigaddset(&set_, SIGTERM);
        ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
    }
    ~SigtermBlocked()
    {
        timespec zero{0, 0};
        while (::sigtimedwait(&set_, nullptr, &zero) == SIGTERM)
        {
        }
        ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

  private:
    sigset_t set_;
    sigset_t old_;
};

TEST(StepGate, PendingSigtermInTheMasterOpensTheGateForGood)
{
    SigtermBlocked blocked;  // before the threads start: they inherit the mask
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    Passers passers(gate);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(passers.startPaused(i));
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    // Within a few wait rounds (50 ms each), not after a step that never comes.
    EXPECT_TRUE(waitFor([&] { return passers.done().size() == 2u; }, 1s));
    EXPECT_TRUE(gate.closed()) << "a shutdown: no hold from now on";
    EXPECT_FALSE(gate.hold());
}

TEST(StepGate, PendingSigtermInAWorkerFreesOnlyThatWorker)
{
    SigtermBlocked blocked;
    StepGate gate;
    ASSERT_TRUE(gate.hold());
    std::atomic<bool> passed{false};
    std::thread worker(
        [&]
        {
            base::setThreadRole(base::Role::Worker, 0);
            gate.pass();
            passed = true;
        });
    ASSERT_TRUE(waitFor([&] { return gate.waiting() == 1u; }));
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    EXPECT_TRUE(waitFor([&] { return passed.load(); }, 1s));
    worker.join();
    // A worker's SIGTERM may be a reload: the learner keeps the gate.
    EXPECT_TRUE(gate.holding());
    EXPECT_FALSE(gate.closed());
    gate.run();
}

TEST(StepGate, AStepWakesAPausedChildProcess)
{
    auto gate = std::make_unique<StepGate>();  // MAP_SHARED: the child sees the same words
    ASSERT_TRUE(gate->hold());
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
    {
        gate->pass();
        ::_exit(0);
    }
    ASSERT_TRUE(waitFor([&] { return gate->waiting() == 1u; }));
    std::this_thread::sleep_for(60ms);
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, WNOHANG), 0) << "the child waits for its step";
    gate->step(1);
    bool exited = waitFor([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 2s);
    if (!exited)
    {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
    }
    EXPECT_TRUE(exited);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace rscope::trace
