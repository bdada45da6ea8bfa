// TraceReader: streams a JSON Lines trace file through TraceLineParser, one event at a time,
// so memory stays bounded whatever the file size. Owner: the caller. Thread-safety: none.
#pragma once

#include <string>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

class TraceReader
{
  public:
    explicit TraceReader(std::string path);

    // Reads the whole file into sink, in file order. Returns false when the file could not be
    // read to its end (cannot open, no header, another format or a newer major version); the
    // reason went to sink.onProblem. Never throws.
    bool read(const TraceSink& sink);

    const std::string& path() const { return path_; }
    const TraceHeader& header() const { return header_; }
    const ReadCounts& counts() const { return counts_; }
    bool hasEnd() const { return hasEnd_; }

  private:
    std::string path_;
    TraceHeader header_;
    ReadCounts counts_;
    bool hasEnd_ = false;
};

}  // namespace rscope::tracefile
