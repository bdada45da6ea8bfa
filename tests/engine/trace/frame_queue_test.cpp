// FrameQueue: bytes arrive whole and in order, from memory or read back from the spill file,
// with text items in their places; the spill file is reused and never left behind; without a
// place to spill, the producer waits instead of losing anything.
#include "engine/trace/frame_queue.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

using namespace std::chrono_literals;

// A stream of "records" of varying length whose bytes say where they are in the stream, so a
// lost, repeated or reordered byte shows.
class Pattern
{
  public:
    explicit Pattern(uint32_t seed) : rng_(seed) {}
    size_t nextSize() { return std::uniform_int_distribution<size_t>(1, 300)(rng_); }
    void fill(char* p, size_t n)
    {
        for (size_t i = 0; i < n; ++i) p[i] = byteAt(written_++);
    }
    static char byteAt(uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); }
    uint64_t written() const { return written_; }

  private:
    std::mt19937 rng_;
    uint64_t written_ = 0;
};

// Reads everything up to Closed; texts are collected with the stream offset they came at.
struct Drained
{
    std::string bytes;
    std::vector<std::pair<uint64_t, std::string>> texts;
    std::string error;
};

Drained drainAll(FrameQueue& q)
{
    Drained d;
    for (int timeouts = 0; timeouts < 200;)
    {
        FrameQueue::Item item;
        FrameQueue::Pop got = q.pop(20, &item);
        if (got == FrameQueue::Pop::Closed) return d;
        if (got == FrameQueue::Pop::Timeout)
        {
            ++timeouts;
            continue;
        }
        if (!item.text.empty()) d.texts.emplace_back(d.bytes.size(), item.text);
        if (!q.readError().empty()) d.error = q.readError();
        d.bytes.append(item.frames);
    }
    d.error = "never closed";
    return d;
}

bool isPattern(const std::string& bytes, uint64_t expected, std::string* why)
{
    if (bytes.size() != expected)
    {
        *why = fmt::format("{} bytes, not {}", bytes.size(), expected);
        return false;
    }
    for (uint64_t i = 0; i < bytes.size(); ++i)
        if (bytes[i] != Pattern::byteAt(i))
        {
            *why = fmt::format("byte {} differs", i);
            return false;
        }
    return true;
}

// Produces `bytes` of pattern through reserve/advance.
void produce(FrameQueue& q, Pattern& p, uint64_t bytes)
{
    uint64_t target = p.written() + bytes;
    while (p.written() < target)
    {
        size_t n = std::min<uint64_t>(p.nextSize(), target - p.written());
        p.fill(q.reserve(n), n);
        q.advance(n);
    }
}

