// PeriodicTimer: first tick after one interval, repeats, cancel by deferred destruction, several
// timers in interval order, missed ticks not replayed, a non-positive interval refused. Bounds are
// generous: timerfd never fires early, but a loaded machine fires late.
#include "engine/reactor/timer.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/reactor/event_loop.h"

namespace rscope::reactor
{
namespace
{

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t elapsedMs(Clock::time_point since)
{
    return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

// Quits the loop after timeoutMs; a test that ends here missed what it waited for.
struct Deadline
{
    Deadline(EventLoop* loop, int64_t timeoutMs)
        : timer(loop, timeoutMs,
                [this, loop]
                {
                    expired = true;
                    loop->quit();
                })
    {
    }
    bool expired = false;
    PeriodicTimer timer;
};

TEST(PeriodicTimer, FirstTickComesAfterOneInterval)
{
    EventLoop loop;
    Deadline deadline(&loop, 2000);
    Clock::time_point start = Clock::now();
    int64_t firstTickMs = -1;
    PeriodicTimer timer(&loop, 50,
                        [&]
                        {
                            firstTickMs = elapsedMs(start);
                            loop.quit();
                        });
    loop.loop();
    EXPECT_FALSE(deadline.expired);
    EXPECT_GE(firstTickMs, 49);  // never early (1 ms for the two clocks' reading order)
    EXPECT_LT(firstTickMs, 1500);
}

TEST(PeriodicTimer, RepeatsUntilDestroyedThroughRunAfterEvents)
{
    EventLoop loop;
    Clock::time_point start = Clock::now();
    int ticks = 0;
    int64_t fifthTickMs = -1;
    std::unique_ptr<Deadline> quiet;
    std::unique_ptr<PeriodicTimer> timer;
    timer = std::make_unique<PeriodicTimer>(&loop, 10,
                                            [&]
                                            {
                                                if (++ticks < 5) return;
                                                fifthTickMs = elapsedMs(start);
                                                // Cancel: destroy it, after this batch (its channel
                                                // is dispatching now).
                                                loop.runAfterEvents([&] { timer.reset(); });
                                                quiet = std::make_unique<Deadline>(
                                                    &loop, 100);  // no tick may follow
                                            });
    Deadline deadline(&loop, 2000);
    loop.loop();
    EXPECT_FALSE(deadline.expired);
    ASSERT_NE(quiet, nullptr);
    EXPECT_TRUE(quiet->expired);
    EXPECT_EQ(timer, nullptr);
    EXPECT_EQ(ticks, 5);
    EXPECT_GE(fifthTickMs, 49);  // five intervals of 10 ms at least
    EXPECT_LT(fifthTickMs, 1500);
}

TEST(PeriodicTimer, SeveralTimersFireInIntervalOrder)
{
    EventLoop loop;
    Deadline deadline(&loop, 2000);
    std::vector<int> firstFires;
    auto record = [&](int intervalMs)
    {
        for (int seen : firstFires)
            if (seen == intervalMs) return;
        firstFires.push_back(intervalMs);
        if (firstFires.size() == 3) loop.quit();
    };
    // Created longest first: the order of creation must not matter, only the intervals.
    PeriodicTimer slow(&loop, 120, [&] { record(120); });
    PeriodicTimer fast(&loop, 20, [&] { record(20); });
    PeriodicTimer middle(&loop, 60, [&] { record(60); });
    loop.loop();
    EXPECT_FALSE(deadline.expired);
    EXPECT_EQ(firstFires, (std::vector<int>{20, 60, 120}));
}

// The callback runs once per wakeup; expirations that piled up while the loop was busy are not
// replayed as a burst (the heartbeat and drain timers only need "at least every interval").
TEST(PeriodicTimer, TicksMissedWhileTheLoopWasBusyAreNotReplayed)
{
    EventLoop loop;
    Deadline deadline(&loop, 2000);
    int ticks = 0;
    Clock::time_point windowStart;
    PeriodicTimer timer(&loop, 10,
                        [&]
                        {
                            if (ticks++ == 0) windowStart = Clock::now();
                            if (elapsedMs(windowStart) >= 30) loop.quit();
                        });
    std::this_thread::sleep_for(milliseconds(200));  // about 20 expirations pile up
    Clock::time_point loopStart = Clock::now();
    loop.loop();
    EXPECT_FALSE(deadline.expired);
    int64_t windowMs = elapsedMs(loopStart);
    // Replayed, 20 callbacks would come at once; coalesced, one per interval of the window.
    EXPECT_LE(ticks, windowMs / 10 + 2);
    EXPECT_LT(ticks, 20);
}

TEST(PeriodicTimerDeathTest, DestroyedFromItsOwnCallbackAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            EventLoop loop;
            std::unique_ptr<PeriodicTimer> timer;
            timer = std::make_unique<PeriodicTimer>(&loop, 5, [&] { timer.reset(); });
            loop.loop();
        },
        "destroyed while its loop dispatches events");
}

// timerfd would disarm on 0 (the callback never runs) and refuse a negative interval: both are
// programmer errors, refused with a message in every build type.
TEST(PeriodicTimerDeathTest, NonPositiveIntervalAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    for (int64_t intervalMs : {int64_t{0}, int64_t{-1}})
        EXPECT_DEATH(
            {
                EventLoop loop;
                PeriodicTimer timer(&loop, intervalMs, [] {});
            },
            "PeriodicTimer: interval -?[01] ms; it must be positive")
            << intervalMs;
}

}  // namespace
}  // namespace rscope::reactor
