// Schema checks of single trace lines on simdjson values: header, event envelope, event args
// (from the kind table in engine/format/trace_event.cpp) and trace_end. Internal to LineParser,
// which fills a DecodedLine with them. Pure functions, no state, any thread.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

struct DecodedLine;

// The header line into out->header (and problems). Sets header.fatal when nothing after it can
// be read: wrong "format", bad or other-major "version".
void decodeHeader(simdjson::dom::object line, DecodedLine* out);

// The top-level fields of a line that the decoders read, found in one pass over its keys (the
// first of duplicate keys counts, as in a lookup).
struct TopLevel
{
    std::optional<simdjson::dom::element> type, seq, ts, kind, fn, actor, args, session, fd,
        reactor, worker, msgId, flow, payload;
};
TopLevel topLevelOf(simdjson::dom::object line);

// The envelope of an event line (seq, ts, kind, fn, actor, args, optional ids and payload) into
// out; sets out->envelopeValid when every required field is present and typed. Returns the args
// object when it is one.
std::optional<simdjson::dom::object> decodeEnvelope(const TopLevel& line, DecodedLine* out);

// Args and fn of an event of a known kind (out->kind), against kindInfo, into out->args and
// out->argProblems. fileMinor is the header's minor: args added by a newer minor are ignored, in
// an older or equal one they are warnings.
void decodeArgs(simdjson::dom::object args, int fileMinor, Warnings warnings, DecodedLine* out);

// A {"type":"trace_end"} line into out->end.
void decodeTraceEnd(simdjson::dom::object line, DecodedLine* out);

// "string \"5\"", "number 1.5", "null": a value for messages, cut to a few dozen bytes.
std::string describeJson(simdjson::dom::element value);

// The JSON type an arg of this type has: "an integer", "a boolean" or "a string".
const char* argJsonType(trace::ArgType type);

}  // namespace rscope::tracefile
