// PipeReader: an empty pipe reads 0, maxDatagrams bounds a call, trains split over calls and pipes
// reassemble in the thread's one assembler, a datagram above kMaxDatagramBytes is cut and dropped
// (the assembler counts it malformed), other failures come back as -errno.
#include "engine/ipc/pipe_reader.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"

namespace rscope::ipc
{
namespace
{

class CollectSink : public MessageSink
{
  public:
    void onMessage(const PipeHeader& head, const char* payload, size_t len) override
    {
        ids.push_back(head.msgId);
        payloads.emplace_back(payload, len);
    }
    std::vector<uint64_t> ids;
    std::vector<std::string> payloads;
};

struct Pipe
{
    Pipe()
    {
        int socks[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks), 0);
        writeEnd.reset(socks[0]);
        readEnd.reset(socks[1]);
    }
    base::UniqueFd writeEnd;
    base::UniqueFd readEnd;
};

PipeHeader header(uint64_t msgId)
{
    PipeHeader h{};
    h.msgId = msgId;
    h.session = static_cast<int64_t>(msgId);
    h.type = static_cast<uint8_t>(PipeType::RecvData);
    return h;
}

// Sends a message as forEachDatagram cuts it with chunks of maxChunk bytes.
void sendMessage(int fd, uint64_t msgId, const std::string& payload, size_t maxChunk)
{
    forEachDatagram(header(msgId), payload.data(), payload.size(), maxChunk, false,
                    [&](const PipeHeader& h, const char* data, size_t n)
                    {
                        std::string d(reinterpret_cast<const char*>(&h), sizeof h);
                        d.append(data, n);
                        ASSERT_EQ(::send(fd, d.data(), d.size(), 0),
                                  static_cast<ssize_t>(d.size()));
                    });
}

TEST(PipeReader, EmptyPipeReadsZero)
{
    Pipe pipe;
    PipeReader reader;
    CollectSink sink;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 0);
    EXPECT_TRUE(sink.ids.empty());
}

TEST(PipeReader, MaxDatagramsBoundsOneCallAcrossItsInternalBatches)
{
    Pipe pipe;
    for (uint64_t id = 1; id <= 40; ++id) sendMessage(pipe.writeEnd.get(), id, "x", 1000);
    PipeReader reader;
    CollectSink sink;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 10), 10);
    EXPECT_EQ(sink.ids.size(), 10u);
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 25), 25);  // 16 + 9: two recvmmsg
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 100), 5);  // a short batch: empty now
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 100), 0);
    ASSERT_EQ(sink.ids.size(), 40u);
    for (uint64_t i = 0; i < 40; ++i) EXPECT_EQ(sink.ids[i], i + 1);
}

TEST(PipeReader, TrainSplitOverCallsIsDeliveredOnceWhole)
{
    Pipe pipe;
    std::string payload(2500, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 13);
    sendMessage(pipe.writeEnd.get(), 7, payload, 1000);  // three chunks
    PipeReader reader;
    CollectSink sink;
    for (int call = 0; call < 2; ++call)
    {
        EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 1), 1);
        EXPECT_TRUE(sink.ids.empty());
    }
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 1), 1);
    ASSERT_EQ(sink.ids.size(), 1u);
    EXPECT_EQ(sink.payloads[0], payload);
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 1), 0);
    EXPECT_EQ(sink.ids.size(), 1u);  // delivered once
}

// One reader per thread serves every pipe that thread reads: trains from two pipes interleave.
TEST(PipeReader, TrainsFromTwoPipesInterleaveInTheSharedAssembler)
{
    Pipe first;
    Pipe second;
    std::string a(3500, 'a');  // four chunks
    std::string b(2200, 'b');  // three chunks
    sendMessage(first.writeEnd.get(), 100, a, 1000);
    sendMessage(second.writeEnd.get(), 200, b, 1000);
    PipeReader reader;
    CollectSink sink;
    for (int round = 0; round < 4; ++round)
    {
        reader.readFrom(first.readEnd.get(), sink, 1);
        reader.readFrom(second.readEnd.get(), sink, 1);
    }
    ASSERT_EQ(sink.ids.size(), 2u);
    EXPECT_EQ(sink.ids[0], 200u);  // b ends in the third round, a in the fourth
    EXPECT_EQ(sink.payloads[0], b);
    EXPECT_EQ(sink.ids[1], 100u);
    EXPECT_EQ(sink.payloads[1], a);
}

TEST(PipeReader, DatagramAboveTheLimitIsCutAndDropped)
{
    Pipe pipe;
    int sndbuf = 256 * 1024;
    ::setsockopt(pipe.writeEnd.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    std::string payload(kMaxDatagramBytes + 100 - sizeof(PipeHeader), 'z');
    PipeHeader h = header(9);
    h.len = static_cast<uint32_t>(payload.size());
    std::string datagram(reinterpret_cast<const char*>(&h), sizeof h);
    datagram += payload;
    ssize_t sent = ::send(pipe.writeEnd.get(), datagram.data(), datagram.size(), 0);
    if (sent < 0 && errno == EMSGSIZE) GTEST_SKIP() << "this kernel caps the socket buffer lower";
    ASSERT_EQ(sent, static_cast<ssize_t>(datagram.size()));
    sendMessage(pipe.writeEnd.get(), 10, "after", 1000);
    PipeReader reader;
    CollectSink sink;
    EXPECT_EQ(reader.readFrom(pipe.readEnd.get(), sink, 64), 2);
    ASSERT_EQ(sink.ids.size(), 1u);  // the cut one is dropped, the next message is unharmed
    EXPECT_EQ(sink.ids[0], 10u);
    EXPECT_EQ(sink.payloads[0], "after");
}

TEST(PipeReader, FailuresComeBackAsNegativeErrno)
{
    PipeReader reader;
    CollectSink sink;
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    base::UniqueFd readEnd(fds[0]);
    base::UniqueFd writeEnd(fds[1]);
    EXPECT_EQ(reader.readFrom(readEnd.get(), sink, 64), -ENOTSOCK);
    int closedFd = ::dup(readEnd.get());
    ::close(closedFd);
    EXPECT_EQ(reader.readFrom(closedFd, sink, 64), -EBADF);
    EXPECT_TRUE(sink.ids.empty());
}

}  // namespace
}  // namespace rscope::ipc
