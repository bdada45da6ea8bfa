// PipeWriter's promises (pipe_writer.h): send now or queue in order on EAGAIN, EPOLLOUT armed while
// queued, small messages batched into one sendmmsg, too-big datagrams re-chunked, broken pipe as
// -errno. Syscalls are counted by interposing sendmsg/sendmmsg in this executable (below).
#include "engine/ipc/pipe_writer.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/reactor/channel.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/timer.h"

namespace
{
// The writer's syscalls, counted. The engine library is static and calls ::sendmsg and
// ::sendmmsg; these definitions in the executable take their place and issue the raw syscalls.
std::atomic<int> gSendmsgCalls{0};
std::atomic<int> gSendmmsgCalls{0};
}  // namespace

extern "C" ssize_t sendmsg(int fd, const struct msghdr* msg, int flags)
{
    gSendmsgCalls.fetch_add(1, std::memory_order_relaxed);
    return ::syscall(SYS_sendmsg, fd, msg, flags);
}

extern "C" int sendmmsg(int fd, struct mmsghdr* msgs, unsigned int vlen, int flags)
{
    gSendmmsgCalls.fetch_add(1, std::memory_order_relaxed);
    return static_cast<int>(::syscall(SYS_sendmmsg, fd, msgs, vlen, flags));
}

namespace rscope::ipc
{
namespace
{

struct Collected
{
    PipeHeader head;
    std::string payload;
};

class CollectSink : public MessageSink
{
  public:
    void onMessage(const PipeHeader& head, const char* payload, size_t len) override
    {
        messages.push_back({head, std::string(payload, len)});
    }
    std::vector<Collected> messages;
};

// Bytes that differ per message and per position, so a swap or a lost byte shows.
std::string payloadFor(int index, size_t len)
{
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>((index * 131 + i * 7) & 0xff);
    return s;
}

PipeHeader header(int index)
{
    PipeHeader h{};
    h.msgId = static_cast<uint64_t>(index) + 1;
    h.session = index;
    h.type = static_cast<uint8_t>(PipeType::SendData);
    return h;
}

// A datagram socketpair like the worker pipes. A smallSndbuf writer end holds a few datagrams
// only (the kernel raises 1 to its minimum, about 4.5 KiB).
struct Pipe
{
    explicit Pipe(bool smallSndbuf)
    {
        int socks[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks), 0);
        writeEnd.reset(socks[0]);
        readEnd.reset(socks[1]);
        if (smallSndbuf)
        {
            int one = 1;
            EXPECT_EQ(::setsockopt(writeEnd.get(), SOL_SOCKET, SO_SNDBUF, &one, sizeof one), 0);
        }
    }
    int sndbuf() const
    {
        int value = 0;
        socklen_t len = sizeof value;
        ::getsockopt(writeEnd.get(), SOL_SOCKET, SO_SNDBUF, &value, &len);
        return value;
    }
    base::UniqueFd writeEnd;
    base::UniqueFd readEnd;
};

void resetCounts()
{
    gSendmsgCalls = 0;
    gSendmmsgCalls = 0;
}

// Reads and flushes alternately until count messages arrived (bounded in rounds).
void drain(PipeWriter& writer, int readFd, CollectSink& sink, size_t count)
{
    PipeReader reader;
    for (int round = 0; round < 100000 && sink.messages.size() < count; ++round)
    {
        ASSERT_GE(reader.readFrom(readFd, sink, 64), 0);
        writer.flush();
    }
}

void expectInOrder(const CollectSink& sink, const std::vector<size_t>& lengths)
{
    ASSERT_EQ(sink.messages.size(), lengths.size());
    for (size_t i = 0; i < lengths.size(); ++i)
    {
        ASSERT_EQ(sink.messages[i].head.session, static_cast<int64_t>(i)) << "message " << i;
        ASSERT_EQ(sink.messages[i].payload, payloadFor(static_cast<int>(i), lengths[i]))
            << "message " << i;
    }
}

TEST(PipeWriter, WriteOnAnEmptyPipeLeavesAtOnceAsOneDatagram)
{
    Pipe pipe(false);
    PipeWriter writer(pipe.writeEnd.get(), nullptr, true);
    resetCounts();
    std::string payload = payloadFor(0, 100);
    EXPECT_EQ(writer.write(header(0), payload.data(), payload.size()), 0);
    EXPECT_EQ(writer.write(header(1), nullptr, 0), 0);  // header only
    EXPECT_EQ(gSendmsgCalls, 2);
    EXPECT_EQ(writer.queuedBytes(), 0u);

    char buf[256];
    ssize_t n = ::recv(pipe.readEnd.get(), buf, sizeof buf, 0);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof(PipeHeader) + payload.size()));
    PipeHeader h;
    std::memcpy(&h, buf, sizeof h);
    EXPECT_EQ(h.len, payload.size());
    EXPECT_EQ(h.flags, kFlagChunk | kFlagBegin | kFlagEnd);  // alwaysChunk, as reactor threads
    EXPECT_EQ(std::string(buf + sizeof h, payload.size()), payload);
    n = ::recv(pipe.readEnd.get(), buf, sizeof buf, 0);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof(PipeHeader)));
    std::memcpy(&h, buf, sizeof h);
    EXPECT_EQ(h.len, 0u);
    EXPECT_EQ(h.flags, 0);  // header-only messages are never flagged
}

