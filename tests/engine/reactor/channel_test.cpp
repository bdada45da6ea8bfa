// Channel lifetime under dispatch: a channel freed by its own callback, or by another callback of
// the same batch, aborts at once (it would be read after the free); freed through
// EventLoop::runAfterEvents it is safe, and the loop goes on.
#include "engine/reactor/channel.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/reactor/event_loop.h"

namespace rscope::reactor
{
namespace
{

base::UniqueFd readyEventFd()
{
    base::UniqueFd fd(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));  // readable at once
    return fd;
}

TEST(ChannelDeathTest, FreedByItsOwnCallbackAborts)
{
    EXPECT_DEATH(
        {
            EventLoop loop;
            base::UniqueFd fd = readyEventFd();
            auto channel = std::make_unique<Channel>(&loop, fd.get());
            channel->setReadCallback([&] { channel.reset(); });
            channel->enableReading();
            loop.loop();
        },
        "destroyed while its loop dispatches events");
}

TEST(ChannelDeathTest, FreedByAnotherCallbackOfTheBatchAborts)
{
    EXPECT_DEATH(
        {
            EventLoop loop;
            base::UniqueFd a = readyEventFd();
            base::UniqueFd b = readyEventFd();
            auto victim = std::make_unique<Channel>(&loop, b.get());
            victim->setReadCallback([] {});
            victim->enableReading();
            Channel killer(&loop, a.get());
            killer.setReadCallback([&] { victim.reset(); });
            killer.enableReading();
            loop.loop();
        },
        "destroyed while its loop dispatches events");
}

TEST(Channel, FreedAfterTheBatchIsSafeAndTheLoopGoesOn)
{
    EventLoop loop;
    base::UniqueFd fd = readyEventFd();
    int reads = 0;
    auto channel = std::make_unique<Channel>(&loop, fd.get());
    channel->setReadCallback(
        [&]
        {
            ++reads;
            channel->remove();
            loop.runAfterEvents(
                [&]
                {
                    channel.reset();
                    loop.quit();
                });
        });
    channel->enableReading();
    loop.loop();
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(channel, nullptr);
}

TEST(Channel, ErrorsAndHangUpsGoToTheReadSideOnly)
{
    EventLoop loop;
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    base::UniqueFd readEnd(fds[0]);
    ::close(fds[1]);  // hang-up on the read end
    int reads = 0;
    int writes = 0;
    Channel channel(&loop, readEnd.get());
    channel.setReadCallback(
        [&]
        {
            ++reads;
            channel.disableAll();
            loop.quit();
        });
    channel.setWriteCallback([&] { ++writes; });
    channel.enableReading();
    loop.loop();
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(writes, 0);  // not interested in writing: no write callback on EPOLLHUP
}

}  // namespace
}  // namespace rscope::reactor
