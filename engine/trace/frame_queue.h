// FrameQueue: carries the collector's binary frames (trace_wire.h) to the trace-file writer
// thread, so the collector never serialises JSON for the file and never waits for it.
// The collector fills one chunk at a time and hands it over when it is full, or at the end of a
// drain while the writer has nothing to do (so a file followed live stays a few ms behind).
// Chunks stay in memory while the writer keeps up. When every memory chunk is queued (the writer
// is behind: the machine is saturated and the writer runs at low priority), the collector
// writes the chunk to an unlinked spill file beside the trace file instead, with O_DIRECT, and
// the writer reads it back when it gets there. The backlog is bounded by the disk, not memory,
// and nothing is lost or reordered. Like `perf record` / `perf script`, but with the script
// running whenever the machine has time.
// Owner: TraceCollector. Thread-safety: the producer calls come from one thread, the consumer
// calls from one other; a mutex guards the hand-over, taken once per chunk or drain, never per
// event.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/unique_fd.h"

namespace rscope::trace
{

class FrameQueue
{
  public:
    struct Limits
    {
        size_t chunkBytes = 4 << 20;  // a multiple of 4 KiB
        size_t memoryChunks = 16;     // memory held at most: chunkBytes * memoryChunks
    };
    // spillDir: where the spill file goes, when one is needed (the trace file's directory).
    explicit FrameQueue(std::string spillDir) : FrameQueue(std::move(spillDir), Limits{}) {}
    FrameQueue(std::string spillDir, Limits limits);
    ~FrameQueue();
    FrameQueue(const FrameQueue&) = delete;
    FrameQueue& operator=(const FrameQueue&) = delete;

    // --- producer (the collector thread) ---
    // Room for n (<= chunkBytes) bytes in the current chunk; hands the chunk over first if they
    // do not fit. Commit with advance().
    char* reserve(size_t n)
    {
        if (used_ + n > limits_.chunkBytes || current_ == nullptr) nextChunk();
        return current_ + used_;
    }
    void advance(size_t n) { used_ += n; }
    // Queues text to be written to the file as it is, after the frames queued before it.
    void pushText(std::string text);
    // Hands the current chunk over if it holds something and the consumer is waiting for work;
    // true if it did.
    bool handOverIfIdle()
    {
        if (used_ == 0 || !consumerIdle_.load(std::memory_order_relaxed)) return false;
        handOver();
        return true;
    }
    // Hands over what is left; pop() returns Closed once the consumer has had everything.
    void close();

    // --- consumer (the writer thread) ---
    struct Item
    {
        std::string text;         // written first (header, ...), or empty
        std::string_view frames;  // then these frames; valid until the next pop()
    };
    enum class Pop
    {
        Item,
        Timeout,
        Closed,
    };
    // The next item, waiting up to timeoutMs for one. A spilled chunk is read back here, unless
    // readFrames is false: then the item's frames are left empty (the caller only counts them).
    Pop pop(int timeoutMs, Item* item, bool readFrames = true);
    // Waits up to timeoutMs for close(); true once closed.
    bool waitClosed(int timeoutMs);
    // Why the last spilled chunk could not be read back ("" if it could); its frames are lost.
    const std::string& readError() const { return readError_; }

    // --- statistics, any thread ---
    uint64_t spilledBytes() const { return spilledBytes_.load(std::memory_order_relaxed); }
    uint64_t queuedBytes() const { return queuedBytes_.load(std::memory_order_relaxed); }
    // The producer waits for a free chunk (no spill possible): the consumer must not hold back.
    bool producerWaiting() const { return producerWaiting_.load(std::memory_order_relaxed); }

    // A spill leaves at least this much free on the disk it shares with the trace file: the
    // backlog must never take the room of the file it is waiting for.
    static constexpr uint64_t kSpillKeepsFree = 256 << 20;

  private:
    struct Entry
    {
        int chunk = -1;           // memory chunk index, or -1: in the spill file
        uint64_t fileOffset = 0;  // when spilled
        size_t size = 0;
        std::string text;
    };
    struct FreeAligned
    {
        void operator()(char* p) const;
    };
    using Buffer = std::unique_ptr<char, FreeAligned>;

    void nextChunk();
    void handOver();
    int takeFreeChunkLocked();
    bool spill(const char* data, size_t size, uint64_t* offset);
    bool openSpill();
    static Buffer allocate(size_t bytes);

    const std::string spillDir_;
    const Limits limits_;
    std::mutex mutex_;
    std::condition_variable consumerCv_;  // an entry was queued, or closed
    std::condition_variable producerCv_;  // a chunk was freed (only waited for if spilling fails)
    std::deque<Entry> queue_;             // guarded by mutex_
    std::vector<int> free_;               // guarded; a stack, so the same chunks stay warm
    std::vector<Buffer> chunks_;          // slots fixed at construction, filled lazily (producer)
    size_t allocated_ = 0;                // guarded: chunks_ filled so far
    size_t spilledQueued_ = 0;            // guarded: spilled entries queued or being read
    bool closed_ = false;                 // guarded
    std::atomic<bool> consumerIdle_{false};
    std::atomic<bool> producerWaiting_{false};

    // Producer only.
    char* current_ = nullptr;
    int currentIndex_ = -1;
    size_t used_ = 0;
    base::UniqueFd spill_;
    bool spillDirect_ = false;
    bool spillFailed_ = false;
    uint64_t spillEnd_ = 0;

    // Consumer only.
    int reading_ = -1;  // memory chunk handed out by the last pop()
    bool readingSpilled_ = false;
    Buffer readBuffer_;  // a spilled chunk read back
    std::string readError_;

    std::atomic<uint64_t> spilledBytes_{0};
    std::atomic<uint64_t> queuedBytes_{0};
};

}  // namespace rscope::trace
