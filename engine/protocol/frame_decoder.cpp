// FrameDecoder: raw, EOF-split and length-field framing of one connection's byte stream
// (model section 3.3: swoole's recv_split_by_eof and recv_with_length_protocol).
#include "engine/protocol/frame_decoder.h"

#include <ctype.h>
#include <string.h>

#include <algorithm>
#include <limits>
#include <string_view>

namespace rscope::protocol
{

namespace
{
// Reasons returned by feed(); static so the caller may log them after the decoder is gone.
constexpr const char* kTooLarge = "packet too large";
constexpr const char* kMalformed = "malformed length";
constexpr const char* kBadEof =
    "package_eof is not 1 to 8 bytes";  // only if validate() was skipped

constexpr size_t kMaxEofBytes = 8;  // swoole's SW_DATA_EOF_MAXLEN
// Capacity buffer_ may keep after its packet was emitted. A larger allocation (from a large
// packet) is released so an idle connection does not hold its biggest packet's memory.
constexpr size_t kKeepCapacityBytes = 64 * 1024;

// Host byte order load ("machine byte order" in pack(); little endian on our targets).
template <typename T>
T loadHost(const unsigned char* p)
{
    T value;
    memcpy(&value, p, sizeof value);
    return value;
}

uint32_t loadBig32(const unsigned char* p)
{
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint32_t loadLittle32(const unsigned char* p)
{
    return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

std::string describeCode(char code)
{
    if (isprint(static_cast<unsigned char>(code))) return std::string("'") + code + "'";
    return "byte " + std::to_string(static_cast<unsigned char>(code));
}
}  // namespace

std::string ProtocolConfig::validate() const
{
    if (maxLength < 1) return "package_max_length must be at least 1 byte";
    switch (protocol)
    {
        case Protocol::Raw:
            return "";
        case Protocol::Eof:
            if (packageEof.empty() || packageEof.size() > kMaxEofBytes)
                return "package_eof must be 1 to 8 bytes long (got " +
                       std::to_string(packageEof.size()) + ")";
            return "";
        case Protocol::Length:
        {
            size_t fieldSize = lengthFieldSize(lengthType);
            if (fieldSize == 0)
                return "package_length_type must be one of the pack() codes c C s S n v i I l L "
                       "N V q Q (got " +
                       describeCode(lengthType) + ")";
            if (uint64_t{lengthOffset} + fieldSize > maxLength)
                return "package_length_offset (" + std::to_string(lengthOffset) +
                       ") plus the length field size (" + std::to_string(fieldSize) +
                       ") must not exceed package_max_length (" + std::to_string(maxLength) + ")";
            return "";
        }
    }
    return "protocol is not raw, eof or length";
}

size_t lengthFieldSize(char code)
{
    switch (code)
    {
        case 'c':
        case 'C':
            return 1;
        case 's':
        case 'S':
        case 'n':
        case 'v':
            return 2;
        case 'i':
        case 'I':
        case 'l':
        case 'L':
        case 'N':
        case 'V':
            return 4;
        case 'q':
        case 'Q':
            return 8;
        default:
            return 0;
    }
}

bool decodeLength(char code, const unsigned char* p, int64_t* out)
{
    int64_t value = 0;
    switch (code)
    {
        case 'c':
            value = static_cast<int8_t>(p[0]);
            break;
        case 'C':
            value = p[0];
            break;
        case 's':
            value = loadHost<int16_t>(p);
            break;
        case 'S':
            value = loadHost<uint16_t>(p);
            break;
        case 'n':
            value = (p[0] << 8) | p[1];
            break;
        case 'v':
            value = (p[1] << 8) | p[0];
            break;
        case 'i':
        case 'l':
            value = loadHost<int32_t>(p);
            break;
        case 'I':
        case 'L':
            value = loadHost<uint32_t>(p);
            break;
        case 'N':
            value = loadBig32(p);
            break;
        case 'V':
            value = loadLittle32(p);
            break;
        case 'q':
            value = loadHost<int64_t>(p);
            break;
        case 'Q':
        {
            // swoole reads Q into an int64_t, so a value with the top bit set is negative there.
            uint64_t wide = loadHost<uint64_t>(p);
            if (wide > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
            value = static_cast<int64_t>(wide);
            break;
        }
        default:
            return false;
    }
    if (value < 0) return false;
    *out = value;
    return true;
}

const char* FrameDecoder::feed(const char* data, size_t len, FrameSink& sink)
{
    switch (config_->protocol)
    {
        case Protocol::Eof:
            return feedEof(data, len, sink);
        case Protocol::Length:
            return feedLength(data, len, sink);
        case Protocol::Raw:
            break;
    }
    if (len > 0) sink.onFrame(data, len);
    return nullptr;
}

// Invariant on entry and exit: buffer_ holds the start of one packet, contains no whole
// delimiter and is shorter than maxLength. So only the new bytes are ever searched, plus the
// few bytes where a delimiter may straddle the old and the new.
const char* FrameDecoder::feedEof(const char* data, size_t len, FrameSink& sink)
{
    const std::string_view eof = config_->packageEof;
    if (eof.empty() || eof.size() > kMaxEofBytes) return kBadEof;
    const size_t maxLength = config_->maxLength;
    size_t pos = 0;

    if (!buffer_.empty())
    {
        size_t end = eofEndCompletingBuffer(data, len);
        if (end == std::string_view::npos)
        {
            if (buffer_.size() + len >= maxLength) return kTooLarge;
            buffer_.insert(buffer_.end(), data, data + len);
            return nullptr;
        }
        if (buffer_.size() + end > maxLength) return kTooLarge;
        buffer_.insert(buffer_.end(), data, data + end);
        sink.onFrame(buffer_.data(), buffer_.size());
        releaseBuffer();
        pos = end;
    }

    // Whole packets straight from the caller's memory. A packet must end within maxLength bytes
    // of its start, so the search never looks further than that.
    while (pos < len)
    {
        size_t window = std::min(len - pos, size_t{maxLength});
        size_t at = std::string_view(data + pos, window).find(eof);
        if (at == std::string_view::npos)
        {
            if (len - pos >= maxLength) return kTooLarge;
            break;
        }
        size_t frameLen = at + eof.size();
        sink.onFrame(data + pos, frameLen);
        pos += frameLen;
    }
    buffer_.assign(data + pos, data + len);
    return nullptr;
}

// Offset in data just past the first delimiter that ends the buffered packet, or npos if it is
// not within the bytes that could still make a packet of at most maxLength.
size_t FrameDecoder::eofEndCompletingBuffer(const char* data, size_t len) const
{
    const std::string_view eof = config_->packageEof;
    // buffer_ has no whole delimiter, so one that starts in it lies in its last eof.size()-1
    // bytes and ends within the first eof.size()-1 bytes of data.
    size_t tailLen = std::min(buffer_.size(), eof.size() - 1);
    size_t headLen = std::min(len, eof.size() - 1);
    char joint[2 * kMaxEofBytes];
    memcpy(joint, buffer_.data() + buffer_.size() - tailLen, tailLen);
    memcpy(joint + tailLen, data, headLen);
    size_t at = std::string_view(joint, tailLen + headLen).find(eof);
    if (at != std::string_view::npos) return at + eof.size() - tailLen;

    size_t window = std::min(len, size_t{config_->maxLength} - buffer_.size());
    at = std::string_view(data, window).find(eof);
    return at == std::string_view::npos ? at : at + eof.size();
}

// Invariant on entry and exit: buffer_ holds the start of one packet that is not complete.
const char* FrameDecoder::feedLength(const char* data, size_t len, FrameSink& sink)
{
    const size_t headerLen = size_t{config_->lengthOffset} + lengthFieldSize(config_->lengthType);
    size_t pos = 0;

    if (!buffer_.empty())
    {
        // The header first: its length field says how many more bytes the packet takes.
        if (buffer_.size() < headerLen)
        {
            pos = std::min(headerLen - buffer_.size(), len);
            buffer_.insert(buffer_.end(), data, data + pos);
            if (buffer_.size() < headerLen) return nullptr;
        }
        size_t total = 0;
        if (const char* error = packetLength(buffer_.data(), &total)) return error;
        size_t take = std::min(total - buffer_.size(), len - pos);
        buffer_.reserve(total);
        buffer_.insert(buffer_.end(), data + pos, data + pos + take);
        pos += take;
        if (buffer_.size() < total) return nullptr;
        sink.onFrame(buffer_.data(), total);
        releaseBuffer();
    }

    // Whole packets straight from the caller's memory; a bad header is reported as soon as it
    // is complete, without waiting for a body that may never come.
    while (len - pos >= headerLen)
    {
        size_t total = 0;
        if (const char* error = packetLength(data + pos, &total)) return error;
        if (len - pos < total)
        {
            buffer_.reserve(total);
            break;
        }
        sink.onFrame(data + pos, total);
        pos += total;
    }
    buffer_.insert(buffer_.end(), data + pos, data + len);
    return nullptr;
}

// Total packet size from a complete header, or the reason the header is unacceptable.
const char* FrameDecoder::packetLength(const char* header, size_t* total) const
{
    int64_t length = 0;
    const auto* field = reinterpret_cast<const unsigned char*>(header + config_->lengthOffset);
    if (!decodeLength(config_->lengthType, field, &length)) return kMalformed;
    // Compared before adding so a huge 'q' or 'Q' length cannot overflow the sum.
    if (length > int64_t{config_->maxLength} - int64_t{config_->bodyOffset}) return kTooLarge;
    int64_t packetLen = int64_t{config_->bodyOffset} + length;
    // Shorter than its own header: emitting it would leave header bytes as the next packet.
    size_t headerLen = size_t{config_->lengthOffset} + lengthFieldSize(config_->lengthType);
    if (packetLen < static_cast<int64_t>(headerLen)) return kMalformed;
    *total = static_cast<size_t>(packetLen);
    return nullptr;
}

void FrameDecoder::releaseBuffer()
{
    buffer_.clear();
    if (buffer_.capacity() > kKeepCapacityBytes) std::vector<char>().swap(buffer_);
}

}  // namespace rscope::protocol
