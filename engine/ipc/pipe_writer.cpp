// PipeWriter: sendmsg of header + payload without copying; an in-order memory queue on EAGAIN.
#include "engine/ipc/pipe_writer.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"
#include "engine/ipc/pipe_codec.h"
#include "engine/reactor/channel.h"
#include "engine/trace/events.h"

namespace rscope::ipc
{

PipeWriter::PipeWriter(int fd, reactor::Channel* channel, bool alwaysChunk)
    : fd_(fd), channel_(channel), alwaysChunk_(alwaysChunk)
{
}

int PipeWriter::sendDatagram(const PipeHeader& head, const char* data, size_t len)
{
    iovec iov[2];
    iov[0].iov_base = const_cast<PipeHeader*>(&head);
    iov[0].iov_len = sizeof head;
    iov[1].iov_base = const_cast<char*>(data);
    iov[1].iov_len = len;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = len > 0 ? 2 : 1;
    for (;;)
    {
        ssize_t n = ::sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) return 0;
        if (errno == EINTR) continue;
        return -errno;
    }
}

namespace
{
std::string makeDatagram(const PipeHeader& head, const char* data, size_t len)
{
    std::string datagram(sizeof head + len, '\0');
    std::memcpy(datagram.data(), &head, sizeof head);
    if (len > 0) std::memcpy(datagram.data() + sizeof head, data, len);
    return datagram;
}
}  // namespace

void PipeWriter::enqueue(const PipeHeader& head, const char* data, size_t len)
{
    std::string datagram = makeDatagram(head, data, len);
    queuedBytes_ += datagram.size();
    queue_.push_back(std::move(datagram));
}

// The kernel refused the size of the queued datagram at the head: it becomes kSmallChunkPayload
// datagrams in its place, as write() would have sent it, so nothing is dropped and the order
// holds. A whole message becomes a train (same msgId, len the whole payload, BEGIN .. END);
// a chunk of a train becomes several chunks, the first keeping its BEGIN and the last its END,
// which the assembler joins the same way.
void PipeWriter::rechunkQueueFront()
{
    std::string big = std::move(queue_.front());
    queue_.pop_front();
    queuedBytes_ -= big.size();
    PipeHeader head;
    std::memcpy(&head, big.data(), sizeof head);
    uint8_t edges =
        (head.flags & kFlagChunk) ? head.flags & (kFlagBegin | kFlagEnd) : (kFlagBegin | kFlagEnd);
    const char* data = big.data() + sizeof head;
    size_t len = big.size() - sizeof head;
    std::vector<std::string> pieces;
    pieces.reserve((len + kSmallChunkPayload - 1) / kSmallChunkPayload);
    for (size_t off = 0; off < len; off += kSmallChunkPayload)
    {
        size_t n = len - off < kSmallChunkPayload ? len - off : kSmallChunkPayload;
        head.flags = kFlagChunk;
        if (off == 0) head.flags |= edges & kFlagBegin;
        if (off + n == len) head.flags |= edges & kFlagEnd;
        pieces.push_back(makeDatagram(head, data + off, n));
        queuedBytes_ += pieces.back().size();
    }
    queue_.insert(queue_.begin(), std::make_move_iterator(pieces.begin()),
                  std::make_move_iterator(pieces.end()));
    maxChunk_ = kSmallChunkPayload;  // later messages too, as write() does
}

namespace
{
// Only small messages are batched (copied); big ones go out at once, after the batch.
constexpr size_t kBatchMaxPayload = 2048;
constexpr size_t kBatchMaxDatagrams = 32;
}  // namespace

void PipeWriter::traceQueueChange(bool full)
{
    reportedBytes_ = full ? queuedBytes_ : 0;
    trace::ev::pipePressure(full, tracePipe_, traceDirection_, queuedBytes_);
}

void PipeWriter::traceQueueGrowth()
{
    // pipe_full when the queue begins, and again each time it has doubled since the last
    // report: queued_bytes follows the growth in a few events (model 8.6).
    if (reportedBytes_ == 0 || queuedBytes_ >= 2 * reportedBytes_) traceQueueChange(true);
}

void PipeWriter::enableBatching(std::vector<PipeWriter*>* dirty)
{
    dirty_ = dirty;
    batch_.reserve(kBatchMaxDatagrams * (sizeof(PipeHeader) + kBatchMaxPayload));
    batchEnds_.reserve(kBatchMaxDatagrams);
}

void PipeWriter::addToBatch(const PipeHeader& head, const char* data, size_t len)
{
    if (!inDirty_)
    {
        dirty_->push_back(this);
        inDirty_ = true;
    }
    const char* h = reinterpret_cast<const char*>(&head);
    batch_.insert(batch_.end(), h, h + sizeof head);
    if (len > 0) batch_.insert(batch_.end(), data, data + len);
    batchEnds_.push_back(static_cast<uint32_t>(batch_.size()));
    if (batchEnds_.size() == kBatchMaxDatagrams) flushBatch();
}

