// Loads a JSON Lines trace file into a TraceStore: mmap the file, parse each line, intern,
// report bad lines as FILE:LINE and go on. Runs on the GUI thread in slices so the UI can draw a
// progress bar, or in one call for headless use and tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace rscope::viewer
{

class TraceStore;
class LineParser;

class TraceReader
{
  public:
    explicit TraceReader(std::string path);
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    // Opens the file; false with `error()` set when it cannot be read (store untouched).
    bool open();
    // Parses up to `maxLines` more lines into `store` (cleared by the first call). Returns true
    // while lines remain. A refused header (newer major version) stops the load: `fatal()`.
    bool step(TraceStore& store, size_t maxLines);
    // open() + step() until done. False when the file could not be opened or was refused.
    bool loadAll(TraceStore& store);

    double progress() const;  // 0..1 by bytes
    bool fatal() const { return fatal_; }
    const std::string& error() const { return error_; }
    const std::string& path() const { return path_; }

  private:
    struct Mapping;
    void reserveFromFileSize(TraceStore& store, Mapping& m) const;

    std::string path_;
    std::string error_;
    bool fatal_ = false;
    std::unique_ptr<Mapping> map_;
    std::unique_ptr<LineParser> parser_;
    size_t offset_ = 0;
    uint64_t lineNo_ = 0;
};

// Writes `store` back as JSON Lines (header then one line per event), for File -> Save recording.
// Lines carry every field the reader keeps. False with `error` on I/O failure.
bool saveTrace(const TraceStore& store, const std::string& path, std::string& error);

}  // namespace rscope::viewer
