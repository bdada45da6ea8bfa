// The per-request sequence diagram as data: lifelines (client, main reactor, reactor thread,
// worker pipe, worker) and one message per hop of the chosen sessions' events, in a window of
// at most N messages around an event. Built per frame from the SessionIndex; plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

class TraceStore;
class SessionIndex;

enum class LifelineKind : uint8_t
{
    Client,
    MainReactor,
    Reactor,
    Pipe,  // a worker's socketpair: written by reactors (to the worker) and the worker (replies)
    Worker,
    Manager,
    TaskWorker,  // model section 10: no reactor reads its pipe, event workers write it
};

struct SequenceLifeline
{
    std::string id;        // "client[1]", "main_reactor", "reactor[0]", "pipe[0->2]", "worker[2]"
    std::string title;     // what the head shows first
    std::string subtitle;  // "pid 10865 tid 10870", "fd 30 127.0.0.1:55868", "fds 9 / 8"
    LifelineKind kind = LifelineKind::Client;
    int64_t session = 0;  // Client
    int index = -1;       // reactor or worker index; a pipe's worker
    int reactor = -1;     // a pipe's polling reactor
};

struct SequenceMessage
{
    static constexpr size_t kNoEvent = static_cast<size_t>(-1);
    size_t eventIndex = kNoEvent;  // the store event; a derived message shares its event's index
    int from = -1;                 // lifeline indices; from == to: a note on one lifeline
    int to = -1;
    std::string fn;        // the swoole function of the step (trace::kindInfo), for reading source
    std::string label;     // "RECV_DATA 60B", "12B \"hello world\\n\"", "fd 30 % 4 = 2"
    int64_t deltaNs = -1;  // since the session's previous event (-1: first, or derived)
    int64_t heldNs = 0;    // of that span, time step mode held the server (not in deltaNs)
    int64_t tsNs = 0;
    int64_t session = 0;
    EventKind kind = EventKind::Count;
    bool derived = false;  // implied by the next event (a pipe pickup), not an event itself
    int activation = 0;    // +1 a callback starts on `to`, -1 it returns
    bool isSelf() const { return from == to; }
};

struct SequenceModel
{
    std::vector<int64_t> sessions;
    std::vector<SequenceLifeline> lifelines;
    std::vector<SequenceMessage> messages;  // in event order
    size_t totalEvents = 0;                 // events of the sessions in the whole trace
    size_t eventsBefore = 0;                // of those, left out before the window
    size_t eventsAfter = 0;                 // and after it
    bool truncatedBefore() const { return eventsBefore > 0; }
    bool truncatedAfter() const { return eventsAfter > 0; }
    int lifelineIndex(const std::string& id) const;  // -1 when absent
};

// The sessions' events in a window of at most `maxMessages` messages around `centerEvent` (half
// before, half after; more on one side when the other runs out). Costs O(sessions * log events +
// maxMessages): a session with a million events is never walked whole.
SequenceModel buildSequence(const TraceStore& store, const SessionIndex& index,
                            std::span<const int64_t> sessions, size_t centerEvent,
                            size_t maxMessages = 200);

// Lifeline ids, shared with the layout and the tests.
std::string lifelineIdClient(int64_t session);
std::string lifelineIdReactor(int reactor);
std::string lifelineIdPipe(int reactor, int worker);
std::string lifelineIdWorker(int worker);
// "task_worker[2]"; a task worker's pipe is "task_pipe[2]" (lifelineIdPipe with reactor -1).
std::string lifelineIdTaskWorker(int worker);
inline constexpr const char* kLifelineMainReactor = "main_reactor";

}  // namespace rscope::viewer
