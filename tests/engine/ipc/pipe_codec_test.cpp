// Chunking and reassembly of pipe messages, in memory and over a real datagram socketpair.
#include "engine/ipc/pipe_codec.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/ipc/pipe_reader.h"
#include "engine/ipc/pipe_writer.h"

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

std::string patterned(size_t n, uint32_t seed)
{
    std::string s(n, '\0');
    std::mt19937 rng(seed);
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

std::vector<std::string> encode(PipeHeader head, const std::string& payload, bool alwaysChunk)
{
    std::vector<std::string> datagrams;
    forEachDatagram(head, payload.data(), payload.size(), kMaxChunkPayload, alwaysChunk,
                    [&](const PipeHeader& h, const char* data, size_t n)
                    {
                        std::string d(reinterpret_cast<const char*>(&h), sizeof h);
                        d.append(data, n);
                        datagrams.push_back(std::move(d));
                    });
    return datagrams;
}

PipeHeader header(uint64_t msgId, int64_t session)
{
    PipeHeader h{};
    h.msgId = msgId;
    h.session = session;
    h.type = static_cast<uint8_t>(PipeType::RecvData);
    h.reactorId = 1;
    h.workerId = 3;
    return h;
}

TEST(PipeCodec, RoundTripsSizesFromOneByteToEightMiB)
{
    for (size_t size : {size_t{1}, size_t{47}, kMaxChunkPayload - 1, kMaxChunkPayload,
                        kMaxChunkPayload + 1, size_t{1} << 20, size_t{8} << 20})
    {
        for (bool alwaysChunk : {false, true})
        {
            std::string payload = patterned(size, static_cast<uint32_t>(size));
            auto datagrams = encode(header(7, 42), payload, alwaysChunk);
            size_t expected = (size + kMaxChunkPayload - 1) / kMaxChunkPayload;
            ASSERT_EQ(datagrams.size(), expected) << size;
            for (const auto& d : datagrams) ASSERT_LE(d.size(), kMaxDatagramBytes);
            MessageAssembler assembler;
            CollectSink sink;
            for (const auto& d : datagrams) assembler.accept(d.data(), d.size(), sink);
            ASSERT_EQ(sink.messages.size(), 1u) << size;
            EXPECT_EQ(sink.messages[0].payload, payload);
            EXPECT_EQ(sink.messages[0].head.session, 42);
            EXPECT_EQ(sink.messages[0].head.len, size);
            EXPECT_EQ(sink.messages[0].head.workerId, 3);
            EXPECT_EQ(assembler.pendingTrains(), 0u);
        }
    }
}

TEST(PipeCodec, HeaderOnlyMessageIsOneUnflaggedDatagram)
{
    auto datagrams = encode(header(1, 5), "", true);
    ASSERT_EQ(datagrams.size(), 1u);
    EXPECT_EQ(datagrams[0].size(), sizeof(PipeHeader));
    PipeHeader h;
    std::memcpy(&h, datagrams[0].data(), sizeof h);
    EXPECT_EQ(h.flags, 0);
    MessageAssembler assembler;
    CollectSink sink;
    assembler.accept(datagrams[0].data(), datagrams[0].size(), sink);
    ASSERT_EQ(sink.messages.size(), 1u);
    EXPECT_TRUE(sink.messages[0].payload.empty());
}

TEST(PipeCodec, InterleavedTrainsFromTwoSendersReassembleByMsgId)
{
    std::string a = patterned(3 * kMaxChunkPayload + 10, 1);
    std::string b = patterned(2 * kMaxChunkPayload + 99, 2);
    auto da = encode(header(100, 1), a, false);
    auto db = encode(header(200, 2), b, false);
    MessageAssembler assembler;
    CollectSink sink;
    size_t i = 0, j = 0;
    while (i < da.size() || j < db.size())
    {
        if (j < db.size()) assembler.accept(db[j].data(), db[j].size(), sink), ++j;
        if (i < da.size()) assembler.accept(da[i].data(), da[i].size(), sink), ++i;
    }
    ASSERT_EQ(sink.messages.size(), 2u);
    EXPECT_EQ(sink.messages[0].head.msgId, 200u);
    EXPECT_EQ(sink.messages[0].payload, b);
    EXPECT_EQ(sink.messages[1].head.msgId, 100u);
    EXPECT_EQ(sink.messages[1].payload, a);
}

TEST(PipeCodec, ChunkWithoutBeginIsDroppedAndCounted)
{
    std::string payload = patterned(2 * kMaxChunkPayload + 5, 3);
    auto datagrams = encode(header(9, 1), payload, false);
    MessageAssembler assembler;
    CollectSink sink;
    // A successor worker sees the tail of its predecessor's train (model section 4).
    for (size_t k = 1; k < datagrams.size(); ++k)
        assembler.accept(datagrams[k].data(), datagrams[k].size(), sink);
    EXPECT_TRUE(sink.messages.empty());
    EXPECT_EQ(assembler.orphanChunks(), datagrams.size() - 1);
    // The next whole message still gets through.
    auto next = encode(header(10, 1), "ok", false);
    assembler.accept(next[0].data(), next[0].size(), sink);
    ASSERT_EQ(sink.messages.size(), 1u);
    EXPECT_EQ(sink.messages[0].payload, "ok");
}

TEST(PipeCodec, TruncatedDatagramIsMalformed)
{
    MessageAssembler assembler;
    CollectSink sink;
    char shortDatagram[10] = {};
    assembler.accept(shortDatagram, sizeof shortDatagram, sink);
    auto d = encode(header(1, 1), "hello", false)[0];
    assembler.accept(d.data(), d.size() - 1, sink);  // len says 5, 4 arrived
    EXPECT_TRUE(sink.messages.empty());
    EXPECT_EQ(assembler.malformedDatagrams(), 2u);
}

// Found by tests/fuzz/pipe_codec_fuzzer: a BEGIN chunk whose header announces 4 GiB reserved it
// all at once. In a child limited to 512 MiB of address space, such a train must open, take its
// bytes, and end as malformed when its chunks do not add up, without the allocation.
// The child's side: exit 0 when the train opened, took its bytes and ended as malformed.
[[noreturn]] void openATrainAnnouncingFourGiB()
{
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = 512u << 20;
    setrlimit(RLIMIT_AS, &limit);
    PipeHeader h = header(77, 1);
    h.len = 0xFFFFFFFFu;
    h.flags = kFlagChunk | kFlagBegin;
    std::string begin(reinterpret_cast<const char*>(&h), sizeof h);
    begin.append(1000, 'x');
    MessageAssembler assembler;
    CollectSink sink;
    assembler.accept(begin.data(), begin.size(), sink);
    if (assembler.pendingTrains() != 1) std::_Exit(2);
    h.flags = kFlagChunk | kFlagEnd;
    std::string end(reinterpret_cast<const char*>(&h), sizeof h);
    end.append(10, 'y');
    assembler.accept(end.data(), end.size(), sink);
    std::_Exit(sink.messages.empty() && assembler.pendingTrains() == 0 ? 0 : 3);
}

TEST(PipeCodecDeathTest, AnnouncedLengthIsNotAllocatedBeforeTheBytesArrive)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitizer's shadow memory does not fit under RLIMIT_AS; the normal build "
                    "runs this";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(openATrainAnnouncingFourGiB(), ::testing::ExitedWithCode(0), "");
}

