// EventLoop: quit and wakeup across threads, the before-sleep hook, channel interest (add,
// update, remove), runAfterEvents (after the batch, scheduling more, no sleep while pending) and
// deferred destruction of channel owners, more ready fds than one epoll batch, and the
// one-loop-per-thread checks.
#include "engine/reactor/event_loop.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/reactor/channel.h"

namespace rscope::reactor
{
namespace
{

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Every loop() here is bounded: this quits it from a timerfd after timeoutMs. A test that ends
// through its deadline instead of its own quit() failed to see what it waited for.
class LoopDeadline
{
  public:
    LoopDeadline(EventLoop* loop, int timeoutMs)
        : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)),
          channel_(loop, fd_.get())
    {
        itimerspec spec{};
        spec.it_value.tv_sec = timeoutMs / 1000;
        spec.it_value.tv_nsec = (timeoutMs % 1000) * 1000000L;
        ::timerfd_settime(fd_.get(), 0, &spec, nullptr);
        channel_.setReadCallback(
            [this, loop]
            {
                uint64_t expirations;
                ssize_t n = ::read(fd_.get(), &expirations, sizeof expirations);
                (void)n;
                expired_ = true;
                loop->quit();
            });
        channel_.enableReading();
    }

    bool expired() const { return expired_; }

  private:
    base::UniqueFd fd_;
    Channel channel_;
    bool expired_ = false;
};

base::UniqueFd makeEventFd(unsigned initial)
{
    return base::UniqueFd(::eventfd(initial, EFD_NONBLOCK | EFD_CLOEXEC));
}

void drainEventFd(int fd)
{
    uint64_t value;
    ssize_t n = ::read(fd, &value, sizeof value);
    (void)n;
}

void signalEventFd(int fd)
{
    uint64_t one = 1;
    ssize_t n = ::write(fd, &one, sizeof one);
    (void)n;
}

TEST(EventLoop, QuitFromAnotherThreadWakesABlockedLoop)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    std::thread other(
        [&loop]
        {
            std::this_thread::sleep_for(milliseconds(20));
            loop.quit();
        });
    loop.loop();  // nothing but the wakeup can end this before the deadline
    other.join();
    EXPECT_FALSE(deadline.expired());
    EXPECT_TRUE(loop.quitting());
}

TEST(EventLoop, QuitBeforeLoopReturnsWithoutWaitingAndStaysQuit)
{
    EventLoop loop;
    int waits = 0;
    loop.setBeforeSleep([&] { ++waits; });
    loop.quit();
    loop.loop();
    EXPECT_EQ(waits, 0);  // never reached epoll_wait
    // quit() is not reset by loop(): a quit loop stays quit (base_worker reads quitting()).
    loop.loop();
    EXPECT_EQ(waits, 0);
    EXPECT_TRUE(loop.quitting());
}

// A functor scheduled during dispatch runs once the whole batch has been handed out.
TEST(EventLoop, AfterEventsFunctorRunsAfterTheWholeBatch)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    base::UniqueFd a = makeEventFd(1);
    base::UniqueFd b = makeEventFd(1);  // both ready: one epoll batch
    std::vector<std::string> order;
    bool scheduled = false;
    auto onRead = [&](const char* name, int fd)
    {
        drainEventFd(fd);
        order.push_back(name);
        if (scheduled) return;
        scheduled = true;
        loop.runAfterEvents(
            [&]
            {
                EXPECT_FALSE(loop.dispatching());
                order.push_back("after events");
                loop.quit();
            });
    };
    Channel ca(&loop, a.get());
    ca.setReadCallback([&] { onRead("a", a.get()); });
    ca.enableReading();
    Channel cb(&loop, b.get());
    cb.setReadCallback([&] { onRead("b", b.get()); });
    cb.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    ASSERT_EQ(order.size(), 3u);
    EXPECT_TRUE((order[0] == "a" && order[1] == "b") || (order[0] == "b" && order[1] == "a"));
    EXPECT_EQ(order[2], "after events");
}

// Work scheduled while no batch is dispatched (here by the before-sleep hook) must not wait
// for an unrelated event: the loop polls instead of sleeping, then runs it.
TEST(EventLoop, AfterEventsFunctorFromTheBeforeSleepHookRunsWithoutAnotherEvent)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);  // the only other fd: nothing else can wake the loop
    int waits = 0;
    int ran = 0;
    loop.setBeforeSleep(
        [&]
        {
            if (++waits > 1) return;
            loop.runAfterEvents(
                [&]
                {
                    EXPECT_FALSE(loop.dispatching());
                    ++ran;
                    loop.quit();
                });
        });
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(waits, 1);
}

