// What moves on the architecture picture at the cursor: one token per recent hop, or, when events
// come faster than they can be animated, a rate per edge. Pure functions of store + playback.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "viewer/model/architecture_state.h"

namespace rscope::viewer
{

class TraceStore;
class Playback;

// The edges of the architecture picture (seed article, figure 1).
enum class EdgeClass : uint8_t
{
    ClientToMain,     // accept: client -> main reactor (a = session)
    MainToReactor,    // reactor_assign / pipe_write to_reactor_thread: main reactor -> reactor[a]
    ClientToReactor,  // read / peer_close: client (session b) -> reactor[a]
    ReactorToWorker,  // connect_notify, dispatch, pipe_write to_worker, close_notify (a=reactor,
                      // b=worker)
    WorkerToReactor,  // send_request, pipe_write to_reactor, close_request (a=reactor, b=worker)
    ReactorToClient,  // reactor_write, close: reactor[a] -> client (session b)
    ManagerToWorker,  // worker_restart, task_worker_restart: manager -> worker[b]
    // pipe_write to_task_worker / to_worker_forward: a worker (a = the sender's index in the
    // store's actor table) -> worker b over b's pipe: a task, a task's result, a message.
    WorkerToWorker,
};
const char* edgeClassName(EdgeClass c);

struct EdgeKey
{
    EdgeClass cls = EdgeClass::ClientToMain;
    int a = -1;
    int64_t b = -1;
    bool operator==(const EdgeKey&) const = default;
};

// The edge an event travels, if it is a hop (tokens are drawn for these kinds only).
std::optional<EdgeKey> hopEdge(const Event& e);

struct Hop
{
    size_t eventIndex = 0;
    EdgeKey edge;
    double progress = 0.0;  // 0 at the source, 1 at the destination
};

struct EdgeRate
{
    EdgeKey edge;          // client-specific edges are aggregated: b = -1
    uint64_t count = 0;    // hops in the window
    double perSecond = 0;  // per second of trace time
};

// Actors that glow at the cursor (worker in a callback, reactor reading, ...).
struct Glow
{
    Role role = Role::Unknown;
    int index = -1;
    size_t eventIndex = 0;
    double intensity = 0;  // 1 fresh .. 0 faded
};

// The cursor's newest event as a hop, drawn whatever the pace (live, stepped, paused, replayed):
// its edge is marked and its token stays, held at the sender while the message waits in a pipe,
// at the receiver once the receive happened. A receive (worker_receive, reactor_register) shows
// the message it took arriving; events that are neither (a callback, a dispatch decision) have
// no edge.
struct CurrentHop
{
    static constexpr double kHeldAtSender = 0.2;  // progress of a token still in its pipe
    bool valid = false;                           // the cursor has passed an event
    size_t eventIndex = 0;                        // the newest event at the cursor
    bool hasEdge = false;
    EdgeKey edge;
    size_t hopEvent = 0;     // the event whose token travels `edge` (eventIndex, or the send)
    double progress = 0;     // where that token is held when its animation is over
    bool delivered = false;  // the receiver has it (false: it waits in the pipe)
};
// The current hop for the newest event at `position` (events [0, position) have happened).
CurrentHop currentHop(const TraceStore& store, size_t position);

struct Activity
{
    std::vector<Hop> hops;  // empty in rate mode
    CurrentHop current;     // the cursor's event: its hop is in `hops` too (not in rate mode)
    std::vector<Glow> glows;
    bool rateMode = false;        // too many events to animate one by one: draw rates instead
    std::vector<EdgeRate> rates;  // filled in rate mode
    size_t windowEvents = 0;      // events inside the animation window
    double windowNs = 0;          // trace time the window covers
};

// Hops are events of the window [windowStart, position) whose age < token lifetime. More than
// `maxHops` of them switches to rate mode, computed from two cursor states (cumulative counters).
Activity computeActivity(const TraceStore& store, const Playback& playback,
                         const StateTimeline& timeline, const ArchitectureState& atCursor,
                         size_t maxHops = 48);

}  // namespace rscope::viewer
