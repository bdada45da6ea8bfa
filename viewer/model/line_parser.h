// One trace line to the viewer's compact records: the format's LineParser (the one decoder of
// trace lines) decodes, this converts to Event / Actor / Topology. Shared by the file reader (GUI
// thread) and the live source (socket thread): it holds no store.
// Owner: one thread each (a parser keeps simdjson buffers). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/format/line_parser.h"
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
    LineParser() = default;
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    // Parses `line` (without its newline) into `out` (reusing its strings). Never throws.
    // A header that cannot be read (another format, a newer major version, sizes beyond a
    // server's limits) is an Error whose message says so; so is an event whose envelope or args
    // break the format (the trace tools report the same lines).
    void parse(std::string_view line, ParsedLine& out);

  private:
    // Only errors: the checker's warnings change nothing the viewer shows (line_parser.h).
    tracefile::LineParser parser_{tracefile::Warnings::Skip};
    tracefile::DecodedLine decoded_;  // reused for every line
};

}  // namespace rscope::viewer
