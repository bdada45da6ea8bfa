// Text helpers shared by the event log and the details panel (plain C++, no ImGui, so they are
// unit-tested without a display). Owner: the GUI thread; pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rscope::viewer
{

class TraceStore;

std::string formatOffsetNs(int64_t ns);                         // "+618.4242 ms", "+12.345678 s"
std::string compactArgs(std::string_view argsJson);             // {"a":1,"b":"x"} -> a=1 b=x
std::string eventTitle(const TraceStore& store, size_t index);  // "pipe_write RECV_DATA"
// The payload preview as a person reads it: the file escapes every byte outside printable ASCII
// (\u00e4\u00bd\u00a0...); when those bytes are UTF-8 (Chinese text) they are shown as text.
// Control bytes stay escaped; a character cut by the 32-byte preview becomes "...".
std::string readablePayload(std::string_view escaped);

}  // namespace rscope::viewer
