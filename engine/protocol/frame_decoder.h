// FrameDecoder: bytes read from one connection in, whole packets out, or a reason to close.
// Owner: the reactor thread that owns the connection. Thread-safety: none (one per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rscope::protocol
{

enum class Protocol
{
    Raw,     // no boundaries: every read is dispatched as it came (swoole without a protocol)
    Eof,     // split on every occurrence of packageEof (open_eof_check + open_eof_split)
    Length,  // length field at lengthOffset of type lengthType; total = bodyOffset + length
};

// Settings of one listening port (model section 6). Shared read-only by all decoders.
struct ProtocolConfig
{
    Protocol protocol = Protocol::Raw;
    std::string packageEof = "\r\n\r\n";  // 1..8 bytes
    char lengthType = 'N';                // pack() code: c C s S n v i I l L N V q Q
    uint32_t lengthOffset = 0;
    uint32_t bodyOffset = 4;
    uint32_t maxLength = 2 * 1024 * 1024;  // package_max_length

    // Empty when valid, else a sentence naming the bad setting.
    std::string validate() const;
};

// Byte size of a pack() length code, 0 when the code is unknown.
size_t lengthFieldSize(char code);
// Decodes the length field at p (size lengthFieldSize(code)); false when the value is negative.
bool decodeLength(char code, const unsigned char* p, int64_t* out);

// Receives whole packets. The pointer is valid only during the call.
class FrameSink
{
  public:
    virtual ~FrameSink() = default;
    virtual void onFrame(const char* data, size_t len) = 0;
};

class FrameDecoder
{
  public:
    explicit FrameDecoder(const ProtocolConfig* config) : config_(config) {}

    // Appends data and emits every packet it completes, in order. Returns nullptr on success, or
    // a static reason ("packet too large", "malformed length") after which the connection must
    // be closed and the decoder not fed again. Packets completed before the violation were
    // already emitted.
    const char* feed(const char* data, size_t len, FrameSink& sink);

    // Bytes held for an incomplete packet.
    size_t bufferedBytes() const { return buffer_.size(); }

  private:
    const char* feedEof(const char* data, size_t len, FrameSink& sink);
    const char* feedLength(const char* data, size_t len, FrameSink& sink);
    size_t eofEndCompletingBuffer(const char* data, size_t len) const;
    const char* packetLength(const char* header, size_t* total) const;
    void releaseBuffer();

    const ProtocolConfig* config_;
    // The start of one incomplete packet, never more: the bytes that complete it are appended and
    // it is emitted from here; every later whole packet is emitted from the caller's memory.
    std::vector<char> buffer_;
};

}  // namespace rscope::protocol
