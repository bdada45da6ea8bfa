// parseClientCommand: the words of traces/FORMAT.md section 10, matched exactly; a step count is
// read digit by digit and clamped, so no input can overflow it.
#include "engine/trace/client_command.h"

namespace rscope::trace
{

namespace
{
std::string_view trimSpaces(std::string_view text)
{
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

// The count after "step": empty means 1; 0 when it is not a whole number of at least 1.
uint32_t stepCount(std::string_view text)
{
    text = trimSpaces(text);
    if (text.empty()) return 1;
    uint64_t value = 0;
    for (char ch : text)
    {
        if (ch < '0' || ch > '9') return 0;
        value = value * 10 + static_cast<uint64_t>(ch - '0');
        // Clamped as it grows: a thousand digits stay within uint64_t.
        if (value > kMaxStepCount) value = kMaxStepCount + 1;
    }
    if (value == 0) return 0;
    return value > kMaxStepCount ? kMaxStepCount : static_cast<uint32_t>(value);
}
}  // namespace

bool ClientCommand::isStepMode() const
{
    return kind == ClientCommandKind::Hold || kind == ClientCommandKind::Run ||
           kind == ClientCommandKind::Step || kind == ClientCommandKind::BadStepCount;
}

ClientCommand parseClientCommand(std::string_view line)
{
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return {ClientCommandKind::Empty, 0};
    if (line == "binary") return {ClientCommandKind::Binary, 0};
    if (line == "hold") return {ClientCommandKind::Hold, 0};
    if (line == "run") return {ClientCommandKind::Run, 0};
    constexpr std::string_view kStep = "step";
    if (line == kStep) return {ClientCommandKind::Step, 1};
    if (line.size() > kStep.size() && line.substr(0, kStep.size()) == kStep &&
        line[kStep.size()] == ' ')
    {
        uint32_t count = stepCount(line.substr(kStep.size()));
        if (count == 0) return {ClientCommandKind::BadStepCount, 0};
        return {ClientCommandKind::Step, count};
    }
    return {ClientCommandKind::Unknown, 0};
}

}  // namespace rscope::trace
