// Schema checks of single trace lines: header, event envelope, event args (from the kind table
// in engine/format/trace_event.cpp) and trace_end. Pure functions, no state, any thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

// A problem found inside one line, before it gets its file and line number.
struct FieldProblem
{
    Severity severity = Severity::Error;
    std::string message;
};
using FieldProblems = std::vector<FieldProblem>;

// The header line. Returns false (with *fatal set) when nothing after it can be read: wrong
// "format", bad or newer-major "version". Other bad fields are appended to problems.
bool parseHeader(const nlohmann::json& line, TraceHeader* out, FieldProblems* problems,
                 std::string* fatal);

// The envelope of an event line (seq, ts, kind, fn, actor, args, optional ids and payload).
// Returns false when a required field is missing or mistyped; args are moved out of line.
bool parseEnvelope(nlohmann::json& line, TraceEventView* out, FieldProblems* problems);

// Args and fn of an event of a known kind, against kindInfo. fileMinor is the header's minor:
// args added by a newer minor are ignored, in an older or equal one they are warnings.
void checkArgs(const TraceEventView& event, int fileMinor, FieldProblems* problems);

// A {"type":"trace_end"} line.
bool parseTraceEnd(const nlohmann::json& line, TraceEnd* out, FieldProblems* problems);

// "string \"5\"", "number 1.5", "null": a value for messages, cut to a few dozen bytes.
std::string describeJson(const nlohmann::json& value);

// The JSON type an arg of this type has: "an integer", "a boolean" or "a string".
const char* argJsonType(trace::ArgType type);

}  // namespace rscope::tracefile
