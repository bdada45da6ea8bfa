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

namespace
{
const TraceArg* findArg(const TraceArg (&args)[5], std::string_view name)
{
    for (const TraceArg& a : args)
    {
        if (a.info == nullptr) break;
        if (name == a.info->name) return a.valid ? &a : nullptr;
    }
    return nullptr;
}
}  // namespace

int64_t TraceEventView::intArg(std::string_view name, int64_t fallback) const
{
    const TraceArg* a = findArg(args, name);
    return a && a->info->type == trace::ArgType::Int ? a->number : fallback;
}

std::string TraceEventView::stringArg(std::string_view name) const
{
    const TraceArg* a = findArg(args, name);
    return a && a->info->type != trace::ArgType::Int && a->info->type != trace::ArgType::Bool
               ? a->text
               : std::string();
}

}  // namespace rscope::tracefile
