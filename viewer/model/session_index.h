// Per-session index of a trace: each connection's events (ascending indices) and a summary (ids,
// peer, how and when it closed, requests, bytes, latency), extended in O(new events) after every
// append. Feeds the session list and the sequence diagram. Owner: the GUI thread; not thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rscope::viewer
{

class TraceStore;

// Who ended a connection: the first of peer_close (Client, or Error for a cause other than eof)
// and close_request (Server); a bare close decides by its cause.
enum class Closer : uint8_t
{
    None,
    Client,
    Server,
    Error,
};
const char* closerName(Closer c);  // "", "client", "server", "error"

struct SessionSummary
{
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
    int64_t session = 0;
    int fd = -1;
    int reactor = -1;  // owning reactor thread
    int worker = -1;   // worker of the latest connect_notify / dispatch / close_notify
    std::string peer;  // "ip:port" from accept (or the header's open connections), may be empty
    // Event indices (kNone when absent). closingEvent: the peer_close or close_request that
    // started the close; closeEvent: the close that released the fd.
    uint32_t firstEvent = kNone;
    uint32_t lastEvent = kNone;
    uint32_t acceptEvent = kNone;
    uint32_t registerEvent = kNone;
    uint32_t closingEvent = kNone;
    uint32_t closeEvent = kNone;
    int64_t openedNs = 0;   // ts of the first event
    int64_t closedNs = -1;  // ts of the close (-1 while open)
    Closer closer = Closer::None;
    uint64_t requests = 0;  // reads (or frames) dispatched to a worker
    uint64_t bytesIn = 0;   // bytes read from the client
    uint64_t bytesOut = 0;  // bytes written to the client
    // First read/frame of a request flow to the first reactor_write of the same flow.
    int64_t lastLatencyNs = -1;
    int64_t maxLatencyNs = -1;
};

class SessionIndex
{
  public:
    SessionIndex();
    ~SessionIndex();
    SessionIndex(const SessionIndex&) = delete;
    SessionIndex& operator=(const SessionIndex&) = delete;

    void clear();
    // Indexes events [indexed(), store.size()). The store must be the one indexed so far (call
    // clear() when it is refilled).
    void extend(const TraceStore& store);
    size_t indexed() const { return indexed_; }

    // Sessions in the order of their first event.
    const std::vector<SessionSummary>& sessions() const { return sessions_; }
    const SessionSummary* find(int64_t session) const;
    // Ascending event indices of the session (empty for an unknown one).
    std::span<const uint32_t> eventsOf(int64_t session) const;

    // The session's state after `position` events (Playback::position()): "future" (its first
    // event has not happened), "accepted", "open", "closing" or "closed".
    static const char* stateAt(const SessionSummary& s, size_t position);
    // The session list's filter: every whitespace-separated term must match. A number matches
    // the session id, the fd or the peer's port, "r0" / "w2" the reactor / worker, anything else
    // is a substring (case-insensitive) of the peer, the state at `position` or the closer.
    static bool sessionMatches(const SessionSummary& s, std::string_view filter, size_t position);
    // Up to `max` sessions of the events just before the cursor that are still connected at
    // `position`, newest first; when none is, the session of the newest session event (a request
    // that just closed). Walks back a bounded number of events, so it costs the same on any trace.
    // Takes the store (a refinement of the brief's signature) because "around the cursor" means
    // the sessions that just did something, which only the events say.
    void sessionsActiveAround(const TraceStore& store, size_t position, size_t max,
                              std::vector<int64_t>& out) const;

    size_t memoryBytes() const;  // held for the index (the <= ~8 B/event budget)

  private:
    // The request flow waiting for its first reply. One per session: clients of a request-reply
    // protocol wait for the reply; of pipelined requests the newest is measured, and a request
    // that gets no reply does not block the next one.
    struct Pending
    {
        uint64_t flow = 0;  // 0 = none
        int64_t startNs = 0;
    };
    uint32_t slotFor(const TraceStore& store, int64_t session, uint32_t eventIndex);
    void apply(const TraceStore& store, uint32_t index, uint32_t slot);

    std::vector<SessionSummary> sessions_;
    std::vector<std::vector<uint32_t>> events_;  // parallel to sessions_
    std::vector<Pending> pending_;               // parallel to sessions_
    std::unordered_map<int64_t, uint32_t> slots_;
    std::unordered_map<int64_t, uint32_t> headerConnections_;  // session -> topology index
    bool headerRead_ = false;
    int64_t lastSession_ = 0;  // slotFor's cache: consecutive events often share a session
    uint32_t lastSlot_ = 0;
    size_t indexed_ = 0;
};

}  // namespace rscope::viewer