void PipeWriter::flushAll(std::vector<PipeWriter*>& dirty)
{
    for (PipeWriter* w : dirty)
    {
        w->flushBatch();
        w->inDirty_ = false;
    }
    dirty.clear();
}

void PipeWriter::flushBatch()
{
    size_t count = batchEnds_.size();
    size_t sent = 0;
    if (count > 0 && queue_.empty())
    {
        mmsghdr msgs[kBatchMaxDatagrams];
        iovec iovs[kBatchMaxDatagrams];
        uint32_t begin = 0;
        for (size_t i = 0; i < count; ++i)
        {
            iovs[i].iov_base = batch_.data() + begin;
            iovs[i].iov_len = batchEnds_[i] - begin;
            msgs[i] = mmsghdr{};
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            begin = batchEnds_[i];
        }
        while (sent < count)
        {
            int n = ::sendmmsg(fd_, msgs + sent, static_cast<unsigned>(count - sent),
                               MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0)
            {
                sent += static_cast<size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno != EAGAIN)
            {
                RS_ERROR_LIMITED("sendmmsg(pipe fd {}): {}; {} datagrams dropped", fd_,
                                 base::errnoText(errno), count - sent);
                sent = count;
            }
            break;
        }
    }
    // What the pipe did not take keeps its order at the head of the queue.
    uint32_t begin = sent > 0 ? batchEnds_[sent - 1] : 0;
    for (size_t i = sent; i < count; ++i)
    {
        std::string datagram(batch_.data() + begin, batchEnds_[i] - begin);
        queuedBytes_ += datagram.size();
        queue_.push_back(std::move(datagram));
        begin = batchEnds_[i];
    }
    if (sent < count)
    {
        traceQueueGrowth();
        if (channel_ && !channel_->isWriting()) channel_->enableWriting();
    }
    batch_.clear();
    batchEnds_.clear();
}

int PipeWriter::write(const PipeHeader& head, const char* payload, size_t len)
{
    if (dirty_ != nullptr)
    {
        if (len <= kBatchMaxPayload && queue_.empty())
        {
            PipeHeader h = head;
            h.len = static_cast<uint32_t>(len);
            h.flags = len > 0 && alwaysChunk_ ? (kFlagChunk | kFlagBegin | kFlagEnd) : 0;
            addToBatch(h, payload, len);
            return 0;
        }
        flushBatch();  // order: everything batched goes before this message
    }
    int result = 0;
    bool queued = !queue_.empty();  // once queued, everything queues: order is the contract
    size_t chunk = maxChunk_;
    for (;;)
    {
        bool retrySmall = false;
        forEachDatagram(head, payload, len, chunk, alwaysChunk_,
                        [&](const PipeHeader& h, const char* data, size_t n)
                        {
                            if (result < 0 || retrySmall) return;
                            if (!queued)
                            {
                                int rc = sendDatagram(h, data, n);
                                if (rc == 0) return;
                                if ((rc == -EMSGSIZE || rc == -ENOBUFS) &&
                                    chunk != kSmallChunkPayload &&
                                    (h.flags & kFlagBegin || !(h.flags & kFlagChunk)))
                                {
                                    retrySmall = true;  // nothing of this message left yet
                                    return;
                                }
                                if (rc != -EAGAIN)
                                {
                                    result = rc;
                                    return;
                                }
                                queued = true;
                            }
                            enqueue(h, data, n);
                        });
        if (!retrySmall) break;
        // The kernel refused a big datagram: use small chunks from now on (swoole does too).
        maxChunk_ = chunk = kSmallChunkPayload;
    }
    if (result < 0)
    {
        RS_ERROR_LIMITED("sendmsg(pipe fd {}): {}; {} message of {} bytes dropped", fd_,
                         base::errnoText(result), trace::pipeTypeName(head.type), len);
        return result;
    }
    if (!queued) return 0;
    traceQueueGrowth();
    if (channel_ && !channel_->isWriting()) channel_->enableWriting();
    return 1;
}

bool PipeWriter::flush()
{
    while (!queue_.empty())
    {
        const std::string& datagram = queue_.front();
        PipeHeader head;
        std::memcpy(&head, datagram.data(), sizeof head);
        size_t len = datagram.size() - sizeof head;
        int rc = sendDatagram(head, datagram.data() + sizeof head, len);
        if (rc < 0)
        {
            if (rc == -EAGAIN) return false;
            if ((rc == -EMSGSIZE || rc == -ENOBUFS) && len > kSmallChunkPayload)
            {
                rechunkQueueFront();
                continue;
            }
            RS_ERROR_LIMITED("sendmsg(pipe fd {}): {}; queued datagram dropped", fd_,
                             base::errnoText(rc));
        }
        queuedBytes_ -= datagram.size();
        queue_.pop_front();
    }
    if (channel_ && channel_->isWriting())
    {
        channel_->disableWriting();
        traceQueueChange(false);
    }
    return true;
}

}  // namespace rscope::ipc
