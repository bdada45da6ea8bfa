// LessonRecorder: lines go to the file unchanged; the line parser's fast path (no DOM) counts
// events, sums trace_dropped counts and follows flows, so that trace_end lists the flows left open.
#include "engine/cli/lesson_recorder.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/format/line_parser.h"
#include "engine/format/trace_event.h"
#include "engine/tracefile/flow_tracker.h"
#include "engine/tutorial/lesson_check.h"

namespace rscope::cli
{

LessonRecorder::LessonRecorder(std::string path) : path_(std::move(path)) {}

LessonRecorder::~LessonRecorder() = default;

bool LessonRecorder::openRun()
{
    std::string path = tutorial::recordingPathForRun(path_, static_cast<int>(files_.size()) + 1);
    out_.reset(std::fopen(path.c_str(), "we"));
    if (!out_)
    {
        error_ = fmt::format("open({}): {}", path, std::strerror(errno));
        return false;
    }
    files_.push_back(path);
    flows_ = std::make_unique<tracefile::FlowTracker>();
    ended_ = false;
    events_ = 0;
    dropped_ = 0;
    return true;
}

bool LessonRecorder::line(std::string_view text)
{
    if (!error_.empty()) return false;
    tracefile::LineFields fields;
    bool scanned = tracefile::scanLineFields(text, &fields);
    if (scanned && fields.type == "header")
    {
        if (out_ && !finishRun()) return false;
        if (!openRun()) return false;
    }
    if (!out_ || ended_) return true;  // nothing before the first header
    std::fwrite(text.data(), 1, text.size(), out_.get());
    std::fputc('\n', out_.get());
    if (scanned && !fields.type.empty())
    {
        ended_ = fields.type == "trace_end";
        return true;
    }
    ++events_;  // counted as a reader counts it, broken lines included
    if (!scanned) return true;
    trace::EventKind kind = trace::kindByName(fields.kind);
    if (kind == trace::EventKind::TraceDropped)
    {
        // Rare: the full parser, made for this line only.
        tracefile::LineParser parser;
        tracefile::DecodedLine decoded;
        parser.parse(text, decoded);
        if (decoded.type == tracefile::LineType::Event) dropped_ += decoded.droppedCount;
    }
    if (kind != trace::EventKind::Count) flows_->observe(fields.flow, kind, events_ + 1, 0);
    return true;
}

bool LessonRecorder::finishRun()
{
    if (!ended_)
    {
        std::vector<uint64_t> cut;
        for (const tracefile::FlowTracker::OpenFlow& f : flows_->openFlows()) cut.push_back(f.flow);
        totalCut_ += cut.size();
        nlohmann::ordered_json end = {
            {"type", "trace_end"}, {"events", events_}, {"dropped", dropped_}, {"cut_flows", cut}};
        std::string line = end.dump() + "\n";
        std::fwrite(line.data(), 1, line.size(), out_.get());
    }
    totalEvents_ += events_;
    totalDropped_ += dropped_;
    bool failed = std::fflush(out_.get()) != 0 || std::ferror(out_.get());
    int savedErrno = errno;
    if (std::fclose(out_.release()) != 0 || failed)
    {
        error_ =
            fmt::format("write({}): {}", files_.back(), std::strerror(failed ? savedErrno : errno));
        return false;
    }
    return true;
}

bool LessonRecorder::finish()
{
    if (!error_.empty()) return false;
    if (!out_)
    {
        error_ = "the server sent no trace header";
        return false;
    }
    return finishRun();
}

}  // namespace rscope::cli
