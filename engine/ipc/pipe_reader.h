// PipeReader: drains datagrams from pipe fds with recvmmsg and hands whole messages to a sink.
// One per thread (its batch buffer is reused for every pipe the thread reads).
// Owner: one loop thread. Thread-safety: none.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <memory>

#include "engine/ipc/pipe_codec.h"

namespace rscope::ipc
{

class PipeReader
{
  public:
    PipeReader();
    ~PipeReader();
    PipeReader(const PipeReader&) = delete;
    PipeReader& operator=(const PipeReader&) = delete;

    // Reads up to maxDatagrams from fd (stopping early when the queue is empty).
    // Returns the number read, or -errno (never -EAGAIN: an empty pipe reads 0).
    int readFrom(int fd, MessageSink& sink, int maxDatagrams);

  private:
    static constexpr int kBatch = 16;
    std::unique_ptr<char[]> buffers_;  // kBatch datagrams of kMaxDatagramBytes
    mmsghdr msgs_[kBatch];
    iovec iovs_[kBatch];
    MessageAssembler assembler_;
};

}  // namespace rscope::ipc
