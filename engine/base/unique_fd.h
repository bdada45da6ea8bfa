// UniqueFd: move-only owner of one file descriptor; closes it in the destructor.
// Owner: whoever holds it. Thread-safety: none (like any value type).
#pragma once

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace rscope::base
{

class UniqueFd
{
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other) reset(other.release());
        return *this;
    }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }

    // close() is never retried: on Linux the fd is gone even when close reports EINTR.
    // errno is kept so that a caller logging a previous failure still sees its cause.
    void reset(int fd = -1)
    {
        if (fd_ >= 0)
        {
            int saved = errno;
            ::close(fd_);
            errno = saved;
        }
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

}  // namespace rscope::base