TEST(PipeWriter, FullPipeQueuesEverythingAfterInOrderAndFlushDeliversEveryByte)
{
    Pipe pipe(true);
    PipeWriter writer(pipe.writeEnd.get(), nullptr, false);
    const int kMessages = 200;
    std::vector<size_t> lengths;
    size_t expectedQueued = 0;
    int firstQueued = -1;
    for (int i = 0; i < kMessages; ++i)
    {
        lengths.push_back(300 + static_cast<size_t>(i % 5) * 200);
        std::string payload = payloadFor(i, lengths.back());
        int rc = writer.write(header(i), payload.data(), payload.size());
        ASSERT_GE(rc, 0);
        if (rc == 1 && firstQueued < 0) firstQueued = i;
        // Once something queued, every later message queues too: order is the contract.
        if (firstQueued >= 0)
        {
            ASSERT_EQ(rc, 1) << "message " << i << " bypassed the queue";
            expectedQueued += sizeof(PipeHeader) + payload.size();
        }
    }
    ASSERT_GT(firstQueued, 0) << "a ~4.5 KiB socket buffer must fill within 200 datagrams";
    EXPECT_EQ(writer.queuedBytes(), expectedQueued);
    EXPECT_EQ(writer.queuedDatagrams(), static_cast<size_t>(kMessages - firstQueued));
    EXPECT_FALSE(writer.flush());  // nobody read: still full, nothing lost
    EXPECT_EQ(writer.queuedBytes(), expectedQueued);

    CollectSink sink;
    drain(writer, pipe.readEnd.get(), sink, kMessages);
    expectInOrder(sink, lengths);
    EXPECT_TRUE(writer.flush());
    EXPECT_EQ(writer.queuedBytes(), 0u);
    EXPECT_EQ(writer.queuedDatagrams(), 0u);
}

