// Serialisation of trace records to JSON Lines (traces/FORMAT.md): the envelope, the named args
// of the kind table, and the escaped payload preview. Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <string>

#include "engine/trace/trace_event.h"

namespace rscope::trace
{

// `"actor":{...}` of one ring, prebuilt by the collector so each event only copies it.
std::string actorJson(const char* role, int index, int pid, int tid);

// Appends one event line (with the trailing newline) to out.
void appendEventLine(std::string& out, uint64_t seq, const TraceRecord& r,
                     const std::string& actorField);

// Appends s as a JSON string literal (quotes included); bytes >= 0x80 and controls are \u00XX.
void appendJsonString(std::string& out, const char* s, size_t len);

}  // namespace rscope::trace
