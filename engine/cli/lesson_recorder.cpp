// LessonRecorder: lines go to the file unchanged; a top-level scan (no DOM) counts events, sums
// trace_dropped counts and follows flows, so that trace_end lists the flows left open.
#include "engine/cli/lesson_recorder.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/trace/trace_event.h"
#include "engine/tracefile/flow_tracker.h"
#include "engine/tracefile/line_scan.h"

namespace rscope::cli
{

LessonRecorder::LessonRecorder() : flows_(std::make_unique<tracefile::FlowTracker>()) {}

LessonRecorder::~LessonRecorder() = default;

bool LessonRecorder::open(const std::string& path, std::string& error)
{
    path_ = path;
    out_.reset(std::fopen(path.c_str(), "we"));
    if (!out_) error = fmt::format("open({}): {}", path, std::strerror(errno));
    return out_ != nullptr;
}

void LessonRecorder::line(std::string_view text)
{
    if (!out_ || ended_) return;
    tracefile::LineFields fields;
    bool scanned = tracefile::scanLineFields(text, &fields);
    if (scanned && fields.type == "header" && ++headers_ > 1) return;
    if (headers_ != 1) return;  // nothing before the first header, nothing after a second
    std::fwrite(text.data(), 1, text.size(), out_.get());
    std::fputc('\n', out_.get());
    if (scanned && !fields.type.empty())
    {
        ended_ = fields.type == "trace_end";
        return;
    }
    ++events_;  // counted as a reader counts it, broken lines included
    if (!scanned) return;
    trace::EventKind kind = trace::kindByName(std::string(fields.kind).c_str());
    if (kind == trace::EventKind::TraceDropped)
    {
        nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_object() && j.contains("args") && j["args"].value("count", 0) > 0)
            dropped_ += j["args"]["count"].get<uint64_t>();
    }
    if (kind != trace::EventKind::Count) flows_->observe(fields.flow, kind, events_ + 1, 0);
}

bool LessonRecorder::finish(std::string& error)
{
    if (!out_)
    {
        error = "the recording was never opened";
        return false;
    }
    if (headers_ == 0)
    {
        out_.reset();
        error = "the server sent no trace header";
        return false;
    }
    if (!ended_)
    {
        std::vector<uint64_t> cut;
        for (const tracefile::FlowTracker::OpenFlow& f : flows_->openFlows()) cut.push_back(f.flow);
        cutFlows_ = cut.size();
        nlohmann::ordered_json end = {
            {"type", "trace_end"}, {"events", events_}, {"dropped", dropped_}, {"cut_flows", cut}};
        std::string line = end.dump() + "\n";
        std::fwrite(line.data(), 1, line.size(), out_.get());
    }
    bool failed = std::fflush(out_.get()) != 0 || std::ferror(out_.get());
    int savedErrno = errno;
    if (std::fclose(out_.release()) != 0 || failed)
    {
        error = fmt::format("write({}): {}", path_, std::strerror(failed ? savedErrno : errno));
        return false;
    }
    return true;
}

}  // namespace rscope::cli