// In a loop: the writer's channel gets EPOLLOUT while a queue exists; flush() from the write
// callback drains it and disarms EPOLLOUT; the reader's channel reads as the bytes come.
TEST(PipeWriter, ChannelHasEpolloutExactlyWhileAQueueExists)
{
    Pipe pipe(true);
    reactor::EventLoop loop;
    reactor::Channel writeChannel(&loop, pipe.writeEnd.get());
    PipeWriter writer(pipe.writeEnd.get(), &writeChannel, false);
    const int kMessages = 100;
    std::vector<size_t> lengths;
    for (int i = 0; i < kMessages; ++i)
    {
        lengths.push_back(1000);
        std::string payload = payloadFor(i, lengths.back());
        ASSERT_GE(writer.write(header(i), payload.data(), payload.size()), 0);
    }
    ASSERT_GT(writer.queuedDatagrams(), 0u);
    EXPECT_TRUE(writeChannel.isWriting());

    int flushCalls = 0;
    bool disarmedWhenDrained = false;
    writeChannel.setWriteCallback(
        [&]
        {
            ++flushCalls;
            if (writer.flush()) disarmedWhenDrained = !writeChannel.isWriting();
        });
    PipeReader reader;
    CollectSink sink;
    reactor::Channel readChannel(&loop, pipe.readEnd.get());
    readChannel.setReadCallback(
        [&]
        {
            reader.readFrom(pipe.readEnd.get(), sink, 64);
            if (sink.messages.size() == static_cast<size_t>(kMessages)) loop.quit();
        });
    readChannel.enableReading();
    bool expired = false;
    reactor::PeriodicTimer deadline(&loop, 2000,
                                    [&]
                                    {
                                        expired = true;
                                        loop.quit();
                                    });
    loop.loop();
    EXPECT_FALSE(expired);
    expectInOrder(sink, lengths);
    EXPECT_GT(flushCalls, 0);
    EXPECT_TRUE(disarmedWhenDrained);
    EXPECT_FALSE(writeChannel.isWriting());
    EXPECT_EQ(writer.queuedBytes(), 0u);
}

TEST(PipeWriter, BatchedSmallMessagesLeaveTogetherInOneSendmmsg)
{
    Pipe pipe(false);
    std::vector<PipeWriter*> dirty;
    PipeWriter writer(pipe.writeEnd.get(), nullptr, true);
    writer.enableBatching(&dirty);
    resetCounts();
    std::vector<size_t> lengths;
    for (int i = 0; i < 10; ++i)
    {
        lengths.push_back(i == 9 ? 0 : 50 + static_cast<size_t>(i));  // the last: header only
        std::string payload = payloadFor(i, lengths.back());
        ASSERT_EQ(writer.write(header(i), payload.data(), payload.size()), 0);
    }
    EXPECT_EQ(gSendmsgCalls + gSendmmsgCalls, 0);  // held until the loop is about to sleep
    ASSERT_EQ(dirty.size(), 1u);                   // listed once, however many it holds
    EXPECT_EQ(dirty[0], &writer);
    char probe[64];
    EXPECT_EQ(::recv(pipe.readEnd.get(), probe, sizeof probe, MSG_DONTWAIT), -1);

    PipeWriter::flushAll(dirty);
    EXPECT_TRUE(dirty.empty());
    EXPECT_EQ(gSendmmsgCalls, 1);
    EXPECT_EQ(gSendmsgCalls, 0);

    CollectSink sink;
    PipeReader reader;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 10);
    expectInOrder(sink, lengths);

    // The next loop iteration lists the writer again.
    std::string more = payloadFor(10, 10);
    ASSERT_EQ(writer.write(header(10), more.data(), more.size()), 0);
    EXPECT_EQ(dirty.size(), 1u);
    PipeWriter::flushAll(dirty);
    EXPECT_EQ(gSendmmsgCalls, 2);
}

// kBatchMaxDatagrams (32, pipe_writer.cpp) bounds a batch: the 32nd write sends it.
TEST(PipeWriter, BatchSendsItselfWhenItHoldsThirtyTwoDatagrams)
{
    Pipe pipe(false);
    std::vector<PipeWriter*> dirty;
    PipeWriter writer(pipe.writeEnd.get(), nullptr, false);
    writer.enableBatching(&dirty);
    resetCounts();
    std::vector<size_t> lengths;
    for (int i = 0; i < 40; ++i)
    {
        lengths.push_back(20);
        std::string payload = payloadFor(i, lengths.back());
        ASSERT_EQ(writer.write(header(i), payload.data(), payload.size()), 0);
        EXPECT_EQ(gSendmmsgCalls, i < 31 ? 0 : 1) << "after write " << i;
    }
    CollectSink sink;
    PipeReader reader;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 32);  // the other 8 still held
    PipeWriter::flushAll(dirty);
    EXPECT_EQ(gSendmmsgCalls, 2);
    EXPECT_EQ(gSendmsgCalls, 0);
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 8);
    expectInOrder(sink, lengths);
}

