// Chunking of messages into datagrams, and their reassembly by msg id (model section 3.5).
// Owner: one thread per MessageAssembler. Thread-safety: none.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "engine/ipc/pipe_message.h"

namespace rscope::ipc
{

// Calls emit(header, chunkData, chunkLen) for every datagram of the message, in order.
// A payload that fits one datagram goes out as one (flagged CHUNK|BEGIN|END when alwaysChunk,
// as reactor threads do; plain otherwise, as workers do). Header-only messages are unflagged.
template <typename Emit>
void forEachDatagram(PipeHeader head, const char* payload, size_t len, size_t maxChunk,
                     bool alwaysChunk, Emit&& emit)
{
    head.len = static_cast<uint32_t>(len);
    if (len == 0)
    {
        head.flags = 0;
        emit(head, payload, size_t{0});
        return;
    }
    if (len <= maxChunk)
    {
        head.flags = alwaysChunk ? (kFlagChunk | kFlagBegin | kFlagEnd) : 0;
        emit(head, payload, len);
        return;
    }
    for (size_t off = 0; off < len; off += maxChunk)
    {
        size_t n = len - off < maxChunk ? len - off : maxChunk;
        head.flags = kFlagChunk;
        if (off == 0) head.flags |= kFlagBegin;
        if (off + n == len) head.flags |= kFlagEnd;
        emit(head, payload + off, n);
    }
}

// Datagrams a message of len payload bytes takes (a header-only message takes one).
inline int64_t chunkCount(size_t len)
{
    return len <= kMaxChunkPayload
               ? 1
               : static_cast<int64_t>((len + kMaxChunkPayload - 1) / kMaxChunkPayload);
}

// Receives whole messages. payload is valid only during the call.
class MessageSink
{
  public:
    virtual ~MessageSink() = default;
    virtual void onMessage(const PipeHeader& head, const char* payload, size_t len) = 0;
};

// Reassembles chunk trains keyed by msg id; trains from different senders may interleave.
// What a train reserves at BEGIN at most; beyond it the buffer grows as chunks arrive.
inline constexpr size_t kTrainReserveBytes = 1024 * 1024;

class MessageAssembler
{
  public:
    // One received datagram. Whole messages are passed to sink without copying.
    void accept(const char* datagram, size_t n, MessageSink& sink);

    // Drops every partial train of a sender that died (its chunks will never finish).
    size_t pendingTrains() const { return trains_.size(); }
    uint64_t orphanChunks() const { return orphanChunks_; }
    uint64_t malformedDatagrams() const { return malformed_; }

  private:
    struct Train
    {
        PipeHeader head;
        std::vector<char> bytes;
        uint64_t order;  // arrival order, to evict the oldest when too many are open
    };
    void evictOldest();

    std::unordered_map<uint64_t, Train> trains_;
    uint64_t nextOrder_ = 0;
    uint64_t orphanChunks_ = 0;
    uint64_t malformed_ = 0;
};

}  // namespace rscope::ipc