std::string tempDir(const char* what)
{
    std::string dir = fmt::format("/tmp/rscope-fq-{}-{}", what, ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

TEST(FrameQueue, CarriesBytesAndTextsInOrderThroughMemory)
{
    FrameQueue q("/tmp", {64 << 10, 4});
    Pattern p(1);
    produce(q, p, 10'000);
    q.pushText("header\n");
    produce(q, p, 100'000);  // more than one chunk
    q.pushText("middle\n");
    q.close();
    Drained d = drainAll(q);
    EXPECT_EQ(d.error, "");
    std::string why;
    EXPECT_TRUE(isPattern(d.bytes, p.written(), &why)) << why;
    ASSERT_EQ(d.texts.size(), 2u);
    EXPECT_EQ(d.texts[0], std::make_pair(uint64_t{10'000}, std::string("header\n")));
    EXPECT_EQ(d.texts[1], std::make_pair(uint64_t{110'000}, std::string("middle\n")));
    EXPECT_EQ(q.spilledBytes(), 0u);
}

// Nobody reads while 1 MB goes through 2 chunks of 8 KiB: nearly all of it is spilled, then
// read back in order. Twice, so the second backlog reuses the spill file from its start.
TEST(FrameQueue, SpillsWhatMemoryCannotHoldAndReadsItBackInOrder)
{
    std::string dir = tempDir("spill");
    FrameQueue q(dir, {8 << 10, 2});
    Pattern p(2);
    std::string all;
    for (int round = 0; round < 2; ++round)
    {
        uint64_t before = q.spilledBytes();
        produce(q, p, 1 << 20);
        EXPECT_GT(q.spilledBytes() - before, uint64_t{900} << 10) << "round " << round;
        // Everything handed over so far, read back while the producer is idle.
        for (;;)
        {
            FrameQueue::Item item;
            if (q.pop(0, &item) != FrameQueue::Pop::Item) break;
            EXPECT_EQ(q.readError(), "");
            all.append(item.frames);
        }
    }
    q.close();
    Drained rest = drainAll(q);
    all += rest.bytes;
    std::string why;
    EXPECT_TRUE(isPattern(all, p.written(), &why)) << why;
    // The spill file is unlinked from the start: nothing in the directory, ever.
    EXPECT_TRUE(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST(FrameQueue, AProducerAndAConsumerAtOnceLoseNothing)
{
    std::string dir = tempDir("concurrent");
    FrameQueue q(dir, {16 << 10, 3});
    Pattern p(3);
    Drained d;
    std::thread consumer([&] { d = drainAll(q); });
    std::mt19937 rng(4);
    for (int i = 0; i < 200; ++i)
    {
        produce(q, p, std::uniform_int_distribution<uint64_t>(1, 60'000)(rng));
        if (i % 7 == 0) q.handOverIfIdle();
        if (i % 50 == 0) std::this_thread::sleep_for(1ms);
    }
    uint64_t total = p.written();
    q.close();
    consumer.join();
    EXPECT_EQ(d.error, "");
    std::string why;
    EXPECT_TRUE(isPattern(d.bytes, total, &why)) << why;
    std::filesystem::remove_all(dir);
}

// No spill file can be made: the producer waits for the consumer to free a chunk, and the
// stream still arrives whole.
TEST(FrameQueue, WithoutASpillFileTheProducerWaitsAndNothingIsLost)
{
    FrameQueue q("/nonexistent/rscope-dir", {8 << 10, 2});
    Pattern p(5);
    Drained d;
    std::thread consumer([&] { d = drainAll(q); });
    produce(q, p, 2 << 20);
    q.close();
    consumer.join();
    std::string why;
    EXPECT_TRUE(isPattern(d.bytes, p.written(), &why)) << why;
    EXPECT_EQ(q.spilledBytes(), 0u);
}

// A waiting consumer gets a partly filled chunk on request; a busy one does not, and an empty
// chunk is never handed over.
TEST(FrameQueue, HandsOverAPartialChunkOnlyToAnIdleConsumer)
{
    FrameQueue q("/tmp", {64 << 10, 4});
    EXPECT_FALSE(q.handOverIfIdle()) << "nothing to hand over";
    Pattern p(6);
    produce(q, p, 100);
    EXPECT_FALSE(q.handOverIfIdle()) << "nobody waits yet";
    std::atomic<bool> got{false};
    std::thread consumer(
        [&]
        {
            FrameQueue::Item item;
            got = q.pop(5000, &item) == FrameQueue::Pop::Item && item.frames.size() == 100;
        });
    bool handed = false;
    for (int i = 0; i < 2000 && !handed; ++i)
    {
        handed = q.handOverIfIdle();
        if (!handed) std::this_thread::sleep_for(1ms);
    }
    consumer.join();
    EXPECT_TRUE(handed);
    EXPECT_TRUE(got);
}

TEST(FrameQueue, PopTimesOutWhenEmptyAndEndsAfterClose)
{
    FrameQueue q("/tmp", {64 << 10, 2});
    FrameQueue::Item item;
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(q.pop(30, &item), FrameQueue::Pop::Timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
    q.close();
    EXPECT_EQ(q.pop(1000, &item), FrameQueue::Pop::Closed);
}

TEST(FrameQueue, RefusesLimitsItCannotWorkWith)
{
    EXPECT_THROW(FrameQueue("/tmp", {1000, 4}), std::invalid_argument);
    EXPECT_THROW(FrameQueue("/tmp", {4096, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace rscope::trace