// Over a real socketpair: the writer queues on EAGAIN, keeps order, and flush() delivers all.
TEST(PipeWriterReader, QueuesOnEagainInOrderAndDeliversEverything)
{
    int socks[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks), 0);
    base::UniqueFd a(socks[0]), b(socks[1]);
    PipeWriter writer(a.get(), nullptr, true);
    PipeReader reader;
    CollectSink sink;
    const int kMessages = 3000;
    std::vector<std::string> sent;
    int queuedResults = 0;
    for (int i = 0; i < kMessages; ++i)
    {
        std::string payload = patterned(1000 + i % 7 * 3000, static_cast<uint32_t>(i));
        int rc =
            writer.write(header(static_cast<uint64_t>(i + 1), i), payload.data(), payload.size());
        ASSERT_GE(rc, 0);
        queuedResults += rc;
        sent.push_back(std::move(payload));
    }
    // 3000 datagrams of up to 19 KB exceed any socket buffer here: some must have queued.
    EXPECT_GT(queuedResults, 0);
    EXPECT_GT(writer.queuedBytes(), 0u);
    for (int rounds = 0; rounds < 100000 && sink.messages.size() < sent.size(); ++rounds)
    {
        ASSERT_GE(reader.readFrom(b.get(), sink, 64), 0);
        writer.flush();
    }
    ASSERT_EQ(sink.messages.size(), sent.size());
    for (int i = 0; i < kMessages; ++i)
    {
        ASSERT_EQ(sink.messages[i].head.session, i);
        ASSERT_EQ(sink.messages[i].payload, sent[i]);
    }
    EXPECT_EQ(writer.queuedBytes(), 0u);
}

TEST(PipeWriterReader, FourMiBMessageCrossesTheSocketpair)
{
    int socks[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks), 0);
    base::UniqueFd a(socks[0]), b(socks[1]);
    PipeWriter writer(a.get(), nullptr, false);
    PipeReader reader;
    CollectSink sink;
    std::string payload = patterned(4 << 20, 77);
    ASSERT_GE(writer.write(header(5, 5), payload.data(), payload.size()), 0);
    for (int rounds = 0; rounds < 100000 && sink.messages.empty(); ++rounds)
    {
        ASSERT_GE(reader.readFrom(b.get(), sink, 64), 0);
        writer.flush();
    }
    ASSERT_EQ(sink.messages.size(), 1u);
    EXPECT_EQ(sink.messages[0].payload, payload);
}

}  // namespace
}  // namespace rscope::ipc
