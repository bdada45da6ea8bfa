// PipeWriter: the sending side of one pipe fd for one thread. Never blocks, never drops:
// on EAGAIN the rest of the message (and every later one) is queued in order and flushed when
// the fd turns writable (model section 8.6). Owner: one loop thread. Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/ipc/pipe_message.h"

namespace rscope::reactor
{
class Channel;
}

namespace rscope::ipc
{

class PipeWriter
{
  public:
    // channel: the owning loop's channel of fd, used to arm EPOLLOUT while a queue exists
    // (nullptr in blocking tools and tests: then flush() must be called by hand).
    PipeWriter(int fd, reactor::Channel* channel, bool alwaysChunk);
    PipeWriter(const PipeWriter&) = delete;
    PipeWriter& operator=(const PipeWriter&) = delete;

    // Sends header + payload (chunked when large). Returns 0 when all left now, 1 when some is
    // queued, -errno when the pipe is broken (the message is then dropped and logged).
    int write(const PipeHeader& head, const char* payload, size_t len);
    // Called when the fd is writable. Returns true once the queue is empty. A queued datagram
    // the kernel refuses as too big (EMSGSIZE/ENOBUFS) is re-sent in kSmallChunkPayload chunks.
    bool flush();

    // Batching: small messages are collected and sent with one sendmmsg by flushBatch(), which
    // the owning loop calls before it sleeps (dirty lists the writers holding a batch). Cuts
    // the pipe syscalls per request when many requests arrive in one loop iteration.
    void enableBatching(std::vector<PipeWriter*>* dirty);
    void flushBatch();
    // Flushes every writer in dirty and empties the list (the owning loop's before-sleep hook).
    static void flushAll(std::vector<PipeWriter*>& dirty);

    // What pipe_full / pipe_drain events name: the worker index of the pipe and the direction.
    void setTraceTag(int pipeIndex, uint8_t direction)
    {
        tracePipe_ = pipeIndex;
        traceDirection_ = direction;
    }

    size_t queuedBytes() const { return queuedBytes_; }
    size_t queuedDatagrams() const { return queue_.size(); }

  private:
    // -errno, 0 sent, or -EAGAIN.
    int sendDatagram(const PipeHeader& head, const char* data, size_t len);
    void enqueue(const PipeHeader& head, const char* data, size_t len);
    void rechunkQueueFront();
    void addToBatch(const PipeHeader& head, const char* data, size_t len);
    void traceQueueChange(bool full);
    void traceQueueGrowth();  // after queueing: pipe_full when the queue began or doubled

    int fd_;
    reactor::Channel* channel_;
    bool alwaysChunk_;
    size_t maxChunk_ = kMaxChunkPayload;
    std::deque<std::string> queue_;  // whole datagrams (header + chunk), oldest first
    size_t queuedBytes_ = 0;
    size_t reportedBytes_ = 0;  // queued_bytes of the last pipe_full (0 after a drain)
    int tracePipe_ = -1;
    uint8_t traceDirection_ = 0;
    std::vector<PipeWriter*>* dirty_ = nullptr;  // non-null when batching
    bool inDirty_ = false;                       // listed in *dirty_
    std::vector<char> batch_;                    // whole datagrams back to back
    std::vector<uint32_t> batchEnds_;            // end offset of each datagram in batch_
};

}  // namespace rscope::ipc
