// What a trace reader hands out: the header, one event, the trace_end line, and problems with
// their file:line. Plain values owned by whoever holds them; no thread affinity.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/format/trace_event.h"

namespace rscope::tracefile
{

// One problem at one place of a trace; printed "FILE:LINE: message" (line 0: "FILE: message").
struct ParseError
{
    std::string file;
    uint64_t line = 0;
    std::string message;

    std::string toString() const;
};

enum class Severity
{
    Warning,  // suspicious but readable; `trace check` still exits 0
    Error,    // the file breaks the format
};

struct Problem
{
    Severity severity = Severity::Error;
    ParseError where;
};

// Line 1 of a trace. settings and topology are kept as JSON (already type-checked).
struct TraceHeader
{
    std::string version;  // "1.0"
    int versionMajor = 0;
    int versionMinor = 0;
    int64_t createdNs = 0;
    std::string wallTime;
    std::string tracePayload;  // "preview" or "none"
    // A client that joins a running server first gets this many replayed startup events (their
    // seqs are older, with gaps), then live events from liveFromSeq on. 0 / 0 for a file.
    uint64_t replayEvents = 0;
    uint64_t liveFromSeq = 0;
    // Live step mode (--trace-step) only: "running", "held" or "closed" when the header was
    // written; "" for a server without step mode.
    std::string stepState;
    nlohmann::json settings;
    nlohmann::json topology;
};

// The thread that emitted an event.
struct Actor
{
    std::string role;  // master, reactor, manager, worker
    int index = -1;    // -1 when the role has a single instance
    int pid = 0;
    int tid = 0;

    // "master", "reactor[1]", "worker[0]".
    std::string label() const;
};

// One event line, its envelope type-checked. Unknown kinds are never handed out.
struct TraceEventView
{
    uint64_t line = 0;  // 1-based line in the file
    uint64_t seq = 0;
    int64_t tsNs = 0;
    trace::EventKind kind = trace::EventKind::Count;
    std::string kindName;
    std::string fn;
    Actor actor;
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::optional<int64_t> worker;
    std::optional<uint64_t> msgId;
    std::optional<uint64_t> flow;
    nlohmann::json args;  // an object
    std::optional<std::string> payload;

    // args[name] when it is an integer, else fallback.
    int64_t intArg(const char* name, int64_t fallback = 0) const;
    // The flow id, 0 when the event belongs to no flow.
    uint64_t flowId() const { return flow.value_or(0); }
};

// The last line of a finished recording.
struct TraceEnd
{
    uint64_t line = 0;
    uint64_t events = 0;
    uint64_t dropped = 0;
    std::vector<uint64_t> cutFlows;
};

// Where a reader delivers what it reads, in file order. Any member may be empty.
struct TraceSink
{
    std::function<void(const TraceHeader&)> onHeader;
    std::function<void(const TraceEventView&)> onEvent;
    std::function<void(const TraceEnd&)> onEnd;
    std::function<void(const Problem&)> onProblem;
};

// Counts kept while reading.
struct ReadCounts
{
    uint64_t lines = 0;
    uint64_t eventLines = 0;    // every line that is neither header nor trace_end
    uint64_t events = 0;        // events handed to onEvent (valid envelope, known kind)
    uint64_t unknownKinds = 0;  // valid envelope, kind not in this reader's table: skipped
    uint64_t errors = 0;
    uint64_t warnings = 0;
    uint64_t distinctKinds = 0;  // known kinds seen at least once
    int64_t firstTsNs = -1;      // smallest and largest event ts (-1 before the first event)
    int64_t lastTsNs = -1;
};

}  // namespace rscope::tracefile
