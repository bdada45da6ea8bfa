// StreamFile: a write-only file for a stream of gigabytes (a trace at full load). Whole 4 KiB
// blocks go to the disk with O_DIRECT from an aligned staging buffer; only the last partial block
// goes through the page cache, so every flushed byte is visible to a reader at once.
// Why: a buffered write() costs the writer 0.2 to 2.5 ns a byte (page-cache pages allocated,
// charged and copied into; the upper figure on this VM, where each new page is a host fault) and
// fills the page cache with a file nobody reads back soon. O_DIRECT costs ~0.08 ns a byte.
// Falls back to plain buffered writes where O_DIRECT is refused (tmpfs on older kernels, some
// network file systems). Owner: one thread. Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/unique_fd.h"

namespace rscope::base
{

class StreamFile
{
  public:
    static constexpr size_t kBlock = 4096;  // alignment of direct writes: memory, size, offset

    StreamFile() = default;
    ~StreamFile() { close(); }
    StreamFile(const StreamFile&) = delete;
    StreamFile& operator=(const StreamFile&) = delete;

    // Creates or truncates path. False with error() set ("open(PATH): reason"). tryDirect =
    // false writes through the page cache only.
    bool open(const std::string& path, bool tryDirect = true);
    bool isOpen() const { return fd_.valid(); }
    // True while whole blocks bypass the page cache.
    bool direct() const { return direct_; }
    // Queues n bytes; whole blocks are written once 1 MiB or more is staged. False (and the
    // file closed, error() set) if a write failed.
    bool append(const char* data, size_t n);
    // Room for n more bytes in the staging buffer, to write in place (no copy); commit them with
    // advance(). Nothing is written to the file until the next append() or flush().
    char* reserve(size_t n)
    {
        reserveTotal(staged_ + n);
        return buffer_.get() + staged_;
    }
    void advance(size_t n) { staged_ += n; }
    // After advance(): writes the whole blocks once 1 MiB or more is staged, as append() does.
    bool writeIfFull();
    // The staged bytes from size() == mark on (mark taken since the last append() or flush()).
    const char* stagedFrom(uint64_t mark) const { return buffer_.get() + (mark - base_); }
    // Writes everything appended so far: the whole blocks directly, the partial block through
    // the page cache (it stays staged and is written again, directly, once complete). With
    // partialBlock = false only the whole blocks: the next direct write over a block just
    // written through the page cache must first write that page back, so a busy writer shows
    // its tail only now and then.
    bool flush(bool partialBlock = true);
    // flush() and close; true when every byte reached the file.
    bool close();
    // Bytes appended since open() (the file's size after the next flush).
    uint64_t size() const { return base_ + staged_; }
    // The disk keeps kSpaceAhead bytes allocated past what is written (fallocate, KEEP_SIZE),
    // so whatever fills the disk, the staged bytes and a closing line still fit. True once that
    // room could not be extended: the writer should stop adding and close the file.
    bool spaceLow() const { return spaceLow_; }
    static constexpr uint64_t kSpaceAhead = 4 << 20;
    const std::string& error() const { return error_; }

  private:
    bool writeBlocks();
    bool writeAt(const char* data, size_t n, uint64_t offset);
    bool fail(const char* call);
    void keepSpaceAhead();
    void reserveTotal(size_t need);

    UniqueFd fd_;
    std::string path_;
    std::string error_;
    bool direct_ = false;
    struct FreeAligned
    {
        void operator()(char* p) const;
    };
    std::unique_ptr<char, FreeAligned> buffer_;  // kBlock-aligned; holds bytes from base_ on
    size_t capacity_ = 0;
    size_t staged_ = 0;          // bytes in buffer_
    size_t visible_ = 0;         // of those, already written through the page cache
    uint64_t base_ = 0;          // file offset of buffer_[0], a multiple of kBlock
    uint64_t allocatedEnd_ = 0;  // the disk holds blocks for the file up to here
    bool spaceChecked_ = true;   // false where fallocate is not supported: no reserve
    bool spaceLow_ = false;
};

}  // namespace rscope::base