TEST(EventLoop, BeforeSleepRunsOnceBeforeEveryWait)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    base::UniqueFd fd = makeEventFd(1);  // never drained: level-triggered, ready every wait
    int waits = 0;
    int reads = 0;
    std::vector<int> waitsSeenByRead;
    loop.setBeforeSleep([&] { ++waits; });
    Channel channel(&loop, fd.get());
    channel.setReadCallback(
        [&]
        {
            waitsSeenByRead.push_back(waits);
            if (++reads == 5) loop.quit();
        });
    channel.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(reads, 5);
    EXPECT_EQ(waits, 5);
    EXPECT_EQ(waitsSeenByRead, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(EventLoop, ChannelInterestFollowsEnableDisableAndRemove)
{
    EventLoop loop;
    base::UniqueFd fd = makeEventFd(1);  // stays readable and writable throughout
    int reads = 0;
    int writes = 0;
    std::unique_ptr<LoopDeadline> quietPeriod;
    Channel channel(&loop, fd.get());
    channel.setReadCallback(
        [&]
        {
            ++reads;
            channel.disableReading();  // the fd is still readable: no more reads may come
            channel.enableWriting();
            EXPECT_TRUE(channel.isWriting());
        });
    channel.setWriteCallback(
        [&]
        {
            ++writes;
            channel.remove();  // still writable: no more writes may come
            EXPECT_FALSE(channel.isWriting());
            channel.remove();  // twice is fine
            quietPeriod = std::make_unique<LoopDeadline>(&loop, 50);
        });
    channel.enableReading();
    LoopDeadline deadline(&loop, 2000);
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    ASSERT_NE(quietPeriod, nullptr);
    EXPECT_TRUE(quietPeriod->expired());
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(writes, 1);
}

TEST(EventLoop, RemovedChannelCanBeAddedAgain)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    base::UniqueFd fd = makeEventFd(1);
    int reads = 0;
    Channel channel(&loop, fd.get());
    channel.setReadCallback(
        [&]
        {
            ++reads;
            loop.quit();
        });
    channel.enableReading();
    channel.remove();
    channel.enableReading();  // EPOLL_CTL_ADD again, not MOD
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(reads, 1);
}

TEST(EventLoop, FdThatEpollRefusesLeavesTheChannelUnregisteredAndTheLoopRunning)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    std::FILE* file = std::tmpfile();  // regular files cannot join an epoll set (EPERM)
    ASSERT_NE(file, nullptr);
    Channel refused(&loop, ::fileno(file));
    refused.setReadCallback([] { ADD_FAILURE() << "a refused channel got an event"; });
    refused.enableReading();  // logged, and no event may come

    base::UniqueFd fd = makeEventFd(1);
    int reads = 0;
    Channel fine(&loop, fd.get());
    fine.setReadCallback(
        [&]
        {
            ++reads;
            loop.quit();
        });
    fine.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(reads, 1);
    std::fclose(file);
}

// kMaxEvents (256) bounds one epoll batch; the rest must come in the next wait, none lost.
TEST(EventLoop, MoreReadyFdsThanOneBatchAreEachServedOnce)
{
    constexpr int kFds = 300;
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    std::vector<base::UniqueFd> fds;
    std::vector<std::unique_ptr<Channel>> channels;
    std::vector<int> served(kFds, 0);
    int total = 0;
    int waits = 0;
    loop.setBeforeSleep([&] { ++waits; });
    for (int i = 0; i < kFds; ++i)
    {
        fds.push_back(makeEventFd(1));
        ASSERT_TRUE(fds.back().valid());
        channels.push_back(std::make_unique<Channel>(&loop, fds.back().get()));
        channels.back()->setReadCallback(
            [&, i]
            {
                drainEventFd(fds[i].get());
                ++served[i];
                if (++total == kFds) loop.quit();
            });
        channels.back()->enableReading();
    }
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(total, kFds);
    for (int i = 0; i < kFds; ++i) ASSERT_EQ(served[i], 1) << "fd index " << i;
    EXPECT_GE(waits, 2);  // 300 > 256: at least two batches
}

// An object that owns its fd and its channel, like a connection.
struct Owner
{
    Owner(EventLoop* loop, base::UniqueFd ownedFd) : fd(std::move(ownedFd)), channel(loop, fd.get())
    {
    }
    base::UniqueFd fd;
    Channel channel;  // declared after fd: leaves epoll before the fd closes
    int reads = 0;
};