// kBatchMaxPayload (2048, pipe_writer.cpp): up to it a message is batched; above it the batch
// leaves first, then the message with its own sendmsg, so the order holds.
TEST(PipeWriter, MessageAboveTheBatchLimitSendsTheBatchFirst)
{
    Pipe pipe(false);
    std::vector<PipeWriter*> dirty;
    PipeWriter writer(pipe.writeEnd.get(), nullptr, true);
    writer.enableBatching(&dirty);
    resetCounts();
    std::vector<size_t> lengths = {10, 2048, 2049, 30, 5000};
    for (size_t i = 0; i < lengths.size(); ++i)
    {
        std::string payload = payloadFor(static_cast<int>(i), lengths[i]);
        ASSERT_EQ(writer.write(header(static_cast<int>(i)), payload.data(), payload.size()), 0);
        if (i == 1)
        {
            EXPECT_EQ(gSendmsgCalls + gSendmmsgCalls, 0) << "2048 bytes are batched";
        }
    }
    // 10 + 2048 batched; 2049 flushed them (sendmmsg) and went alone (sendmsg); 30 batched;
    // 5000 flushed it (sendmmsg) and went alone (sendmsg).
    EXPECT_EQ(gSendmmsgCalls, 2);
    EXPECT_EQ(gSendmsgCalls, 2);
    PipeWriter::flushAll(dirty);
    EXPECT_EQ(gSendmmsgCalls, 2);  // nothing left in the batch
    CollectSink sink;
    PipeReader reader;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 5);
    expectInOrder(sink, lengths);
}

// A batch meeting a full pipe: what sendmmsg could not send heads the queue; later messages
// (batched or not) queue behind it; the channel is armed; every byte arrives in order.
TEST(PipeWriter, BatchMeetingAFullPipeQueuesTheRestInOrder)
{
    Pipe pipe(true);
    reactor::EventLoop loop;
    reactor::Channel writeChannel(&loop, pipe.writeEnd.get());
    std::vector<PipeWriter*> dirty;
    PipeWriter writer(pipe.writeEnd.get(), &writeChannel, false);
    writer.enableBatching(&dirty);
    const int kMessages = 120;
    std::vector<size_t> lengths;
    for (int i = 0; i < kMessages; ++i)
    {
        lengths.push_back(i % 10 == 9 ? 3000 : 400);  // some above the batch limit
        std::string payload = payloadFor(i, lengths.back());
        ASSERT_GE(writer.write(header(i), payload.data(), payload.size()), 0);
        if (i % 8 == 7) PipeWriter::flushAll(dirty);  // a loop iteration ends
    }
    PipeWriter::flushAll(dirty);
    EXPECT_GT(writer.queuedDatagrams(), 0u);
    EXPECT_TRUE(writeChannel.isWriting());
    CollectSink sink;
    drain(writer, pipe.readEnd.get(), sink, kMessages);
    expectInOrder(sink, lengths);
    EXPECT_EQ(writer.queuedBytes(), 0u);
    EXPECT_FALSE(writeChannel.isWriting());
}

// The kernel refuses a datagram above the socket buffer (EMSGSIZE): the writer re-sends the
// message in kSmallChunkPayload chunks, and keeps that size for later messages.
TEST(PipeWriter, DatagramTooBigForTheSocketFallsBackToSmallChunks)
{
    Pipe pipe(true);
    ASSERT_LT(pipe.sndbuf(), 20000) << "the kernel kept a big buffer; the fallback is not reached";
    PipeWriter writer(pipe.writeEnd.get(), nullptr, false);
    std::vector<size_t> lengths = {20000, 9000};
    for (size_t i = 0; i < lengths.size(); ++i)
    {
        std::string payload = payloadFor(static_cast<int>(i), lengths[i]);
        ASSERT_GE(writer.write(header(static_cast<int>(i)), payload.data(), payload.size()), 0);
    }
    CollectSink sink;
    PipeReader reader;
    int datagrams = 0;
    for (int round = 0; round < 100000 && sink.messages.size() < lengths.size(); ++round)
    {
        int n = reader.readFrom(pipe.readEnd.get(), sink, 64);
        ASSERT_GE(n, 0);
        datagrams += n;
        writer.flush();
    }
    expectInOrder(sink, lengths);
    size_t chunks = (20000 + kSmallChunkPayload - 1) / kSmallChunkPayload +
                    (9000 + kSmallChunkPayload - 1) / kSmallChunkPayload;
    EXPECT_EQ(datagrams, static_cast<int>(chunks));
}

