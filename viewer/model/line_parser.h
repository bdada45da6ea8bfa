// Decodes one JSON Lines trace line (header, event, trace_dropped, trace_end) with simdjson.
// Shared by the file reader (GUI thread) and the live source (socket thread): it holds no store.
// Owner: one thread each (a parser keeps simdjson buffers). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

// One decoded line. For an event, actor/args/payload are kept beside it until the store interns
// and copies them (the live queue carries ParsedLine values).
struct ParsedLine
{
    enum class Type
    {
        Header,
        Event,
        UnknownKind,  // a well-formed event of a kind this viewer does not know: skip it
        End,          // {"type":"trace_end",...}
        Error         // malformed: `error` says why
    };
    Type type = Type::Error;
    Event event;  // Type::Event (event.actor is not set: use `actor`)
    Actor actor;
    std::string args;           // raw JSON text of "args" ("{}" when absent)
    std::string payload;        // the escaped preview as in the file (without quotes)
    Topology topology;          // Type::Header
    uint64_t droppedCount = 0;  // trace_dropped: args.count
    std::string error;
};

class LineParser
{
  public:
    LineParser();
    ~LineParser();
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    // Parses `line` (without its newline) into `out` (reusing its strings). Never throws.
    // A header whose major version is newer than trace::kFormatMajor is an Error whose message
    // says so ("format version 2.0 is newer than this viewer (1.x)").
    void parse(std::string_view line, ParsedLine& out);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rscope::viewer
