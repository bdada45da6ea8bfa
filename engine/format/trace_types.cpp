// Small helpers of the reader-side trace types: problem text, actor labels, arg access.
#include "engine/format/trace_types.h"

#include <fmt/format.h>

namespace rscope::tracefile
{

std::string ParseError::toString() const
{
    if (line == 0) return fmt::format("{}: {}", file, message);
    return fmt::format("{}:{}: {}", file, line, message);
}

std::string Actor::label() const
{
    if (index < 0) return role;
    return fmt::format("{}[{}]", role, index);
}

int64_t TraceEventView::intArg(const char* name, int64_t fallback) const
{
    auto it = args.find(name);
    if (it == args.end() || !it->is_number_integer()) return fallback;
    return it->get<int64_t>();
}

}  // namespace rscope::tracefile
