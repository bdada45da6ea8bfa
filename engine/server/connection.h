// Connection: one client socket inside the thread that owns it (a reactor thread, or a BASE
// worker): the fd, its channel, framing state and output buffer (model 3.3, 3.8, 3.9).
// Owner: that loop thread. Thread-safety: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/unique_fd.h"
#include "engine/protocol/frame_decoder.h"
#include "engine/reactor/channel.h"

namespace rscope::server
{

class Connection
{
  public:
    Connection(reactor::EventLoop* loop, int fd, int64_t session,
               const protocol::ProtocolConfig* protocol);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const { return fd_.get(); }
    int64_t session() const { return session_; }
    reactor::Channel& channel() { return channel_; }
    // nullptr for the raw protocol: bytes are dispatched as read.
    protocol::FrameDecoder* decoder() { return decoder_.get(); }

    // Writes at once when nothing is queued (redis' habit); the rest goes to the output buffer
    // and EPOLLOUT is armed. Returns 0, or -errno when the socket failed (caller closes).
    int send(const char* data, size_t len);
    // On EPOLLOUT: 1 when the buffer is empty (EPOLLOUT disarmed), 0 when more is pending,
    // -errno on a socket error.
    int flushOutput();
    size_t queuedBytes() const { return output_.size() - outputOffset_; }
    size_t dropOutput();

    // Close states (model 3.9). peerClosed: the client is gone (fd out of epoll, still open).
    // closeQueued: close once the output is flushed.
    bool peerClosed = false;
    bool closeQueued = false;
    uint64_t closeFlow = 0;  // trace flow of a queued server close
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;

  private:
    base::UniqueFd fd_;
    int64_t session_;
    reactor::Channel channel_;
    std::unique_ptr<protocol::FrameDecoder> decoder_;
    std::string output_;
    size_t outputOffset_ = 0;
};

}  // namespace rscope::server
