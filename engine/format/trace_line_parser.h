// TraceLineParser: one trace line at a time, decoded by the one LineParser, to header / event /
// trace_end callbacks, checking what spans lines (header first, seq order, ts order, nothing
// after trace_end). Used by the trace tools and `rscope record`. Owner: one reader.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/format/line_parser.h"
#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

// Disorder of ts between actors that draws no warning (the format allows "a few ms").
inline constexpr int64_t kMaxTsDisorderNs = 100'000'000;

class TraceLineParser
{
  public:
    // source names the file (or address) in problems.
    TraceLineParser(std::string source, TraceSink sink);

    // One line without its '\n'. unterminated: the input ended without a '\n' after it.
    // tooLong: the line was cut by the splitter. Returns false once reading cannot go on
    // (no header, another format, a newer major version); later lines are then ignored.
    bool parseLine(std::string_view text, bool unterminated = false, bool tooLong = false);
    // End of input: reports a missing header.
    void finish();

    bool failed() const { return failed_; }
    bool hasHeader() const { return hasHeader_; }
    bool hasEnd() const { return hasEnd_; }
    const TraceHeader& header() const { return header_; }
    const ReadCounts& counts() const { return counts_; }
    const std::string& source() const { return source_; }

  private:
    void parseJsonLine(std::string_view text, bool unterminated);
    void onBrokenLine(std::string message);
    void onHeaderLine();
    void onEventLine();
    void onEndLine();
    void checkSeq(uint64_t seq);
    void checkTs(const TraceEventView& event);
    void report(Severity severity, std::string message);
    void reportAll(const FieldProblems& problems);
    void fatal(std::string message);
    // An event line whose seq could not be read: assume it had the next one.
    void skipSeq();

    std::string source_;
    TraceSink sink_;
    TraceHeader header_;
    ReadCounts counts_;
    uint64_t line_ = 0;
    bool hasHeader_ = false;
    bool hasEnd_ = false;
    bool failed_ = false;
    bool hasSeq_ = false;
    uint64_t prevSeq_ = 0;
    uint64_t maxSeq_ = 0;
    uint64_t allowedJump_ = 0;  // a seq the next line may jump to (after a drop notice)
    bool kindSeen_[static_cast<size_t>(trace::EventKind::Count)] = {};
    std::unordered_map<uint64_t, int64_t> lastTsByThread_;  // (pid << 32 | tid) -> ts
    LineParser parser_;
    DecodedLine decoded_;   // reused for every line
    TraceEventView event_;  // reused for every event: its strings keep their capacity
};

}  // namespace rscope::tracefile
