// All events of one trace (a file, or a live session kept as a recording), in seq order, with
// the interned actors, the header topology and the errors met while reading.
// Owner: the GUI thread (the live socket thread never touches it). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/format/held_time.h"
#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

// A line that could not be used: "FILE:LINE: message" is what the UI and the log show.
struct ParseError
{
    std::string file;
    uint64_t line = 0;
    std::string message;
    std::string text() const;  // "file:line: message"
};

class TraceStore
{
  public:
    TraceStore();
    ~TraceStore();
    TraceStore(const TraceStore&) = delete;
    TraceStore& operator=(const TraceStore&) = delete;

    void clear();
    void setTopology(Topology topology);
    const Topology& topology() const { return topology_; }
    bool hasHeader() const { return hasHeader_; }

    // Appends an event; events arrive in seq order (the collector merges by time). The args and
    // payload text are copied into the arena. Returns false (and counts) for an out-of-order seq.
    // Step-gate events (gate_hold, gate_step, gate_release) are not events of the server: they
    // go to held() only, so stepping, the cursor and every index see the server's events alone.
    bool append(Event event, std::string_view argsJson, std::string_view payload);
    // Time the server was held in live step mode (durations subtract it) and the gate events.
    const HeldTime& held() const { return held_; }
    uint64_t gateEvents() const { return gateEvents_; }
    uint64_t rejected() const { return rejected_; }  // appends refused (seq order, arena full)
    uint16_t internActor(const Actor& actor);
    // Capacity for a load whose size is known (the reader estimates it from the file size), so
    // that doubling does not leave up to half of the vectors unused.
    void reserve(size_t events, size_t textBytes);

    size_t size() const { return events_.size(); }
    const Event& operator[](size_t i) const { return events_[i]; }
    const std::vector<Event>& events() const { return events_; }
    const std::vector<Actor>& actors() const { return actors_; }
    const Actor& actorOf(const Event& e) const { return actors_[e.actor]; }
    std::string_view args(const Event& e) const;
    std::string_view payload(const Event& e) const;

    // First event index with tsNs >= t (size() when none): events are in ts order.
    size_t lowerBoundNs(int64_t t) const;
    int64_t firstNs() const;
    int64_t lastNs() const;

    // Dropped-event notices from the trace itself (trace_dropped) and lines skipped by the reader.
    uint64_t droppedByServer() const { return droppedByServer_; }
    void addDroppedByServer(uint64_t n) { droppedByServer_ += n; }
    const std::vector<ParseError>& errors() const { return errors_; }
    uint64_t errorCount() const { return errorCount_; }
    void addError(ParseError error);  // keeps the first 1000, counts all
    uint64_t unknownKinds() const { return unknownKinds_; }
    void addUnknownKind() { ++unknownKinds_; }

    // Bytes held for events and text (the <= ~200 B/event budget is measured with this).
    size_t memoryBytes() const;

  private:
    Topology topology_;
    bool hasHeader_ = false;
    std::vector<Event> events_;
    std::vector<Actor> actors_;
    uint16_t lastActor_ = 0;   // internActor's cache: consecutive events often share an actor
    std::vector<char> arena_;  // args and payload text, referenced by offset
    std::vector<ParseError> errors_;
    uint64_t errorCount_ = 0;
    uint64_t unknownKinds_ = 0;
    uint64_t droppedByServer_ = 0;
    uint64_t rejected_ = 0;
    HeldTime held_;
    uint64_t gateEvents_ = 0;
};

}  // namespace rscope::viewer
