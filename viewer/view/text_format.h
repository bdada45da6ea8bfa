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

std::string formatOffsetNs(int64_t ns);  // "+618.4242 ms", "+12.345678 s"
// The same in the unit `spanNs` (the trace's length) calls for, so a column of times or a
// "cursor of total" readout never mixes ms and s: "+0.618424 s" when the trace runs 2 s.
std::string formatOffsetNs(int64_t ns, int64_t spanNs);
// The timeline's "+618.4242 ms of +619.0300 ms": the cursor clamped to [0, total], one unit.
std::string formatTimeReadout(int64_t cursorNs, int64_t totalNs);
// The one number a learner sees for an event, everywhere (timeline, log, details): its 1-based
// position in the recording, "#22". It equals the server's seq when the recording holds every
// event from the first (our traces); the details panel shows seq when they differ.
std::string eventNumber(size_t index);
std::string compactArgs(std::string_view argsJson);             // {"a":1,"b":"x"} -> a=1 b=x
std::string eventTitle(const TraceStore& store, size_t index);  // "pipe_write RECV_DATA"
// The payload preview as a person reads it: the file escapes every byte outside printable ASCII
// (\u00e4\u00bd\u00a0...); when those bytes are UTF-8 (Chinese text) they are shown as text.
// Control bytes stay escaped; a character cut by the 32-byte preview becomes "...".
std::string readablePayload(std::string_view escaped);

}  // namespace rscope::viewer
