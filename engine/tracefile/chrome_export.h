// exportChromeTrace: a trace as Chrome Trace Event JSON (object form) that Perfetto and
// chrome://tracing open: named processes and threads, one slice per event, flow arrows per
// request flow. Streams: memory is per thread and per flow id. Owner: the caller.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

// Duration of an event's slice when nothing gives it a real one.
inline constexpr int64_t kSliceNs = 1000;

struct ChromeExportSummary
{
    bool readable = false;
    uint64_t slices = 0;
    uint64_t flowEvents = 0;  // slices that carry a bind_id
    uint64_t processes = 0;   // process_name records
    uint64_t threads = 0;     // thread_name records
    uint64_t errors = 0;      // reader errors (the export goes on past line errors)
};

// Reads inPath and writes the Chrome JSON to out. A complete JSON document is written even
// when the trace cannot be read to its end.
ChromeExportSummary exportChromeTrace(const std::string& inPath, std::ostream& out,
                                      const std::function<void(const Problem&)>& onProblem);

}  // namespace rscope::tracefile
