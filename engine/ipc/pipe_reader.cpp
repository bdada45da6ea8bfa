// PipeReader: one recvmmsg returns a batch of datagrams; a short batch means the pipe is empty,
// which saves the extra recv that would only return EAGAIN.
#include "engine/ipc/pipe_reader.h"

#include <cerrno>
#include <cstring>

namespace rscope::ipc
{

PipeReader::PipeReader() : buffers_(new char[kBatch * kMaxDatagramBytes])
{
    for (int i = 0; i < kBatch; ++i)
    {
        iovs_[i].iov_base = buffers_.get() + i * kMaxDatagramBytes;
        iovs_[i].iov_len = kMaxDatagramBytes;
        std::memset(&msgs_[i], 0, sizeof msgs_[i]);
        msgs_[i].msg_hdr.msg_iov = &iovs_[i];
        msgs_[i].msg_hdr.msg_iovlen = 1;
    }
}

PipeReader::~PipeReader() = default;

int PipeReader::readFrom(int fd, MessageSink& sink, int maxDatagrams)
{
    int total = 0;
    while (total < maxDatagrams)
    {
        int want = maxDatagrams - total < kBatch ? maxDatagrams - total : kBatch;
        int n = ::recvmmsg(fd, msgs_, static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
        if (n < 0)
        {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return total;
            return total > 0 ? total : -errno;
        }
        for (int i = 0; i < n; ++i)
            assembler_.accept(static_cast<const char*>(iovs_[i].iov_base), msgs_[i].msg_len, sink);
        total += n;
        if (n < want) break;
    }
    return total;
}

}  // namespace rscope::ipc
