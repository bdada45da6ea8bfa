// Reassembly of chunk trains: a train opens on BEGIN, grows per chunk, is delivered on END.
#include "engine/ipc/pipe_codec.h"

#include <algorithm>
#include <cstring>

#include "engine/base/log.h"
#include "engine/base/log_rate_limit.h"

namespace rscope::ipc
{

namespace
{
// More open trains than this means senders died mid-train; the oldest is abandoned.
constexpr size_t kMaxOpenTrains = 256;
}  // namespace

void MessageAssembler::accept(const char* datagram, size_t n, MessageSink& sink)
{
    if (n < sizeof(PipeHeader))
    {
        ++malformed_;
        return;
    }
    PipeHeader head;
    std::memcpy(&head, datagram, sizeof head);
    const char* data = datagram + sizeof head;
    size_t dataLen = n - sizeof head;

    bool single =
        !(head.flags & kFlagChunk) || ((head.flags & kFlagBegin) && (head.flags & kFlagEnd));
    if (single)
    {
        if (dataLen != head.len)
        {
            ++malformed_;
            return;
        }
        head.flags = 0;
        sink.onMessage(head, data, dataLen);
        return;
    }

    auto it = trains_.find(head.msgId);
    if (head.flags & kFlagBegin)
    {
        if (it != trains_.end()) trains_.erase(it);  // a resent BEGIN restarts the train
        if (trains_.size() >= kMaxOpenTrains) evictOldest();
        Train& train = trains_[head.msgId];
        train.head = head;
        train.head.flags = 0;
        train.order = nextOrder_++;
        // Up to what a few chunks hold, not the announced length: a corrupt header announcing
        // 4 GiB must not allocate it (found by tests/fuzz/pipe_codec_fuzzer); the train grows
        // with the bytes that really arrive.
        train.bytes.reserve(std::min<size_t>(head.len, kTrainReserveBytes));
        train.bytes.assign(data, data + dataLen);
        return;
    }
    if (it == trains_.end())
    {
        // A successor worker reading its predecessor's half train lands here (model 4).
        if (orphanChunks_++ == 0)
            RS_WARN_LIMITED(
                "pipe: chunk of message {} without BEGIN; dropped (abnormal pipeline data)",
                head.msgId);
        return;
    }
    Train& train = it->second;
    if (train.bytes.size() + dataLen > train.head.len)
    {
        ++malformed_;
        trains_.erase(it);
        return;
    }
    train.bytes.insert(train.bytes.end(), data, data + dataLen);
    if (head.flags & kFlagEnd)
    {
        if (train.bytes.size() == train.head.len)
            sink.onMessage(train.head, train.bytes.data(), train.bytes.size());
        else
            ++malformed_;
        trains_.erase(head.msgId);
    }
}

void MessageAssembler::evictOldest()
{
    auto oldest = trains_.begin();
    for (auto it = trains_.begin(); it != trains_.end(); ++it)
        if (it->second.order < oldest->second.order) oldest = it;
    RS_WARN_LIMITED("pipe: message {} never completed ({} of {} bytes); dropped", oldest->first,
                    oldest->second.bytes.size(), oldest->second.head.len);
    trains_.erase(oldest);
}

}  // namespace rscope::ipc
