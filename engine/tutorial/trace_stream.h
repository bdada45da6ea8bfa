// TraceStream: a client of the server's trace socket for lessons: splits JSON Lines, decodes each
// event (the format's LineParser) into a StreamEvent (EventFacts for CheckpointTracker) and keeps
// worker n's current pid (header topology, worker_start, worker_restart) for actions such as
// kill_worker. Owner: the thread that polls it. Thread-safety: none.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/format/line_parser.h"
#include "engine/tutorial/checkpoint_tracker.h"

namespace rscope::tutorial
{

// One event line, decoded and owned.
struct StreamEvent
{
    uint64_t seq = 0;
    int64_t tsNs = 0;
    std::string kind;
    std::string role;
    int index = -1;
    pid_t pid = 0;
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::optional<int64_t> worker;
    std::optional<uint64_t> msgId;
    // Every arg as matcher text, in the line's order (LineParser::argTexts).
    std::vector<std::pair<std::string, std::string>> args;

    // A view for CheckpointTracker; valid while this event lives.
    EventFacts facts() const;
    // args.<key> as matcher text ("RECV_DATA", "12", "true").
    std::optional<std::string> argText(std::string_view key) const;
};

// Decodes one event line with the format's LineParser; false for the header, trace_end, other
// line types, bad JSON and events without a "kind" string or an "actor" object (other fields are
// read when well typed: a lesson matches what it can).
bool parseEventLine(tracefile::LineParser& parser, std::string_view line, StreamEvent& out);
// The same with a parser of its own (for a few lines).
bool parseEventLine(std::string_view line, StreamEvent& out);

class TraceStream
{
  public:
    TraceStream() = default;
    ~TraceStream();
    TraceStream(const TraceStream&) = delete;
    TraceStream& operator=(const TraceStream&) = delete;

    // Connects to "host:port"; false with `error` set.
    bool connect(const std::string& address, int timeoutMs, std::string& error);
    // Waits at most timeoutMs for bytes, then hands every whole event line to onEvent (the
    // header is taken in). False once the server closed the stream (or it was never opened).
    bool poll(int timeoutMs, const std::function<void(const StreamEvent&)>& onEvent);
    bool open() const { return fd_ >= 0; }
    bool hasHeader() const { return hasHeader_; }
    // Worker n's pid as the trace last showed it; 0 when unknown.
    pid_t workerPid(int worker) const;
    void close();
    // Every whole line as received (header included), before it is decoded: for a recorder.
    void setLineSink(std::function<void(std::string_view line)> sink)
    {
        lineSink_ = std::move(sink);
    }

  private:
    void takeLine(std::string_view line, const std::function<void(const StreamEvent&)>& onEvent);
    void takeHeader(const tracefile::TraceHeader& header);

    int fd_ = -1;
    std::string partial_;
    bool hasHeader_ = false;
    std::map<int, pid_t> workerPids_;
    std::function<void(std::string_view)> lineSink_;
    tracefile::LineParser parser_;
    tracefile::DecodedLine header_;  // line 1, decoded
};

// A connected TCP socket to "host:port" (blocking connect bounded by timeoutMs); -1 and `error`.
int connectTcp(const std::string& address, int timeoutMs, std::string& error);

}  // namespace rscope::tutorial
