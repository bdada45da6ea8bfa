// FrameQueue: memory chunks, a spill file when they are all queued (see frame_queue.h).
#include "engine/trace/frame_queue.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"

namespace rscope::trace
{

namespace
{
// Direct I/O wants offsets and sizes in whole blocks: spilled chunks are rounded up to them.
constexpr size_t kBlock = 4096;

size_t roundUp(size_t n)
{
    return (n + kBlock - 1) / kBlock * kBlock;
}
}  // namespace

void FrameQueue::FreeAligned::operator()(char* p) const
{
    std::free(p);
}

FrameQueue::Buffer FrameQueue::allocate(size_t bytes)
{
    void* p = nullptr;
    if (::posix_memalign(&p, kBlock, bytes) != 0) throw std::bad_alloc();
    return Buffer(static_cast<char*>(p));
}

FrameQueue::FrameQueue(std::string spillDir, Limits limits)
    : spillDir_(std::move(spillDir)), limits_(limits)
{
    // Two chunks at least: the one being filled and the one being read.
    if (limits_.chunkBytes % kBlock != 0 || limits_.chunkBytes == 0 || limits_.memoryChunks < 2)
        throw std::invalid_argument("FrameQueue: chunks of whole 4 KiB blocks, two or more");
    chunks_.resize(limits_.memoryChunks);
    free_.reserve(limits_.memoryChunks);
}

FrameQueue::~FrameQueue() = default;

// Called on the first reserve() and whenever the current chunk is full.
void FrameQueue::nextChunk()
{
    if (current_ != nullptr)
    {
        handOver();
        return;
    }
    std::lock_guard lock(mutex_);
    currentIndex_ = takeFreeChunkLocked();  // the first chunk: always there
    current_ = chunks_[static_cast<size_t>(currentIndex_)].get();
}

int FrameQueue::takeFreeChunkLocked()
{
    if (!free_.empty())
    {
        int i = free_.back();
        free_.pop_back();
        return i;
    }
    if (allocated_ == limits_.memoryChunks) return -1;
    chunks_[allocated_] = allocate(limits_.chunkBytes);
    return static_cast<int>(allocated_++);
}

void FrameQueue::handOver()
{
    if (used_ == 0) return;
    std::unique_lock lock(mutex_);
    int next = takeFreeChunkLocked();
    Entry entry;
    entry.size = used_;
    bool spilled = false;
    if (next < 0 && !spillFailed_)
    {
        // Every memory chunk is queued: the writer is behind. This chunk goes to the disk and
        // its memory is reused at once. When the writer has read every spilled chunk back, the
        // file is reused from its start, so it holds the backlog, not the history.
        if (spilledQueued_ == 0) spillEnd_ = 0;
        ++spilledQueued_;
        lock.unlock();  // the consumer goes on meanwhile: it never reads what is not queued
        spilled = spill(current_, used_, &entry.fileOffset);
        lock.lock();
        if (spilled)
        {
            queue_.push_back(std::move(entry));
            spilledBytes_.fetch_add(used_, std::memory_order_relaxed);
        }
        else
            --spilledQueued_;
    }
    if (!spilled)
    {
        if (next < 0)
        {
            // Without a spill file the collector waits for the writer; meanwhile the rings fill
            // up and their events are dropped and counted, as for any slow reader.
            producerWaiting_.store(true, std::memory_order_relaxed);
            consumerCv_.notify_one();  // a consumer backing off looks again
            producerCv_.wait(lock, [&] { return !free_.empty(); });
            producerWaiting_.store(false, std::memory_order_relaxed);
            next = takeFreeChunkLocked();
        }
        entry.chunk = currentIndex_;
        queue_.push_back(std::move(entry));
        currentIndex_ = next;
        current_ = chunks_[static_cast<size_t>(next)].get();
    }
    queuedBytes_.fetch_add(used_, std::memory_order_relaxed);
    used_ = 0;
    lock.unlock();
    consumerCv_.notify_one();
}

bool FrameQueue::openSpill()
{
    // An unlinked file: nothing is left behind, whatever way the server ends.
    spill_.reset(::open(spillDir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!spill_.valid())
    {
        std::string path = spillDir_ + "/.rscope-spill-XXXXXX";
        spill_.reset(::mkostemp(path.data(), O_CLOEXEC));
        if (!spill_.valid())
        {
            RS_ERROR("trace file backlog: cannot create a spill file in {}: {}", spillDir_,
                     base::errnoText(errno));
            return false;
        }
        ::unlink(path.c_str());
    }
    // Whole blocks, written once and read once: not worth the page cache (stream_file.h).
    int flags = ::fcntl(spill_.get(), F_GETFL);
    spillDirect_ = flags >= 0 && ::fcntl(spill_.get(), F_SETFL, flags | O_DIRECT) == 0;
    return true;
}

bool FrameQueue::spill(const char* data, size_t size, uint64_t* offset)
{
    if (!spill_.valid() && !openSpill())
    {
        spillFailed_ = true;
        return false;
    }
    size_t total = roundUp(size);  // the chunk's memory is that long: the rest is junk, unread
    struct statvfs fs
    {
    };
    if (::fstatvfs(spill_.get(), &fs) == 0 &&
        static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < total + kSpillKeepsFree)
    {
        // Not a failure for good: once the writer caught up, the spill may be used again.
        RS_WARN_LIMITED(
            "trace file backlog: less than {} MB would stay free in {}; not spilling, the "
            "collector waits for the trace-file writer (events may be dropped)",
            kSpillKeepsFree >> 20, spillDir_);
        return false;
    }
    for (size_t done = 0; done < total;)
    {
        ssize_t n =
            ::pwrite(spill_.get(), data + done, total - done, static_cast<off_t>(spillEnd_ + done));
        if (n > 0)
        {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EINVAL && spillDirect_)
        {
            // Some file systems take O_DIRECT at open and refuse it on write.
            int flags = ::fcntl(spill_.get(), F_GETFL);
            ::fcntl(spill_.get(), F_SETFL, flags & ~O_DIRECT);
            spillDirect_ = false;
            continue;
        }
        RS_ERROR(
            "trace file backlog: writing the spill file in {}: {}; the collector now waits "
            "for the trace-file writer (events may be dropped)",
            spillDir_, n < 0 ? base::errnoText(errno) : std::string("no space"));
        spillFailed_ = true;
        return false;
    }
    *offset = spillEnd_;
    spillEnd_ += total;
    return true;
}

void FrameQueue::pushText(std::string text)
{
    handOver();
    Entry entry;
    entry.text = std::move(text);
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(entry));
    }
    consumerCv_.notify_one();
}

