// StreamFile: staging buffer, direct block writes, a buffered tail (see stream_file.h).
#include "engine/base/stream_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "engine/base/log.h"

namespace rscope::base
{

namespace
{
// Whole blocks are written once this much is staged: few, large writes.
constexpr size_t kWriteAtBytes = 1 << 20;
}  // namespace

void StreamFile::FreeAligned::operator()(char* p) const
{
    std::free(p);
}

bool StreamFile::open(const std::string& path, bool tryDirect)
{
    close();
    path_ = path;
    error_.clear();
    base_ = staged_ = visible_ = 0;
    allocatedEnd_ = 0;
    spaceChecked_ = true;
    spaceLow_ = false;
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (tryDirect) fd_.reset(::open(path.c_str(), flags | O_DIRECT, 0644));
    direct_ = fd_.valid();
    if (!tryDirect || (!direct_ && errno == EINVAL)) fd_.reset(::open(path.c_str(), flags, 0644));
    if (!fd_.valid()) return fail("open");
    reserveTotal(kWriteAtBytes + kBlock);
    keepSpaceAhead();
    return true;
}

void StreamFile::keepSpaceAhead()
{
    if (!spaceChecked_ || spaceLow_ || base_ + kSpaceAhead / 2 < allocatedEnd_) return;
    if (::fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, static_cast<off_t>(base_),
                    static_cast<off_t>(kSpaceAhead)) == 0)
        allocatedEnd_ = base_ + kSpaceAhead;
    else if (errno == ENOSPC || errno == EDQUOT)
        spaceLow_ = true;  // what was allocated before still holds the staged bytes
    else
        spaceChecked_ = false;  // not supported here: no reserve, writes fail as they come
}

void StreamFile::reserveTotal(size_t need)
{
    if (need <= capacity_) return;
    size_t cap = std::max(need, capacity_ * 2);
    cap = (cap + kBlock - 1) / kBlock * kBlock;
    void* p = nullptr;
    if (::posix_memalign(&p, kBlock, cap) != 0) throw std::bad_alloc();
    if (staged_ > 0) std::memcpy(p, buffer_.get(), staged_);
    buffer_.reset(static_cast<char*>(p));
    capacity_ = cap;
}

bool StreamFile::append(const char* data, size_t n)
{
    if (!fd_.valid()) return false;
    reserveTotal(staged_ + n);
    std::memcpy(buffer_.get() + staged_, data, n);
    staged_ += n;
    return writeIfFull();
}

bool StreamFile::writeIfFull()
{
    if (!fd_.valid()) return false;
    return staged_ < kWriteAtBytes || writeBlocks();
}

// The whole blocks of the staging buffer go out in one write; the partial block moves to the
// front, where it belongs at the new base_.
bool StreamFile::writeBlocks()
{
    size_t whole = staged_ / kBlock * kBlock;
    if (whole == 0) return true;
    if (!writeAt(buffer_.get(), whole, base_)) return false;
    base_ += whole;
    staged_ -= whole;
    visible_ = visible_ > whole ? visible_ - whole : 0;
    std::memmove(buffer_.get(), buffer_.get() + whole, staged_);
    keepSpaceAhead();
    return true;
}

bool StreamFile::flush(bool partialBlock)
{
    if (!fd_.valid()) return false;
    if (!writeBlocks()) return false;
    if (visible_ == staged_ || !partialBlock) return true;
    // The partial block through the page cache: O_DIRECT wants whole blocks, and a reader must
    // not wait for the next 4 KiB to see what is here now.
    if (direct_ && ::fcntl(fd_.get(), F_SETFL, 0) < 0) return fail("fcntl(F_SETFL)");
    bool ok = writeAt(buffer_.get() + visible_, staged_ - visible_, base_ + visible_);
    if (ok) visible_ = staged_;
    if (ok && direct_ && ::fcntl(fd_.get(), F_SETFL, O_DIRECT) < 0) return fail("fcntl(F_SETFL)");
    return ok;
}

bool StreamFile::writeAt(const char* data, size_t n, uint64_t offset)
{
    size_t done = 0;
    while (done < n)
    {
        ssize_t w = ::pwrite(fd_.get(), data + done, n - done, static_cast<off_t>(offset + done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EINVAL && direct_)
        {
            // This file system wants another alignment for direct I/O: go buffered for good.
            RS_INFO("{}: direct writes refused ({}); writing through the page cache", path_,
                    errnoText(errno));
            direct_ = false;
            if (::fcntl(fd_.get(), F_SETFL, 0) < 0) return fail("fcntl(F_SETFL)");
            continue;
        }
        if (w <= 0) return fail("write");
        done += static_cast<size_t>(w);
    }
    return true;
}

bool StreamFile::fail(const char* call)
{
    error_ = fmt::format("{}({}): {}", call, path_, errnoText(errno ? errno : EIO));
    fd_.reset();
    return false;
}

bool StreamFile::close()
{
    if (!fd_.valid()) return error_.empty();
    bool ok = flush();
    // The blocks reserved past the end go back to the disk.
    if (ok && allocatedEnd_ > size() && ::ftruncate(fd_.get(), static_cast<off_t>(size())) < 0)
        ok = fail("ftruncate");
    if (ok && ::close(fd_.release()) < 0) ok = fail("close");
    buffer_.reset();
    capacity_ = staged_ = visible_ = 0;
    return ok;
}

}  // namespace rscope::base
