// LessonRecorder: `rscope tutorial record`'s file writer. It takes the lines the lesson's own
// trace connection receives (so nothing the lesson saw can be missing from the file), keeps them
// as sent, and ends the file with trace_end as `rscope record` does (traces/FORMAT.md, section 7).
// Owner: the CLI thread running the lesson. Thread-safety: none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace rscope::tracefile
{
class FlowTracker;
}

namespace rscope::cli
{

class LessonRecorder
{
  public:
    LessonRecorder();
    ~LessonRecorder();
    LessonRecorder(const LessonRecorder&) = delete;
    LessonRecorder& operator=(const LessonRecorder&) = delete;

    bool open(const std::string& path, std::string& error);
    // One line of the stream, header first. A second header (the server restarted) ends the
    // recording: one file holds one server's run.
    void line(std::string_view text);
    // Writes trace_end and closes the file; false with `error` on a write failure or when no
    // header came.
    bool finish(std::string& error);

    uint64_t events() const { return events_; }
    uint64_t dropped() const { return dropped_; }
    size_t cutFlows() const { return cutFlows_; }

  private:
    struct FileCloser
    {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };

    std::string path_;
    std::unique_ptr<std::FILE, FileCloser> out_;
    std::unique_ptr<tracefile::FlowTracker> flows_;
    int headers_ = 0;
    bool ended_ = false;  // the stream sent its own trace_end
    uint64_t events_ = 0;
    uint64_t dropped_ = 0;
    size_t cutFlows_ = 0;
};

}  // namespace rscope::cli
