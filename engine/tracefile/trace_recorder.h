// recordTrace: `rscope record`: records a server's trace socket into a JSON Lines file (live as
// JSON, or as binary frames turned into the same lines after the stop) and ends it with a
// trace_end line. Owner: the calling thread, which it blocks until the end.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/format/trace_socket.h"

namespace rscope::tracefile
{

struct RecordOptions
{
    std::string from = kDefaultTraceAddress;  // "host:port" or "unix:PATH" ("unix:@name": abstract)
    std::string outPath;
    double durationS = 0;  // 0: until the server closes or stop is set
    int connectTimeoutMs = 3000;
    // Ask the server for binary frames after the header (traces/FORMAT.md, section 10), store
    // them in outPath + ".frames" and write the same JSON lines after the stop: ~3x fewer bytes
    // on the socket, nothing to scan or format while the server is under load. false keeps the
    // plain JSON stream, written live (a server that does not know the command keeps it anyway).
    bool binary = true;
    std::function<void(const std::string&)> onNote;  // warnings and notes, one line each
};

struct RecordResult
{
    bool ok = false;
    std::string error;          // why not ok
    std::string stopReason;     // "duration", "server closed", "stopped", "server trace_end"
    uint64_t events = 0;        // event lines written
    uint64_t dropped = 0;       // trace_dropped counts seen, plus lines lost in the recorder
    uint64_t problems = 0;      // format problems seen in the stream (the lines are kept as sent)
    uint64_t bytes = 0;         // bytes written, trace_end included
    bool binaryFrames = false;  // the server switched to binary frames
    std::vector<uint64_t> cutFlows;
    double elapsedS = 0;
};

// Connects, records, and returns when options.durationS has passed, the server closed the
// socket, or stop became true (checked every 100 ms; safe to set from a signal handler).
RecordResult recordTrace(const RecordOptions& options, const std::atomic<bool>& stop);

}  // namespace rscope::tracefile
