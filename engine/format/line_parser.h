// LineParser: the one decoder of a trace line (traces/FORMAT.md) for every reader: the trace
// tools, `rscope record`, the tutorial runner and the viewer. simdjson DOM per line, then the
// schema: line type, envelope, args by the kind table, raw args and payload text, header,
// trace_end. Owner: one reader (it keeps simdjson's buffers). Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/format/trace_event.h"
#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

enum class LineType : uint8_t
{
    Header,       // {"type":"header",...}; header.fatal set when nothing after it can be read
    Event,        // an event of a known kind (trace_dropped included: droppedCount)
    UnknownKind,  // an event of a kind this reader does not know (a newer minor): skip it
    End,          // {"type":"trace_end",...}
    UnknownType,  // {"type":"<other>"}: a newer minor's line type, skipped
    Error,        // not a JSON object, or an unreadable "type": error says why
};

// Why a line is LineType::Error.
enum class LineError : uint8_t
{
    None,
    Empty,        // blank
    TooDeep,      // nested deeper than base::kMaxTraceLineDepth (refused before parsing)
    InvalidJson,  // error: "invalid JSON at column N: ..."
    NotObject,    // valid JSON, not an object
    BadType,      // "type" is not a string
};

// One arg of the kind table as the line had it.
struct DecodedArg
{
    enum class State : uint8_t
    {
        Missing,
        Mistyped,  // present with another JSON type than the table's
        Ok,
    };
    const trace::ArgInfo* info = nullptr;
    State state = State::Missing;
    int64_t number = 0;     // Int; Bool as 0 / 1
    std::string_view text;  // string types, unescaped
};

// One decoded line. Views point into the parser's buffers or the line: valid until the next
// parse. Events: the envelope fields are set when present and well typed.
struct DecodedLine
{
    LineType type = LineType::Error;
    LineError lineError = LineError::None;
    std::string error;     // LineType::Error: why; else the first error of the line, if any
    std::string typeText;  // Header, End, UnknownType: the "type" value as JSON text
    // Envelope and field problems (errors and warnings), in the order FORMAT.md lists the fields.
    FieldProblems problems;
    // Events: problems of the args and fn (known kinds only), checked after the envelope.
    FieldProblems argProblems;
    // Events: every required envelope field present and typed (seq, ts, kind, fn, actor, args).
    bool envelopeValid = false;

    std::optional<uint64_t> seq;
    int64_t tsNs = 0;
    std::string_view kindName;
    trace::EventKind kind = trace::EventKind::Count;
    std::string_view fn;
    bool hasActor = false;  // "actor" is an object (its fields may still be wrong)
    std::string_view role;
    int index = -1;
    int pid = 0;
    int tid = 0;
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::optional<int64_t> worker;
    std::optional<uint64_t> msgId;
    std::optional<uint64_t> flow;
    DecodedArg args[5];               // the kind table's args, in its order (known kinds)
    size_t argCount = 0;              // entries of args[]
    bool argMistyped = false;         // some args[i] is Mistyped
    std::string_view rawArgs = "{}";  // the "args" object as written ("{}" when empty or absent)
    std::optional<std::string_view> payload;  // unescaped
    std::string_view rawPayload;              // as written, without its quotes (escapes kept)
    uint64_t droppedCount = 0;                // trace_dropped: args.count (0 when not unsigned)

    TraceHeader header;  // LineType::Header
    TraceEnd end;        // LineType::End

    // The arg of the kind table with this name, nullptr when the kind has none.
    const DecodedArg* arg(std::string_view name) const;
};

class LineParser
{
  public:
    // Warnings (trace_types.h): Skip for readers that only show events.
    explicit LineParser(Warnings warnings = Warnings::Report);
    ~LineParser();
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    // Decodes `line` (without its '\n'; a final '\r' is ignored) into `out`, reusing its
    // buffers. fileMinor is the header's minor version: args a newer minor adds draw no warning.
    // Never throws.
    void parse(std::string_view line, DecodedLine& out, int fileMinor = trace::kFormatMinor);

    // Every member of a decoded line's rawArgs as (key, text): strings unescaped, true / false,
    // numbers as written, other values as compact JSON; also args no kind table lists (the
    // tutorial matches them). Reuses the parser's buffers: the last DecodedLine's views end.
    void argTexts(std::string_view rawArgs, std::vector<std::pair<std::string, std::string>>& out);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    Warnings warnings_;
};

// The fast path for hot loops (`rscope record`, lesson recordings) that need only the line
// type, the kind and the flow: the top level of the line, scanned without a DOM. False when the
// line is not one JSON object (structure only: numbers and literals are not validated).
struct LineFields
{
    std::string_view type;  // raw contents of a top-level "type" string ("" when absent)
    std::string_view kind;  // raw contents of a top-level "kind" string (kinds need no escapes)
    uint64_t flow = 0;      // top-level "flow" when it is an unsigned integer, else 0
};
bool scanLineFields(std::string_view line, LineFields* out);

}  // namespace rscope::tracefile