// "Never drops" (pipe_writer.h) for a message queued behind a full pipe whose datagram size the
// kernel refuses: write() queues it whole without trying it, so flush() meets the EMSGSIZE and
// re-chunks it in place, as write() does.
TEST(PipeWriter, QueuedMessageTooBigForTheSocketIsStillDelivered)
{
    Pipe pipe(true);
    ASSERT_LT(pipe.sndbuf(), 20000);
    PipeWriter writer(pipe.writeEnd.get(), nullptr, false);
    std::vector<size_t> lengths;
    int i = 0;
    for (; i < 200; ++i)  // fill the pipe with small messages until one queues
    {
        lengths.push_back(500);
        std::string payload = payloadFor(i, lengths.back());
        if (writer.write(header(i), payload.data(), payload.size()) == 1) break;
    }
    ASSERT_LT(i, 200);
    ++i;
    lengths.push_back(20000);
    std::string big = payloadFor(i, lengths.back());
    ASSERT_EQ(writer.write(header(i), big.data(), big.size()), 1);
    CollectSink sink;
    drain(writer, pipe.readEnd.get(), sink, lengths.size());
    expectInOrder(sink, lengths);
}

// The same for a reactor thread's writer (single datagrams flagged CHUNK|BEGIN|END) and for a
// message above kMaxChunkPayload, queued as a train of big chunks: each refused chunk becomes
// small chunks that keep its place, its BEGIN or END, and the train's msgId and length.
TEST(PipeWriter, QueuedTrainTooBigForTheSocketIsStillDeliveredInOrder)
{
    Pipe pipe(true);
    ASSERT_LT(pipe.sndbuf(), 20000);
    PipeWriter writer(pipe.writeEnd.get(), nullptr, true);
    std::vector<size_t> lengths;
    int i = 0;
    for (; i < 200; ++i)
    {
        lengths.push_back(500);
        std::string payload = payloadFor(i, lengths.back());
        if (writer.write(header(i), payload.data(), payload.size()) == 1) break;
    }
    ASSERT_LT(i, 200);
    size_t queuedBefore = writer.queuedDatagrams();
    for (size_t len : {size_t{20000}, 2 * kMaxChunkPayload + 1000, size_t{100}})
    {
        ++i;
        lengths.push_back(len);
        std::string payload = payloadFor(i, len);
        ASSERT_EQ(writer.write(header(i), payload.data(), payload.size()), 1);
    }
    ASSERT_EQ(writer.queuedDatagrams(), queuedBefore + 1 + 3 + 1);  // queued big, untried
    CollectSink sink;
    drain(writer, pipe.readEnd.get(), sink, lengths.size());
    expectInOrder(sink, lengths);
    EXPECT_EQ(writer.queuedDatagrams(), 0u);
}

// A broken pipe (the peer closed) returns -errno; the message is dropped, not queued.
TEST(PipeWriter, BrokenPipeReturnsErrnoAndQueuesNothing)
{
    Pipe pipe(false);
    PipeWriter writer(pipe.writeEnd.get(), nullptr, false);
    pipe.readEnd.reset();
    std::string payload = payloadFor(0, 100);
    int rc = writer.write(header(0), payload.data(), payload.size());
    EXPECT_LT(rc, 0);
    EXPECT_NE(rc, -EAGAIN);
    EXPECT_EQ(writer.queuedBytes(), 0u);
    rc = writer.write(header(1), payload.data(), payload.size());
    EXPECT_LT(rc, 0);  // and stays broken
    EXPECT_EQ(writer.queuedDatagrams(), 0u);
}

}  // namespace
}  // namespace rscope::ipc
