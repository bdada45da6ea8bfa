// StreamTally: header through the line parser, then a scan of top-level fields per line.
#include "engine/tracefile/stream_tally.h"

#include <nlohmann/json.hpp>

#include "engine/base/json_depth.h"
#include "engine/format/line_scan.h"

namespace rscope::tracefile
{

void StreamTally::line(std::string_view text)
{
    ++line_;
    if (!header_.hasHeader())
    {
        header_.parseLine(text);
        return;
    }
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return problem("empty line");
    LineFields fields;
    if (!scanLineFields(text, &fields))
    {
        tally_.countUnreadable();  // counted as the reader counts it: a broken event line
        return problem("not a JSON object");
    }
    if (!fields.type.empty())
    {
        ended_ = ended_ || fields.type == "trace_end";
        return;
    }
    trace::EventKind kind = trace::kindByName(fields.kind);
    tally_.count(kind, fields.flow,
                 kind == trace::EventKind::TraceDropped ? droppedCount(text) : 0);
}

uint64_t StreamTally::droppedCount(std::string_view text)
{
    if (base::jsonNestedDeeperThan(text, base::kMaxTraceLineDepth)) return 0;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return 0;
    auto args = j.find("args");
    if (args == j.end() || !args->is_object()) return 0;
    auto count = args->find("count");
    if (count == args->end() || !count->is_number_integer()) return 0;
    return static_cast<uint64_t>(std::max<int64_t>(0, count->get<int64_t>()));
}

}  // namespace rscope::tracefile
