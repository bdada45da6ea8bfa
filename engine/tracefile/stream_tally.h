// StreamTally: what `rscope record` learns from the stream it writes: a valid header, the
// event count, drops and the flows still open, for the trace_end line it adds. Owner: the
// recorder. Thread-safety: none.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace/open_flows.h"
#include "engine/trace/trace_event.h"
#include "engine/tracefile/trace_line_parser.h"

namespace rscope::tracefile
{

// After the header only top-level fields are scanned, no DOM is built, so that recording keeps
// up with a server tracing at full load; `rscope trace check` does the rest.
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
        auto kind = static_cast<trace::EventKind>(r.kind);
        count(kind, r.flow,
              kind == trace::EventKind::TraceDropped
                  ? static_cast<uint64_t>(std::max<int64_t>(0, r.a0))
                  : 0);
    }

    bool failed() const { return header_.failed(); }
    bool hasHeader() const { return header_.hasHeader(); }
    bool ended() const { return ended_; }
    uint64_t events() const { return events_; }
    uint64_t dropped() const { return dropped_; }
    // Flows whose last event is not terminal, by id.
    std::vector<uint64_t> openFlows() const
    {
        std::vector<uint64_t> open = flows_.list();
        std::sort(open.begin(), open.end());
        return open;
    }
    const std::string& lastProblem() const { return lastProblem_; }

  private:
    // One event: its drops (a trace_dropped's count) and its flow (unknown kinds have none).
    void count(trace::EventKind kind, uint64_t flow, uint64_t dropped)
    {
        ++events_;
        dropped_ += dropped;
        if (kind < trace::EventKind::Count) flows_.observe(flow, trace::isTerminalKind(kind));
    }

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
    static uint64_t droppedCount(std::string_view text);

    std::string source_;
    std::function<void(const std::string&)> onProblem_;
    TraceLineParser header_;
    trace::OpenFlows flows_;  // no allocation per flow: a full-load stream opens ~100k a second
    uint64_t line_ = 0;
    uint64_t events_ = 0;
    uint64_t dropped_ = 0;
    bool ended_ = false;
    std::string lastProblem_;
};

}  // namespace rscope::tracefile
