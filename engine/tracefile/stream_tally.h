// StreamTally: what `rscope record` learns from the stream it writes: a valid header, the
// event count, drops and the flows still open, for the trace_end line it adds. Owner: the
// recorder. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/format/event_tally.h"
#include "engine/format/trace_event.h"
#include "engine/format/trace_line_parser.h"

namespace rscope::tracefile
{

// After the header only the line parser's fast path runs (top-level fields, no DOM), so that
// recording keeps up with a server tracing at full load; `rscope trace check` does the rest.
class StreamTally
{
  public:
    StreamTally(const std::string& source, std::function<void(const std::string&)> onProblem)
        : source_(source), onProblem_(std::move(onProblem)), header_(source, headerSink())
    {
    }

    // One line of the JSON stream, header first.
    void line(std::string_view text);

    // An event that came as a binary frame: known kind, flow and args without a scan.
    void event(const trace::TraceRecord& r)
    {
        ++line_;
        tally_.count(r);
    }

    bool failed() const { return header_.failed(); }
    bool hasHeader() const { return header_.hasHeader(); }
    bool ended() const { return ended_; }
    const trace::EventTally& tally() const { return tally_; }
    const std::string& lastProblem() const { return lastProblem_; }

  private:
    TraceSink headerSink()
    {
        TraceSink sink;
        sink.onProblem = [this](const Problem& p) { report(p.where.toString()); };
        return sink;
    }

    void problem(const std::string& message)
    {
        report(ParseError{source_, line_, message}.toString());
    }

    void report(std::string text)
    {
        lastProblem_ = text;
        if (onProblem_) onProblem_(std::move(text));
    }

    // args.count of a trace_dropped line (rare: a full parse is fine).
    uint64_t droppedCount(std::string_view text);

    std::string source_;
    std::function<void(const std::string&)> onProblem_;
    TraceLineParser header_;
    LineParser droppedParser_;
    std::unique_ptr<DecodedLine> dropped_;  // made for the first trace_dropped line
    trace::EventTally tally_;
    uint64_t line_ = 0;
    bool ended_ = false;
    std::string lastProblem_;
};

}  // namespace rscope::tracefile
