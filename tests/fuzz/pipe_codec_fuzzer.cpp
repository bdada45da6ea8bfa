// Fuzzes MessageAssembler (chunk trains of master<->worker datagrams): a fuzzed mix of raw
// datagrams, hand-built chunks of a few msg ids, and whole messages cut by forEachDatagram. A
// delivered message must carry its announced length, and a message cut by the codec itself must
// come out byte for byte, whatever junk of other msg ids arrived between its chunks.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/base/log.h"
#include "engine/ipc/pipe_codec.h"

namespace
{
using rscope::ipc::MessageAssembler;
using rscope::ipc::MessageSink;
using rscope::ipc::PipeHeader;

// msg ids at or above this are the codec's own whole messages; junk uses ids below it.
constexpr uint64_t kOwnIds = 1000;
// Fewer rounds than the assembler's 256 open trains, less the 4 junk ids: no own train is evicted.
constexpr int kMaxRounds = 200;

void check(bool ok)
{
    if (!ok) std::abort();
}

struct Collect : MessageSink
{
    std::vector<std::pair<PipeHeader, std::string>> messages;
    void onMessage(const PipeHeader& head, const char* payload, size_t len) override
    {
        check(head.flags == 0);
        check(head.len == len);
        messages.emplace_back(head, std::string(payload, len));
    }
};

std::string datagram(const PipeHeader& head, const char* payload, size_t len)
{
    std::string out(sizeof head, '\0');
    std::memcpy(out.data(), &head, sizeof head);
    out.append(payload, len);
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static bool quiet = []
    {
        rscope::base::setLogLevel(rscope::base::LogLevel::Error);  // no warning per orphan chunk
        return true;
    }();
    (void)quiet;

    FuzzedDataProvider in(data, size);
    MessageAssembler assembler;
    Collect out;
    // The codec's own messages: what was sent, and the datagrams still to deliver, in order.
    std::vector<std::string> sent;
    std::vector<std::vector<std::string>> queued;

    for (int rounds = 0; in.remaining_bytes() > 0 && rounds < kMaxRounds; ++rounds)
    {
        switch (in.ConsumeIntegralInRange<int>(0, 3))
        {
            case 0:  // raw bytes
            {
                std::string d = in.ConsumeRandomLengthString(256);
                if (d.size() >= sizeof(PipeHeader))
                {
                    // Keep off the codec's own msg ids: this part checks survival, not delivery.
                    uint64_t msgId = 0;
                    std::memcpy(&msgId, d.data() + offsetof(PipeHeader, msgId), sizeof msgId);
                    msgId %= kOwnIds;
                    std::memcpy(d.data() + offsetof(PipeHeader, msgId), &msgId, sizeof msgId);
                }
                assembler.accept(d.data(), d.size(), out);
                break;
            }
            case 1:  // a chunk of a junk train: a small msg id, any flags and lengths
            {
                PipeHeader head{};
                head.msgId = in.ConsumeIntegralInRange<uint64_t>(0, 3);
                head.flags = in.ConsumeIntegral<uint8_t>();
                head.len = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, 64)
                                            : in.ConsumeIntegral<uint32_t>();
                head.type = in.ConsumeIntegral<uint8_t>();
                std::string payload = in.ConsumeRandomLengthString(64);
                std::string d = datagram(head, payload.data(), payload.size());
                assembler.accept(d.data(), d.size(), out);
                break;
            }
            case 2:  // a new whole message, cut into chunks of a fuzzed size
            {
                PipeHeader head{};
                head.msgId = kOwnIds + sent.size();
                head.session = in.ConsumeIntegral<int64_t>();
                head.type = 2;
                size_t maxChunk = in.ConsumeIntegralInRange<size_t>(1, 32);
                bool alwaysChunk = in.ConsumeBool();
                sent.push_back(in.ConsumeRandomLengthString(200));
                std::vector<std::string> datagrams;
                rscope::ipc::forEachDatagram(head, sent.back().data(), sent.back().size(), maxChunk,
                                             alwaysChunk,
                                             [&](const PipeHeader& h, const char* p, size_t n)
                                             { datagrams.push_back(datagram(h, p, n)); });
                queued.push_back(std::move(datagrams));
                break;
            }
            case 3:  // the next datagram of one of the codec's messages
            {
                if (queued.empty()) break;
                size_t i = in.ConsumeIntegralInRange<size_t>(0, queued.size() - 1);
                for (auto& q : queued)
                    if (!q.empty() && i-- == 0)
                    {
                        assembler.accept(q.front().data(), q.front().size(), out);
                        q.erase(q.begin());
                        break;
                    }
                break;
            }
        }
        check(assembler.pendingTrains() <= 256);
    }
    // Deliver what is left of the codec's messages, then every one of them must have come out.
    for (auto& q : queued)
        for (const std::string& d : q) assembler.accept(d.data(), d.size(), out);
    std::vector<bool> seen(sent.size(), false);
    for (const auto& [head, payload] : out.messages)
    {
        if (head.msgId < kOwnIds) continue;
        size_t i = head.msgId - kOwnIds;
        check(i < sent.size() && !seen[i]);
        check(payload == sent[i]);
        seen[i] = true;
    }
    // Every one of the codec's messages came out (kMaxRounds keeps eviction out of reach).
    for (bool s : seen) check(s);
    return 0;
}
