// Connection: direct writes first, an output buffer only for what the socket refused.
#include "engine/server/connection.h"

#include <cerrno>

#include "engine/reactor/socket_ops.h"

namespace rscope::server
{

Connection::Connection(reactor::EventLoop* loop, int fd, int64_t session,
                       const protocol::ProtocolConfig* protocol)
    : fd_(fd), session_(session), channel_(loop, fd)
{
    if (protocol->protocol != protocol::Protocol::Raw)
        decoder_ = std::make_unique<protocol::FrameDecoder>(protocol);
}

Connection::~Connection()
{
    // The channel must leave epoll before the fd closes (the fd number may be reused at once).
    channel_.remove();
}

int Connection::send(const char* data, size_t len)
{
    size_t written = 0;
    if (queuedBytes() == 0)
    {
        ssize_t n = reactor::writeSome(fd_.get(), data, len);
        if (n < 0 && n != -EAGAIN) return static_cast<int>(n);
        if (n > 0) written = static_cast<size_t>(n);
        bytesOut += written;
        if (written == len) return 0;
    }
    if (outputOffset_ > 0 && outputOffset_ >= output_.size() / 2)
    {
        output_.erase(0, outputOffset_);
        outputOffset_ = 0;
    }
    output_.append(data + written, len - written);
    if (!channel_.isWriting()) channel_.enableWriting();
    return 0;
}

int Connection::flushOutput()
{
    while (queuedBytes() > 0)
    {
        ssize_t n = reactor::writeSome(fd_.get(), output_.data() + outputOffset_, queuedBytes());
        if (n == -EAGAIN) return 0;
        if (n < 0) return static_cast<int>(n);
        outputOffset_ += static_cast<size_t>(n);
        bytesOut += static_cast<size_t>(n);
    }
    output_.clear();
    outputOffset_ = 0;
    if (channel_.isWriting()) channel_.disableWriting();
    return 1;
}

size_t Connection::dropOutput()
{
    size_t dropped = queuedBytes();
    output_.clear();
    outputOffset_ = 0;
    return dropped;
}

}  // namespace rscope::server