TEST(EventLoop, OwnerDestroyedByAnotherCallbackOfTheBatchThroughRunAfterEvents)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    auto first = std::make_unique<Owner>(&loop, makeEventFd(1));
    auto second = std::make_unique<Owner>(&loop, makeEventFd(1));  // same batch as first
    base::UniqueFd later = makeEventFd(0);
    bool destroyedAfterBatch = false;
    bool laterRan = false;
    auto kill = [&](std::unique_ptr<Owner>& self, std::unique_ptr<Owner>& victim)
    {
        ++self->reads;
        drainEventFd(self->fd.get());
        if (!victim) return;
        victim->channel.remove();  // its event of this batch (if still to come) is skipped
        loop.runAfterEvents(
            [&]
            {
                EXPECT_FALSE(loop.dispatching());
                victim.reset();
                destroyedAfterBatch = true;
                signalEventFd(later.get());  // the loop must go on after the destruction
            });
    };
    first->channel.setReadCallback([&] { kill(first, second); });
    second->channel.setReadCallback([&] { kill(second, first); });
    first->channel.enableReading();
    second->channel.enableReading();
    Channel laterChannel(&loop, later.get());
    laterChannel.setReadCallback(
        [&]
        {
            laterRan = true;
            loop.quit();
        });
    laterChannel.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_TRUE(destroyedAfterBatch);
    EXPECT_TRUE(laterRan);
    // Exactly one owner ran and survived; the other was removed before its event and destroyed.
    ASSERT_NE(first == nullptr, second == nullptr);
    Owner* survivor = first ? first.get() : second.get();
    EXPECT_EQ(survivor->reads, 1);
}

TEST(EventLoop, OwnerDestroysItselfFromItsOwnCallbackThroughRunAfterEvents)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    auto owner = std::make_unique<Owner>(&loop, makeEventFd(1));
    int ownerFd = owner->fd.get();
    base::UniqueFd later = makeEventFd(0);
    owner->channel.setReadCallback(
        [&]
        {
            ++owner->reads;
            owner->channel.remove();
            loop.runAfterEvents(
                [&]
                {
                    owner.reset();
                    signalEventFd(later.get());
                });
        });
    owner->channel.enableReading();
    bool laterRan = false;
    Channel laterChannel(&loop, later.get());
    laterChannel.setReadCallback(
        [&]
        {
            laterRan = true;
            loop.quit();
        });
    laterChannel.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(owner, nullptr);
    EXPECT_TRUE(laterRan);
    errno = 0;
    EXPECT_EQ(::fcntl(ownerFd, F_GETFD), -1);  // the owner closed its fd when destroyed
    EXPECT_EQ(errno, EBADF);
}

// A functor that schedules another must not free itself: the vector it runs from must not grow
// under it (a small lambda, stored inside its std::function, would read its captures from freed
// memory). The second runs in the next round, without waiting for an event: the channel is off.
TEST(EventLoop, AfterEventsFunctorMayScheduleMoreAfterEvents)
{
    EventLoop loop;
    LoopDeadline deadline(&loop, 2000);
    base::UniqueFd fd = makeEventFd(1);
    std::vector<int> order;
    Channel channel(&loop, fd.get());
    channel.setReadCallback(
        [&]
        {
            drainEventFd(fd.get());
            channel.disableAll();
            // Two references: stored inside the std::function, not on the heap.
            loop.runAfterEvents(
                [&order, &loop]
                {
                    loop.runAfterEvents(
                        [&order, &loop]
                        {
                            order.push_back(2);
                            loop.quit();
                        });
                    order.push_back(1);  // reads the capture after the vector grew
                });
        });
    channel.enableReading();
    loop.loop();
    EXPECT_FALSE(deadline.expired());
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(EventLoop, CurrentNamesThisThreadsLoopAndANewLoopMayFollowAnEndedOne)
{
    EXPECT_EQ(EventLoop::current(), nullptr);
    {
        EventLoop first;
        EXPECT_EQ(EventLoop::current(), &first);
        EventLoop* seenByOther = &first;
        std::thread other([&] { seenByOther = EventLoop::current(); });
        other.join();
        EXPECT_EQ(seenByOther, nullptr);  // one loop per thread, not per process
    }
    EXPECT_EQ(EventLoop::current(), nullptr);
    EventLoop second;
    EXPECT_EQ(EventLoop::current(), &second);
}

TEST(EventLoopDeathTest, SecondLoopOnOneThreadAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            EventLoop first;
            EventLoop second;
        },
        "a second loop on thread");
}

TEST(EventLoopDeathTest, LoopRunFromAnotherThreadAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            EventLoop loop;
            std::thread other([&] { loop.loop(); });
            other.join();
        },
        "used from thread");
}

TEST(EventLoopDeathTest, ChannelUpdatedFromAnotherThreadAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            EventLoop loop;
            base::UniqueFd fd = makeEventFd(0);
            Channel channel(&loop, fd.get());
            std::thread other([&] { channel.enableReading(); });
            other.join();
        },
        "used from thread");
}

}  // namespace
}  // namespace rscope::reactor
