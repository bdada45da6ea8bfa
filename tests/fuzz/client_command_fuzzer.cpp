// Fuzzes parseClientCommand (the trace socket's command lines) against a plain reference reading
// of traces/FORMAT.md section 10: the kind and the clamped step count must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/trace/client_command.h"

namespace
{
using rscope::trace::ClientCommand;
using rscope::trace::ClientCommandKind;
using rscope::trace::kMaxStepCount;

// The reference: written differently on purpose (whole-string tests, strtoull on the digits).
ClientCommand expected(std::string line)
{
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return {ClientCommandKind::Empty, 0};
    if (line == "binary") return {ClientCommandKind::Binary, 0};
    if (line == "hold") return {ClientCommandKind::Hold, 0};
    if (line == "run") return {ClientCommandKind::Run, 0};
    if (line == "step") return {ClientCommandKind::Step, 1};
    if (line.compare(0, 5, "step ") != 0) return {ClientCommandKind::Unknown, 0};
    std::string arg = line.substr(5);
    size_t first = arg.find_first_not_of(' ');
    if (first == std::string::npos) return {ClientCommandKind::Step, 1};
    size_t last = arg.find_last_not_of(' ');
    std::string digits = arg.substr(first, last - first + 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos)
        return {ClientCommandKind::BadStepCount, 0};
    size_t nonZero = digits.find_first_not_of('0');
    if (nonZero == std::string::npos) return {ClientCommandKind::BadStepCount, 0};
    digits = digits.substr(nonZero);
    if (digits.size() > 7) return {ClientCommandKind::Step, kMaxStepCount};
    unsigned long long n = std::strtoull(digits.c_str(), nullptr, 10);
    return {ClientCommandKind::Step, static_cast<uint32_t>(n > kMaxStepCount ? kMaxStepCount : n)};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view line(reinterpret_cast<const char*>(data), size);
    ClientCommand got = rscope::trace::parseClientCommand(line);
    ClientCommand want = expected(std::string(line));
    if (got.kind != want.kind || got.count != want.count) std::abort();
    if (got.kind == ClientCommandKind::Step && (got.count < 1 || got.count > kMaxStepCount))
        std::abort();
    return 0;
}
