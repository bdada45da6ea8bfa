// LessonRecorder: `rscope tutorial record`'s file writer. It takes the lines the lesson's own
// trace connection receives, keeps them as sent, and ends each file with trace_end as `rscope
// record` does (traces/FORMAT.md, section 7); each server run goes to its own file.
// Owner: the CLI thread running the lesson. Thread-safety: none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rscope::tracefile
{
class FlowTracker;
}

namespace rscope::cli
{

class LessonRecorder
{
  public:
    // Run 1 goes to `path`, run K to tutorial::recordingPathForRun(path, K).
    explicit LessonRecorder(std::string path);
    ~LessonRecorder();
    LessonRecorder(const LessonRecorder&) = delete;
    LessonRecorder& operator=(const LessonRecorder&) = delete;

    // One line of the stream. A header starts a run (the server started or restarted): the file
    // of the previous run is finished and the next one opened. False once a write failed.
    bool line(std::string_view text);
    // Finishes the current file; false with error() set when something failed or no header came.
    bool finish();

    const std::string& error() const { return error_; }
    const std::vector<std::string>& files() const { return files_; }
    uint64_t events() const { return totalEvents_; }
    uint64_t dropped() const { return totalDropped_; }
    size_t cutFlows() const { return totalCut_; }

  private:
    struct FileCloser
    {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };

    bool openRun();
    bool finishRun();

    std::string path_;
    std::string error_;
    std::vector<std::string> files_;
    std::unique_ptr<std::FILE, FileCloser> out_;
    std::unique_ptr<tracefile::FlowTracker> flows_;
    bool ended_ = false;  // the stream sent its own trace_end
    uint64_t events_ = 0;
    uint64_t dropped_ = 0;
    uint64_t totalEvents_ = 0;
    uint64_t totalDropped_ = 0;
    size_t totalCut_ = 0;
};

}  // namespace rscope::cli
