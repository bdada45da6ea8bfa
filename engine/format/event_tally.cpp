// traceEndLine: the one place the trace_end line is written (see event_tally.h).
#include "engine/format/event_tally.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rscope::trace
{

std::string traceEndLine(uint64_t events, uint64_t dropped, const std::vector<uint64_t>& cutFlows,
                         uint64_t unwritten)
{
    std::string more = unwritten > 0 ? fmt::format("\"unwritten\":{},", unwritten) : "";
    return fmt::format(
        "{{\"type\":\"trace_end\",\"events\":{},\"dropped\":{},{}\"cut_flows\":[{}]}}\n", events,
        dropped, more, fmt::join(cutFlows, ","));
}

}  // namespace rscope::trace
