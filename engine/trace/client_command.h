// The trace socket's client commands (traces/FORMAT.md, section 10): one text line to the command
// it names, or the reason it is refused. Pure function of its input; no owner, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace rscope::trace
{

inline constexpr uint32_t kMaxStepCount = 1'000'000;  // `step N` beyond this is clamped

enum class ClientCommandKind
{
    Empty,         // a blank line: ignored
    Binary,        // "binary"
    Hold,          // "hold"
    Run,           // "run"
    Step,          // "step" or "step N" (count)
    BadStepCount,  // "step ..." whose count is not a whole number of at least 1
    Unknown,       // anything else
};

struct ClientCommand
{
    ClientCommandKind kind = ClientCommandKind::Unknown;
    uint32_t count = 0;  // Step: 1..kMaxStepCount; 0 otherwise

    // A step-mode command (hold, run, step, even with a bad count): needs --trace-step and a
    // loopback peer.
    bool isStepMode() const;
};

// One line without its '\n'; a trailing '\r' is dropped. "step N" takes decimal digits only, with
// spaces around them allowed ("step 5x" and "step -1" are BadStepCount).
ClientCommand parseClientCommand(std::string_view line);

}  // namespace rscope::trace
