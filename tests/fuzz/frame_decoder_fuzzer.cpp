// Fuzzes FrameDecoder (eof and length framing): a fuzzed port setting, then a byte stream fed in
// fuzzed splits. Checks that every packet respects package_max_length and the framing, that the
// bytes out plus the bytes held equal the bytes in, and that the split does not change the result.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/protocol/frame_decoder.h"

namespace
{
using rscope::protocol::FrameDecoder;
using rscope::protocol::FrameSink;
using rscope::protocol::Protocol;
using rscope::protocol::ProtocolConfig;

struct Collect : FrameSink
{
    std::vector<std::string> packets;
    void onFrame(const char* data, size_t len) override { packets.emplace_back(data, len); }
};

void check(bool ok)
{
    if (!ok) std::abort();
}

// Every packet of one feed: framed as the config says, within the limit.
void checkPackets(const ProtocolConfig& config, const std::vector<std::string>& packets)
{
    for (const std::string& p : packets)
    {
        check(!p.empty());
        check(p.size() <= config.maxLength);
        if (config.protocol == Protocol::Eof)
        {
            // Ends with the delimiter, and that is its first occurrence (split on every one).
            check(p.size() >= config.packageEof.size());
            check(p.find(config.packageEof) == p.size() - config.packageEof.size());
        }
        else if (config.protocol == Protocol::Length)
        {
            size_t field = rscope::protocol::lengthFieldSize(config.lengthType);
            check(p.size() >= config.lengthOffset + field);
            int64_t length = 0;
            check(rscope::protocol::decodeLength(
                config.lengthType,
                reinterpret_cast<const unsigned char*>(p.data() + config.lengthOffset), &length));
            check(static_cast<int64_t>(p.size()) == int64_t{config.bodyOffset} + length);
        }
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider in(data, size);
    ProtocolConfig config;
    config.protocol = in.ConsumeBool() ? Protocol::Eof : Protocol::Length;
    config.packageEof = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(1, 8));
    static constexpr char kCodes[] = "cCsSnviIlLNVqQ";
    config.lengthType = kCodes[in.ConsumeIntegralInRange<size_t>(0, sizeof kCodes - 2)];
    config.lengthOffset = in.ConsumeIntegralInRange<uint32_t>(0, 16);
    config.bodyOffset = in.ConsumeIntegralInRange<uint32_t>(0, 40);
    // Small limits so "packet too large" is reached with short inputs.
    config.maxLength = in.ConsumeIntegralInRange<uint32_t>(1, 512);
    if (!config.validate().empty()) return 0;

    std::vector<size_t> splits;
    for (size_t n = in.ConsumeIntegralInRange<size_t>(0, 16); n > 0; --n)
        splits.push_back(in.ConsumeIntegralInRange<size_t>(0, 64));
    const std::string stream = in.ConsumeRemainingBytesAsString();

    FrameDecoder pieces(&config);
    Collect piecesOut;
    const char* piecesError = nullptr;
    size_t pos = 0;
    for (size_t i = 0; pos < stream.size() && piecesError == nullptr; ++i)
    {
        size_t n = i < splits.size() ? splits[i] : stream.size() - pos;
        if (n > stream.size() - pos) n = stream.size() - pos;
        piecesError = pieces.feed(stream.data() + pos, n, piecesOut);
        pos += n;
    }
    checkPackets(config, piecesOut.packets);

    FrameDecoder whole(&config);
    Collect wholeOut;
    const char* wholeError = whole.feed(stream.data(), stream.size(), wholeOut);
    checkPackets(config, wholeOut.packets);

    // The packets are the stream's first bytes, in order; without an error the rest is held.
    std::string joined;
    for (const std::string& p : piecesOut.packets) joined += p;
    check(std::string_view(stream).substr(0, joined.size()) == joined);
    if (piecesError == nullptr) check(joined.size() + pieces.bufferedBytes() == stream.size());

    // How the reads were split changes nothing: the same packets, the same verdict.
    check((piecesError == nullptr) == (wholeError == nullptr));
    if (piecesError != nullptr) check(std::string_view(piecesError) == wholeError);
    check(piecesOut.packets == wholeOut.packets);
    if (wholeError == nullptr) check(pieces.bufferedBytes() == whole.bufferedBytes());
    return 0;
}
