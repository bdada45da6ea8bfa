// StreamTally: header through the line parser, then its fast path (a scan of top-level fields)
// per line; trace_dropped lines, rare, are decoded in full for their count.
#include "engine/tracefile/stream_tally.h"

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
    if (!dropped_) dropped_ = std::make_unique<DecodedLine>();
    droppedParser_.parse(text, *dropped_);
    return dropped_->type == LineType::Event ? dropped_->droppedCount : 0;
}

}  // namespace rscope::tracefile
