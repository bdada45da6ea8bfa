// Tests of FrameDecoder: raw, EOF-split and length-field framing, every pack() code, errors,
// arbitrary read boundaries and zero-copy emission of whole packets.
#include "engine/protocol/frame_decoder.h"

#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rscope::protocol
{
namespace
{

using namespace std::string_literals;
using Frames = std::vector<std::string>;

// Copies every frame and remembers whether it was emitted from the fed bytes themselves.
class CollectingSink : public FrameSink
{
  public:
    void onFrame(const char* data, size_t len) override
    {
        frames.emplace_back(data, len);
        fromCaller.push_back(data >= fedBegin && data + len <= fedEnd);
    }

    Frames frames;
    std::vector<bool> fromCaller;
    const char* fedBegin = nullptr;
    const char* fedEnd = nullptr;
};

// Feeds stream in chunks of the given sizes (the last chunk takes the rest); stops at an error.
struct FeedResult
{
    Frames frames;
    const char* error = nullptr;
};

FeedResult feedChunks(const ProtocolConfig& config, const std::string& stream,
                      const std::vector<size_t>& chunkSizes)
{
    FrameDecoder decoder(&config);
    CollectingSink sink;
    FeedResult result;
    size_t pos = 0;
    for (size_t i = 0; pos < stream.size() || i == 0; ++i)
    {
        size_t n = i < chunkSizes.size() ? std::min(chunkSizes[i], stream.size() - pos)
                                         : stream.size() - pos;
        // A copy per feed, so a frame pointing into an earlier feed's bytes would read garbage.
        std::string chunk = stream.substr(pos, n);
        result.error = decoder.feed(chunk.data(), chunk.size(), sink);
        pos += n;
        if (result.error != nullptr) break;
    }
    result.frames = sink.frames;
    return result;
}

FeedResult feedOnce(const ProtocolConfig& config, const std::string& stream)
{
    return feedChunks(config, stream, {stream.size()});
}

FeedResult feedByteByByte(const ProtocolConfig& config, const std::string& stream)
{
    return feedChunks(config, stream, std::vector<size_t>(stream.size(), 1));
}

std::vector<size_t> randomChunks(std::mt19937& rng, size_t total, size_t maxChunk)
{
    std::uniform_int_distribution<size_t> size(1, maxChunk);
    std::vector<size_t> chunks;
    for (size_t sum = 0; sum < total;)
    {
        chunks.push_back(size(rng));
        sum += chunks.back();
    }
    return chunks;
}

ProtocolConfig eofConfig(const std::string& eof, uint32_t maxLength = 1024)
{
    ProtocolConfig config;
    config.protocol = Protocol::Eof;
    config.packageEof = eof;
    config.maxLength = maxLength;
    return config;
}

ProtocolConfig lengthConfig(char type, uint32_t lengthOffset, uint32_t bodyOffset,
                            uint32_t maxLength = 1024)
{
    ProtocolConfig config;
    config.protocol = Protocol::Length;
    config.lengthType = type;
    config.lengthOffset = lengthOffset;
    config.bodyOffset = bodyOffset;
    config.maxLength = maxLength;
    return config;
}

// value as `size` bytes, most significant first when bigEndian.
std::string encode(uint64_t value, size_t size, bool bigEndian)
{
    std::string out(size, '\0');
    for (size_t i = 0; i < size; ++i)
    {
        char byte = static_cast<char>((value >> (8 * i)) & 0xff);
        out[bigEndian ? size - 1 - i : i] = byte;
    }
    return out;
}

// A 'N' packet with the default layout: 4-byte big-endian body length, then the body.
std::string packetN(const std::string& body)
{
    return encode(body.size(), 4, true) + body;
}

// Splits as swoole's open_eof_split does, for comparison with the decoder.
Frames referenceEofSplit(const std::string& stream, const std::string& eof)
{
    Frames frames;
    size_t pos = 0;
    for (size_t at; (at = stream.find(eof, pos)) != std::string::npos;)
    {
        frames.push_back(stream.substr(pos, at + eof.size() - pos));
        pos = at + eof.size();
    }
    return frames;
}

// ---- Raw ---------------------------------------------------------------------------------------

TEST(FrameDecoderRaw, EmitsEachFeedAsOneFrameWithoutBuffering)
{
    ProtocolConfig config;
    FrameDecoder decoder(&config);
    CollectingSink sink;
    std::string first = "abc\r\n\r\ndef";
    std::string second = "g";
    sink.fedBegin = first.data();
    sink.fedEnd = first.data() + first.size();
    EXPECT_EQ(decoder.feed(first.data(), first.size(), sink), nullptr);
    EXPECT_EQ(decoder.feed(second.data(), second.size(), sink), nullptr);
    EXPECT_EQ(decoder.feed(second.data(), 0, sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{"abc\r\n\r\ndef", "g"}));
    EXPECT_TRUE(sink.fromCaller[0]);
    EXPECT_EQ(decoder.bufferedBytes(), 0u);
}

// ---- Eof ---------------------------------------------------------------------------------------

TEST(FrameDecoderEof, SplitsSeveralPacketsInOneFeedKeepingTheDelimiter)
{
    auto result = feedOnce(eofConfig("\r\n"), "a\r\nbb\r\nccc\r\n");
    EXPECT_EQ(result.error, nullptr);
    EXPECT_EQ(result.frames, (Frames{"a\r\n", "bb\r\n", "ccc\r\n"}));
}

TEST(FrameDecoderEof, EmptyPacketsAreJustTheDelimiter)
{
    auto result = feedOnce(eofConfig("\r\n"), "\r\n\r\nx\r\n");
    EXPECT_EQ(result.frames, (Frames{"\r\n", "\r\n", "x\r\n"}));
}

TEST(FrameDecoderEof, GluedPacketsEmitWholeOnesAndBufferTheTail)
{
    ProtocolConfig config = eofConfig("\r\n\r\n");
    FrameDecoder decoder(&config);
    CollectingSink sink;
    std::string first = "GET /a\r\n\r\nGET /b\r\n\r\nGET /c\r\nHo";
    EXPECT_EQ(decoder.feed(first.data(), first.size(), sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{"GET /a\r\n\r\n", "GET /b\r\n\r\n"}));
    EXPECT_EQ(decoder.bufferedBytes(), 10u);
    std::string second = "st: x\r\n\r\n";
    EXPECT_EQ(decoder.feed(second.data(), second.size(), sink), nullptr);
    EXPECT_EQ(sink.frames,
              (Frames{"GET /a\r\n\r\n", "GET /b\r\n\r\n", "GET /c\r\nHost: x\r\n\r\n"}));
    EXPECT_EQ(decoder.bufferedBytes(), 0u);
}

TEST(FrameDecoderEof, PartialPacketIsCompletedByLaterFeeds)
{
    auto result = feedChunks(eofConfig("\n"), "hello world\nbye\n", {3, 4, 2, 7});
    EXPECT_EQ(result.error, nullptr);
    EXPECT_EQ(result.frames, (Frames{"hello world\n", "bye\n"}));
}

TEST(FrameDecoderEof, DelimiterSplitAcrossFeeds)
{
    ProtocolConfig config = eofConfig("\r\n\r\n");
    EXPECT_EQ(feedChunks(config, "abc\r\n\r\n", {5}).frames, (Frames{"abc\r\n\r\n"}));
    EXPECT_EQ(feedChunks(config, "abc\r\n\r\n", {4, 1, 1}).frames, (Frames{"abc\r\n\r\n"}));
    EXPECT_EQ(feedChunks(config, "abc\r\n\r\n", {6}).frames, (Frames{"abc\r\n\r\n"}));
    // The delimiter straddles the boundary and a second packet follows in the same feed.
    EXPECT_EQ(feedChunks(config, "abc\r\n\r\nde\r\n\r\nf", {5}).frames,
              (Frames{"abc\r\n\r\n", "de\r\n\r\n"}));
}

TEST(FrameDecoderEof, DelimiterPrefixThatDoesNotCompleteIsPartOfThePacket)
{
    ProtocolConfig config = eofConfig("\r\n\r\n");
    EXPECT_EQ(feedChunks(config, "ab\r\n\rx\r\n\r\n", {5}).frames, (Frames{"ab\r\n\rx\r\n\r\n"}));
    // A self-overlapping delimiter: "aab" inside "xaaab" starts at the second 'a'.
    ProtocolConfig overlap = eofConfig("aab");
    EXPECT_EQ(feedChunks(overlap, "xaaabyaab", {2, 1}).frames, (Frames{"xaaab", "yaab"}));
    EXPECT_EQ(feedByteByByte(overlap, "xaaabyaab").frames, (Frames{"xaaab", "yaab"}));
}

TEST(FrameDecoderEof, ByteByByteMatchesOneFeed)
{
    ProtocolConfig config = eofConfig("\r\n\r\n");
    std::string stream = "A\r\n\r\n\r\n\r\nBB\r\n\rCC\r\n\r\n\r\nD\r\n\r\nrest\r\n";
    Frames expected = {"A\r\n\r\n", "\r\n\r\n", "BB\r\n\rCC\r\n\r\n", "\r\nD\r\n\r\n"};
    auto once = feedOnce(config, stream);
    auto bytes = feedByteByByte(config, stream);
    EXPECT_EQ(once.frames, expected);
    EXPECT_EQ(bytes.frames, expected);
    EXPECT_EQ(bytes.error, nullptr);
}

TEST(FrameDecoderEof, RandomSplitsMatchOneFeed)
{
    std::mt19937 rng(20240611);
    const std::vector<std::string> delimiters = {"\n", "\r\n", "\r\n\r\n", "aab", "12345678"};
    for (const std::string& eof : delimiters)
    {
        // Bodies drawn from the delimiter's own bytes plus one other, to hit partial matches.
        std::string alphabet = eof + "z";
        std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
        std::uniform_int_distribution<int> bodyLen(0, 40);
        std::string stream;
        for (int p = 0; p < 200; ++p)
        {
            std::string body;
            for (int i = bodyLen(rng); i > 0; --i) body += alphabet[pick(rng)];
            stream += body + eof;
        }
        ProtocolConfig config = eofConfig(eof, 1 << 20);
        Frames expected = referenceEofSplit(stream, eof);
        ASSERT_GE(expected.size(), 200u);
        EXPECT_EQ(feedOnce(config, stream).frames, expected) << eof;
        EXPECT_EQ(feedByteByByte(config, stream).frames, expected) << eof;
        for (int round = 0; round < 20; ++round)
        {
            auto result = feedChunks(config, stream, randomChunks(rng, stream.size(), 64));
            EXPECT_EQ(result.error, nullptr);
            EXPECT_EQ(result.frames, expected) << eof << " round " << round;
        }
    }
}

TEST(FrameDecoderEof, BufferReachingMaxLengthWithoutDelimiterIsTooLarge)
{
    ProtocolConfig config = eofConfig("\r\n", 8);
    FrameDecoder decoder(&config);
    CollectingSink sink;
    EXPECT_EQ(decoder.feed("1234567", 7, sink), nullptr);
    EXPECT_EQ(decoder.bufferedBytes(), 7u);
    EXPECT_STREQ(decoder.feed("8", 1, sink), "packet too large");
    EXPECT_TRUE(sink.frames.empty());

    // In one feed, and with a delimiter prefix as the last byte (the packet needs 9 bytes).
    EXPECT_STREQ(feedOnce(config, "12345678").error, "packet too large");
    EXPECT_STREQ(feedOnce(config, "1234567\r").error, "packet too large");
    EXPECT_STREQ(feedByteByByte(config, "1234567\r").error, "packet too large");
}

TEST(FrameDecoderEof, PacketLongerThanMaxLengthIsTooLarge)
{
    ProtocolConfig config = eofConfig("\r\n", 8);
    EXPECT_STREQ(feedOnce(config, "1234567\r\n").error, "packet too large");
    EXPECT_STREQ(feedChunks(config, "1234567\r\n", {7}).error, "packet too large");
    EXPECT_STREQ(feedChunks(config, "1234567\r\n", {6}).error, "packet too large");

    // Exactly maxLength including the delimiter is fine, however it is fed.
    Frames exact = {"123456\r\n", "ab\r\n"};
    EXPECT_EQ(feedOnce(config, "123456\r\nab\r\n").frames, exact);
    EXPECT_EQ(feedChunks(config, "123456\r\nab\r\n", {7}).frames, exact);
    EXPECT_EQ(feedByteByByte(config, "123456\r\nab\r\n").frames, exact);
    EXPECT_EQ(feedByteByByte(config, "123456\r\nab\r\n").error, nullptr);
}

TEST(FrameDecoderEof, PacketsBeforeAnOversizedOneAreStillEmitted)
{
    ProtocolConfig config = eofConfig("\r\n", 16);
    std::string stream = "a\r\nbb\r\n" + std::string(20, 'x') + "\r\n";
    auto once = feedOnce(config, stream);
    EXPECT_STREQ(once.error, "packet too large");
    EXPECT_EQ(once.frames, (Frames{"a\r\n", "bb\r\n"}));
    auto bytes = feedByteByByte(config, stream);
    EXPECT_STREQ(bytes.error, "packet too large");
    EXPECT_EQ(bytes.frames, (Frames{"a\r\n", "bb\r\n"}));
}

TEST(FrameDecoderEof, SingleAndEightByteDelimiters)
{
    EXPECT_EQ(feedByteByByte(eofConfig("|"), "a|b||").frames, (Frames{"a|", "b|", "|"}));
    std::string eof8 = "<<END>>!";
    std::string stream = "one" + eof8 + "<<END>>" + eof8 + "x";
    Frames expected = {"one" + eof8, "<<END>>" + eof8};
    EXPECT_EQ(feedOnce(eofConfig(eof8), stream).frames, expected);
    EXPECT_EQ(feedByteByByte(eofConfig(eof8), stream).frames, expected);
}

TEST(FrameDecoderEof, WholePacketsAreEmittedFromTheCallersMemory)
{
    ProtocolConfig config = eofConfig("\n");
    FrameDecoder decoder(&config);
    CollectingSink sink;
    std::string first = "a\nbb\ncc";
    sink.fedBegin = first.data();
    sink.fedEnd = first.data() + first.size();
    EXPECT_EQ(decoder.feed(first.data(), first.size(), sink), nullptr);
    EXPECT_EQ(decoder.bufferedBytes(), 2u);  // only the incomplete tail was copied

    // The completed partial packet comes from the decoder's buffer, the rest from the caller.
    std::string second = "c\nd\ne\nf";
    sink.fedBegin = second.data();
    sink.fedEnd = second.data() + second.size();
    EXPECT_EQ(decoder.feed(second.data(), second.size(), sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{"a\n", "bb\n", "ccc\n", "d\n", "e\n"}));
    EXPECT_EQ(sink.fromCaller, (std::vector<bool>{true, true, false, true, true}));
    EXPECT_EQ(decoder.bufferedBytes(), 1u);
}

// ---- Length ------------------------------------------------------------------------------------

TEST(FrameDecoderLength, SplitsPipelinedPacketsInOneFeed)
{
    std::string stream = packetN("hello") + packetN("x") + packetN("world!");
    auto result = feedOnce(lengthConfig('N', 0, 4), stream);
    EXPECT_EQ(result.error, nullptr);
    EXPECT_EQ(result.frames, (Frames{packetN("hello"), packetN("x"), packetN("world!")}));
}

TEST(FrameDecoderLength, GluedPacketsEmitWholeOnesAndBufferTheTail)
{
    ProtocolConfig config = lengthConfig('N', 0, 4);
    FrameDecoder decoder(&config);
    CollectingSink sink;
    std::string third = packetN("third packet");
    std::string first = packetN("one") + packetN("two") + third.substr(0, 6);
    EXPECT_EQ(decoder.feed(first.data(), first.size(), sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{packetN("one"), packetN("two")}));
    EXPECT_EQ(decoder.bufferedBytes(), 6u);
    EXPECT_EQ(decoder.feed(third.data() + 6, third.size() - 6, sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{packetN("one"), packetN("two"), third}));
    EXPECT_EQ(decoder.bufferedBytes(), 0u);
}

TEST(FrameDecoderLength, PartialHeaderThenPartialBody)
{
    std::string packet = packetN("abcdefgh");
    ProtocolConfig config = lengthConfig('N', 0, 4);
    // 2 header bytes, 2 header bytes + 3 body, the rest plus the next packet.
    auto result = feedChunks(config, packet + packetN("z"), {2, 5});
    EXPECT_EQ(result.error, nullptr);
    EXPECT_EQ(result.frames, (Frames{packet, packetN("z")}));
    // The header completes with the exact feed that also completes the body.
    EXPECT_EQ(feedChunks(config, packet, {3}).frames, (Frames{packet}));
}

TEST(FrameDecoderLength, ByteByByteMatchesOneFeed)
{
    ProtocolConfig config = lengthConfig('N', 0, 4);
    std::string stream = packetN("first") + packetN("") + packetN("third one") + "\0\0"s;
    Frames expected = {packetN("first"), packetN(""), packetN("third one")};
    EXPECT_EQ(feedOnce(config, stream).frames, expected);
    auto bytes = feedByteByByte(config, stream);
    EXPECT_EQ(bytes.error, nullptr);
    EXPECT_EQ(bytes.frames, expected);
}

TEST(FrameDecoderLength, RandomSplitsMatchOneFeed)
{
    std::mt19937 rng(1337);
    std::uniform_int_distribution<int> bodyLen(0, 300);
    std::uniform_int_distribution<int> byte(0, 255);
    // 'v' at offset 3 behind a 3-byte magic, body after a 2-byte gap at offset 7.
    ProtocolConfig config = lengthConfig('v', 3, 7, 4096);
    Frames expected;
    std::string stream;
    for (int p = 0; p < 300; ++p)
    {
        std::string body;
        for (int i = bodyLen(rng); i > 0; --i) body += static_cast<char>(byte(rng));
        std::string packet = "MAG" + encode(body.size(), 2, false) + "--" + body;
        expected.push_back(packet);
        stream += packet;
    }
    EXPECT_EQ(feedOnce(config, stream).frames, expected);
    EXPECT_EQ(feedByteByByte(config, stream).frames, expected);
    for (int round = 0; round < 30; ++round)
    {
        auto result = feedChunks(config, stream, randomChunks(rng, stream.size(), 700));
        EXPECT_EQ(result.error, nullptr);
        EXPECT_EQ(result.frames, expected) << "round " << round;
    }
}

TEST(FrameDecoderLength, LengthFieldAnnouncingMoreThanMaxIsTooLarge)
{
    ProtocolConfig config = lengthConfig('N', 0, 4, 64);
    // Detected from the header alone, before any body arrives.
    EXPECT_STREQ(feedOnce(config, encode(61, 4, true)).error, "packet too large");
    EXPECT_STREQ(feedByteByByte(config, encode(61, 4, true)).error, "packet too large");
    // bodyOffset + length == maxLength is fine.
    std::string exact = packetN(std::string(60, 'b'));
    EXPECT_EQ(feedOnce(config, exact).frames, (Frames{exact}));
    // A huge 'q' length must not overflow the bodyOffset + length sum.
    ProtocolConfig wide = lengthConfig('q', 0, 8, 64);
    EXPECT_STREQ(feedOnce(wide, encode(INT64_MAX, 8, false)).error, "packet too large");
    // A body offset beyond maxLength makes every packet too large.
    EXPECT_STREQ(feedOnce(lengthConfig('C', 0, 100, 64), "\x01"s).error, "packet too large");
}

TEST(FrameDecoderLength, NegativeLengthIsMalformed)
{
    EXPECT_STREQ(feedOnce(lengthConfig('c', 0, 1), "\xff"s).error, "malformed length");
    EXPECT_STREQ(feedOnce(lengthConfig('s', 0, 2), encode(0x8000, 2, false)).error,
                 "malformed length");
    EXPECT_STREQ(feedOnce(lengthConfig('l', 0, 4), encode(0xfffffffe, 4, false)).error,
                 "malformed length");
    EXPECT_STREQ(feedOnce(lengthConfig('i', 0, 4), encode(0x80000000, 4, false)).error,
                 "malformed length");
    EXPECT_STREQ(feedOnce(lengthConfig('q', 0, 8), encode(UINT64_MAX, 8, false)).error,
                 "malformed length");
    // Q is read into a signed 64-bit value as swoole does: the top bit makes it negative.
    EXPECT_STREQ(feedOnce(lengthConfig('Q', 0, 8), encode(1ull << 63, 8, false)).error,
                 "malformed length");
    // Also when the header arrives in pieces.
    EXPECT_STREQ(feedByteByByte(lengthConfig('l', 2, 6), "ab" + encode(-5, 4, false)).error,
                 "malformed length");
}

TEST(FrameDecoderLength, PacketShorterThanItsHeaderIsMalformed)
{
    // Length field at offset 4 ('N'), body offset 0: the length is the whole packet size, and
    // anything below the 8 header bytes would leave header bytes behind.
    ProtocolConfig config = lengthConfig('N', 4, 0);
    EXPECT_STREQ(feedOnce(config, "HEAD" + encode(7, 4, true)).error, "malformed length");
    std::string eight = "HEAD" + encode(8, 4, true);
    std::string twelve = "HEAD" + encode(12, 4, true) + "body";
    EXPECT_EQ(feedOnce(config, eight + twelve).frames, (Frames{eight, twelve}));
    EXPECT_EQ(feedByteByByte(config, eight + twelve).frames, (Frames{eight, twelve}));
}

TEST(FrameDecoderLength, PacketsBeforeAnErrorAreStillEmitted)
{
    ProtocolConfig config = lengthConfig('N', 0, 4, 64);
    std::string good = packetN("ok") + packetN("fine");
    for (const std::string& bad : {encode(100, 4, true), encode(0xffffffff, 4, true)})
    {
        auto once = feedOnce(config, good + bad + "trailing");
        EXPECT_STREQ(once.error, "packet too large");
        EXPECT_EQ(once.frames, (Frames{packetN("ok"), packetN("fine")}));
        auto bytes = feedByteByByte(config, good + bad);
        EXPECT_STREQ(bytes.error, "packet too large");
        EXPECT_EQ(bytes.frames, (Frames{packetN("ok"), packetN("fine")}));
    }
    ProtocolConfig signedConfig = lengthConfig('l', 0, 4, 64);
    std::string goodL = encode(1, 4, false) + "A";
    auto malformed = feedChunks(signedConfig, goodL + encode(-1, 4, false), {3});
    EXPECT_STREQ(malformed.error, "malformed length");
    EXPECT_EQ(malformed.frames, (Frames{goodL}));
}

TEST(FrameDecoderLength, BodyOffsetDifferentFromHeaderEnd)
{
    // 2-byte magic, 'n' length at offset 2, 2 reserved bytes, body from offset 6.
    ProtocolConfig config = lengthConfig('n', 2, 6);
    std::string a = "RS" + encode(3, 2, true) + "..abc";
    std::string b = "RS" + encode(0, 2, true) + "..";
    std::string c = "RS" + encode(300, 2, true) + ".." + std::string(300, 'c');
    Frames expected = {a, b, c};
    EXPECT_EQ(feedOnce(config, a + b + c).frames, expected);
    EXPECT_EQ(feedByteByByte(config, a + b + c).frames, expected);
    EXPECT_EQ(feedChunks(config, a + b + c, {5, 5, 1}).frames, expected);
}

TEST(FrameDecoderLength, ZeroLengthBodyIsJustTheHeader)
{
    ProtocolConfig config = lengthConfig('N', 0, 4);
    std::string empty = packetN("");
    Frames expected = {empty, empty, packetN("x"), empty};
    std::string stream = empty + empty + packetN("x") + empty;
    EXPECT_EQ(feedOnce(config, stream).frames, expected);
    EXPECT_EQ(feedByteByByte(config, stream).frames, expected);
}

TEST(FrameDecoderLength, WholePacketsAreEmittedFromTheCallersMemory)
{
    ProtocolConfig config = lengthConfig('N', 0, 4);
    FrameDecoder decoder(&config);
    CollectingSink sink;
    std::string third = packetN("three");
    std::string first = packetN("one") + packetN("two") + third.substr(0, 2);
    sink.fedBegin = first.data();
    sink.fedEnd = first.data() + first.size();
    EXPECT_EQ(decoder.feed(first.data(), first.size(), sink), nullptr);
    EXPECT_EQ(decoder.bufferedBytes(), 2u);

    std::string second = third.substr(2) + packetN("four") + packetN("five").substr(0, 5);
    sink.fedBegin = second.data();
    sink.fedEnd = second.data() + second.size();
    EXPECT_EQ(decoder.feed(second.data(), second.size(), sink), nullptr);
    EXPECT_EQ(sink.frames, (Frames{packetN("one"), packetN("two"), third, packetN("four")}));
    EXPECT_EQ(sink.fromCaller, (std::vector<bool>{true, true, false, true}));
    EXPECT_EQ(decoder.bufferedBytes(), 5u);
}

// ---- pack() codes ------------------------------------------------------------------------------

struct PackCase
{
    char code;
    size_t size;
    bool bigEndian;
    uint64_t raw;      // the field's bits
    int64_t expected;  // decoded value, or -1 when decodeLength must refuse it
};

TEST(FrameDecoderPackCodes, EveryCodeDecodesWithItsSizeAndByteOrder)
{
    const PackCase cases[] = {
        {'c', 1, false, 0x7f, 127},
        {'c', 1, false, 0x80, -1},
        {'C', 1, false, 0xff, 255},
        {'s', 2, false, 0x1234, 0x1234},
        {'s', 2, false, 0xffff, -1},
        {'S', 2, false, 0xfedc, 0xfedc},
        {'n', 2, true, 0xfedc, 0xfedc},
        {'v', 2, false, 0xfedc, 0xfedc},
        {'i', 4, false, 0x12345678, 0x12345678},
        {'i', 4, false, 0xffffffff, -1},
        {'I', 4, false, 0xfedcba98, 0xfedcba98},
        {'l', 4, false, 0x7fffffff, 0x7fffffff},
        {'l', 4, false, 0x80000000, -1},
        {'L', 4, false, 0xfedcba98, 0xfedcba98},
        {'N', 4, true, 0xfedcba98, 0xfedcba98},
        {'V', 4, false, 0xfedcba98, 0xfedcba98},
        {'q', 8, false, 0x0123456789abcdefull, 0x0123456789abcdefll},
        {'q', 8, false, 0xffffffffffffffffull, -1},
        {'Q', 8, false, 0x7edcba9876543210ull, 0x7edcba9876543210ll},
        {'Q', 8, false, 0x8000000000000000ull, -1},
    };
    for (const PackCase& c : cases)
    {
        SCOPED_TRACE(std::string("code ") + c.code);
        EXPECT_EQ(lengthFieldSize(c.code), c.size);
        std::string bytes = encode(c.raw, c.size, c.bigEndian);
        int64_t value = -12345;
        bool ok =
            decodeLength(c.code, reinterpret_cast<const unsigned char*>(bytes.data()), &value);
        EXPECT_EQ(ok, c.expected >= 0);
        if (c.expected >= 0)
        {
            EXPECT_EQ(value, c.expected);
        }
    }
}

TEST(FrameDecoderPackCodes, BigAndLittleEndianCodesReadTheSameBytesDifferently)
{
    const unsigned char bytes[] = {0x01, 0x02, 0x03, 0x04};
    int64_t value = 0;
    ASSERT_TRUE(decodeLength('n', bytes, &value));
    EXPECT_EQ(value, 0x0102);
    ASSERT_TRUE(decodeLength('v', bytes, &value));
    EXPECT_EQ(value, 0x0201);
    ASSERT_TRUE(decodeLength('N', bytes, &value));
    EXPECT_EQ(value, 0x01020304);
    ASSERT_TRUE(decodeLength('V', bytes, &value));
    EXPECT_EQ(value, 0x04030201);
}

TEST(FrameDecoderPackCodes, UnknownCodesHaveNoSizeAndDoNotDecode)
{
    const unsigned char bytes[8] = {};
    int64_t value = 0;
    for (char code : {'x', 'J', 'P', '\0', 'a'})
    {
        EXPECT_EQ(lengthFieldSize(code), 0u);
        EXPECT_FALSE(decodeLength(code, bytes, &value));
    }
}

TEST(FrameDecoderPackCodes, EveryCodeFramesAStreamThroughTheDecoder)
{
    const struct
    {
        char code;
        size_t size;
        bool bigEndian;
    } codes[] = {{'c', 1, false}, {'C', 1, false}, {'s', 2, false}, {'S', 2, false},
                 {'n', 2, true},  {'v', 2, false}, {'i', 4, false}, {'I', 4, false},
                 {'l', 4, false}, {'L', 4, false}, {'N', 4, true},  {'V', 4, false},
                 {'q', 8, false}, {'Q', 8, false}};
    for (const auto& c : codes)
    {
        SCOPED_TRACE(std::string("code ") + c.code);
        // One header byte before the field and the body right after it.
        ProtocolConfig config = lengthConfig(c.code, 1, static_cast<uint32_t>(1 + c.size));
        Frames expected;
        std::string stream;
        for (size_t bodyLen : {0, 1, 100, 127})
        {
            std::string packet = "#";
            packet += encode(bodyLen, c.size, c.bigEndian);
            packet.append(bodyLen, static_cast<char>('a' + bodyLen % 26));
            expected.push_back(packet);
            stream += packet;
        }
        EXPECT_EQ(feedOnce(config, stream).frames, expected);
        EXPECT_EQ(feedByteByByte(config, stream).frames, expected);
    }
}

// ---- validate() --------------------------------------------------------------------------------

TEST(ProtocolConfigValidate, DefaultsAreValidForEveryProtocol)
{
    for (Protocol protocol : {Protocol::Raw, Protocol::Eof, Protocol::Length})
    {
        ProtocolConfig config;
        config.protocol = protocol;
        EXPECT_EQ(config.validate(), "");
    }
}

TEST(ProtocolConfigValidate, EofMustBeOneToEightBytes)
{
    EXPECT_EQ(eofConfig("|").validate(), "");
    EXPECT_EQ(eofConfig("12345678").validate(), "");
    EXPECT_NE(eofConfig("").validate().find("package_eof"), std::string::npos);
    EXPECT_NE(eofConfig("123456789").validate().find("package_eof"), std::string::npos);
    // Ignored unless the protocol is eof, as in swoole.
    ProtocolConfig length = lengthConfig('N', 0, 4);
    length.packageEof = "";
    EXPECT_EQ(length.validate(), "");
}

TEST(ProtocolConfigValidate, LengthTypeMustBeAPackCode)
{
    std::string message = lengthConfig('x', 0, 4).validate();
    EXPECT_NE(message.find("package_length_type"), std::string::npos);
    EXPECT_NE(message.find("'x'"), std::string::npos);
    EXPECT_NE(lengthConfig('\0', 0, 4).validate().find("package_length_type"), std::string::npos);
}

TEST(ProtocolConfigValidate, LengthFieldMustFitInMaxLength)
{
    EXPECT_EQ(lengthConfig('N', 60, 0, 64).validate(), "");
    EXPECT_NE(lengthConfig('N', 61, 0, 64).validate().find("package_length_offset"),
              std::string::npos);
    EXPECT_NE(lengthConfig('q', UINT32_MAX, 0, UINT32_MAX).validate().find("package_length_offset"),
              std::string::npos);
    // Any body offset is accepted, below or beyond the end of the length field.
    EXPECT_EQ(lengthConfig('N', 4, 0).validate(), "");
    EXPECT_EQ(lengthConfig('n', 2, 6).validate(), "");
    EXPECT_EQ(lengthConfig('N', 0, 100000).validate(), "");
}

TEST(ProtocolConfigValidate, MaxLengthMustBePositive)
{
    ProtocolConfig config;
    config.maxLength = 0;
    EXPECT_NE(config.validate().find("package_max_length"), std::string::npos);
}

// ---- Invalid configurations never hang the decoder -------------------------------------------

TEST(FrameDecoderInvalidConfig, UnknownLengthTypeOrEmptyEofReturnsAReason)
{
    EXPECT_NE(feedOnce(lengthConfig('x', 0, 4), "abcd").error, nullptr);
    EXPECT_NE(feedOnce(eofConfig(""), "abcd").error, nullptr);
}

}  // namespace
}  // namespace rscope::protocol
