// What a trace reader hands out: the header, one event, the trace_end line, and problems with
// their file:line. Plain values owned by whoever holds them; no thread affinity.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// What a parse reports besides errors. The trace tools want every warning (an unknown enum
// value, an "fn" other than the kind table's, args of a newer minor); a reader that only shows
// events (the viewer) skips those checks: ~3 % of its load's instructions, and nothing it
// shows. Errors, and so which lines are readable, are the same either way.
enum class Warnings : uint8_t
{
    Report,
    Skip,
};

struct Problem
{
    Severity severity = Severity::Error;
    ParseError where;
};

// A problem found inside one line, before it gets its file and line number.
struct FieldProblem
{
    Severity severity = Severity::Error;
    std::string message;
};
using FieldProblems = std::vector<FieldProblem>;

// The header's "settings" (fields of the wrong type stay at their defaults).
struct HeaderSettings
{
    std::string mode;  // "process" | "base"
    std::string host;
    int port = 0;
    int workerNum = 0;
    int reactorNum = 0;
    int dispatchMode = 0;
    std::string protocol;
    bool traceStep = false;        // present (true) only with --trace-step
    int taskWorkerNum = 0;         // format 1.1; ids worker_num .. worker_num + task_worker_num - 1
    int64_t socketBufferSize = 0;  // 0: not in the header (older traces)
    int64_t bufferOutputSize = 0;
};

// The header's "topology" lists (traces/FORMAT.md section 3); roles as written.
struct HeaderProcess
{
    std::string role;
    int index = -1;
    int pid = 0;
    int generation = 0;
};
struct HeaderThread
{
    std::string role;
    int index = -1;
    int pid = 0;
    int tid = 0;
    std::string name;
};
struct HeaderPipe
{
    int worker = -1;
    int masterFd = -1;
    int workerFd = -1;
    int reactor = -1;
};
struct HeaderListener
{
    std::string host;
    int port = 0;
    int fd = -1;
};
struct HeaderConnection
{
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::string peer;  // "127.0.0.1:55868"
};

// Line 1 of a trace, decoded by the one line parser.
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
    HeaderSettings settings;
    std::vector<HeaderProcess> processes;
    std::vector<HeaderThread> threads;
    std::vector<HeaderPipe> pipes;
    std::vector<HeaderListener> listeners;
    std::vector<HeaderConnection> connections;
    // Set when nothing after this header can be read (another format, an unreadable or newer
    // major version): the message says why.
    std::string fatal;
    // Set when a size claims more than a server can have (trace_limits.h): readers that size
    // tables from the header refuse it.
    std::string beyondLimits;
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

// One arg of an event, as the kind table types it.
struct TraceArg
{
    const trace::ArgInfo* info = nullptr;
    bool valid = false;  // present with the table's type
    int64_t number = 0;  // Int; Bool as 0 / 1
    std::string text;    // string types
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
    TraceArg args[5];     // the kind table's args, in its order (info == nullptr ends)
    std::string rawArgs;  // the "args" object as written
    std::optional<std::string> payload;

    // args[name] when the table types it Int and the line has an integer, else fallback.
    int64_t intArg(std::string_view name, int64_t fallback = 0) const;
    // args[name] when the table types it as a string and the line has one, else "".
    std::string stringArg(std::string_view name) const;
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