void FrameQueue::close()
{
    handOver();
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    consumerCv_.notify_one();
}

bool FrameQueue::waitClosed(int timeoutMs)
{
    std::unique_lock lock(mutex_);
    // A waiting producer also ends the wait (the consumer must not back off then).
    consumerCv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                         [&] { return closed_ || producerWaiting_.load(); });
    return closed_;
}

FrameQueue::Pop FrameQueue::pop(int timeoutMs, Item* item, bool readFrames)
{
    std::unique_lock lock(mutex_);
    if (reading_ >= 0)
    {
        free_.push_back(reading_);
        reading_ = -1;
        producerCv_.notify_one();
    }
    if (readingSpilled_)
    {
        --spilledQueued_;
        readingSpilled_ = false;
    }
    if (queue_.empty() && !closed_)
    {
        consumerIdle_.store(true, std::memory_order_relaxed);
        consumerCv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                             [&] { return !queue_.empty() || closed_; });
        consumerIdle_.store(false, std::memory_order_relaxed);
    }
    if (queue_.empty()) return closed_ ? Pop::Closed : Pop::Timeout;
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    bool spilled = entry.chunk < 0 && entry.size > 0;
    readingSpilled_ = spilled;
    reading_ = entry.chunk;
    lock.unlock();

    queuedBytes_.fetch_sub(entry.size, std::memory_order_relaxed);
    item->text = std::move(entry.text);
    item->frames = {};
    if (entry.size == 0 || !readFrames) return Pop::Item;
    if (!spilled)
    {
        item->frames = {chunks_[static_cast<size_t>(entry.chunk)].get(), entry.size};
        return Pop::Item;
    }
    if (!readBuffer_) readBuffer_ = allocate(limits_.chunkBytes);
    size_t total = roundUp(entry.size);
    for (size_t done = 0; done < total;)
    {
        ssize_t n = ::pread(spill_.get(), readBuffer_.get() + done, total - done,
                            static_cast<off_t>(entry.fileOffset + done));
        if (n > 0)
        {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        readError_ = n < 0 ? base::errnoText(errno) : "the spill file ends early";
        return Pop::Item;  // frames left empty: the caller reports the loss
    }
    readError_.clear();
    item->frames = {readBuffer_.get(), entry.size};
    return Pop::Item;
}

}  // namespace rscope::trace
