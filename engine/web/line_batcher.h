// Cuts the trace socket's byte stream into WebSocket messages of whole lines: each message
// holds one or more lines, each ending in '\n'; an unfinished line waits for the next read.
// Owner: one TraceBridge thread. Thread-safety: none.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rscope::web
{

// A trace line is at most a few KiB (a header with a big topology, a payload preview); a MiB
// without a newline is not a trace stream.
inline constexpr size_t kMaxLineBytes = 1 << 20;

class LineBatcher
{
  public:
    explicit LineBatcher(size_t maxLineBytes = kMaxLineBytes) : maxLineBytes_(maxLineBytes) {}

    // Adds bytes read from the socket; false when the unfinished line is now longer than
    // maxLineBytes (the caller closes: what follows cannot be cut into lines).
    bool append(std::string_view bytes);
    // Every whole line received so far, in one string, removed from the batcher; "" if none.
    std::string takeLines();
    // Bytes held: whole lines not yet taken plus the unfinished line.
    size_t pendingBytes() const { return buffer_.size(); }

  private:
    size_t maxLineBytes_;
    std::string buffer_;
    size_t wholeBytes_ = 0;  // buffer_[0, wholeBytes_) ends with '\n'
};

}  // namespace rscope::web
