// computeActivity: the tokens, glows and rates of the architecture picture at the cursor, from
// the events of the animation window only (never the whole trace), so it can run every frame.
#include "viewer/model/activity.h"

#include <algorithm>

#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

// A window longer than maxHops * kScanFactor events is drawn as rates without looking for hops:
// at any realistic mix it holds more than maxHops of them, and scanning it could be O(trace).
constexpr size_t kScanFactor = 64;
// In rate mode only the newest events are scanned for glows; older ones have faded anyway.
constexpr size_t kGlowScanEvents = 4096;
// How far a receive looks back for the send it took, and a send ahead for its receive.
constexpr size_t kMatchScan = 4096;

// The pipe_write a receive took: by msg_id (worker_receive), or the hand-off of the session
// (reactor_register takes the main reactor's INCOMING message). kNone when not found.
constexpr size_t kNone = static_cast<size_t>(-1);
size_t sendOf(const TraceStore& store, size_t receive)
{
    const Event& r = store[receive];
    size_t stop = receive > kMatchScan ? receive - kMatchScan : 0;
    for (size_t i = receive; i-- > stop;)
    {
        const Event& s = store[i];
        if (s.kind != EventKind::PipeWrite) continue;
        if (r.kind == EventKind::WorkerReceive &&
            (s.direction == Direction::ToWorker || s.direction == Direction::ToWorkerForward ||
             s.direction == Direction::ToTaskWorker) &&
            (r.msgId != 0 ? s.msgId == r.msgId : s.worker == r.worker && s.pipeType == r.pipeType))
            return i;
        if (r.kind == EventKind::ReactorRegister && s.direction == Direction::ToReactorThread &&
            s.session == r.session)
            return i;
    }
    return kNone;
}

// Whether the message pipe_write `send` carries was taken before `position`: the worker's
// worker_receive (by msg_id), the reactor's use of a reply (an event with its msg_id, or the
// session's close for a CLOSE), the reactor thread's reactor_register of a hand-off.
bool receivedBefore(const TraceStore& store, size_t send, size_t position)
{
    const Event& s = store[send];
    size_t end = std::min(position, send + 1 + kMatchScan);
    for (size_t i = send + 1; i < end; ++i)
    {
        const Event& r = store[i];
        switch (s.direction)
        {
            case Direction::ToWorker:
            case Direction::ToWorkerForward:
            case Direction::ToTaskWorker:
                if (r.kind == EventKind::WorkerReceive &&
                    (s.msgId != 0 ? r.msgId == s.msgId
                                  : r.worker == s.worker && r.pipeType == s.pipeType))
                    return true;
                break;
            case Direction::ToReactor:
                if (isCloseType(s.pipeType)
                        ? (r.kind == EventKind::Close || r.kind == EventKind::Discard) &&
                              r.session == s.session
                        : s.msgId != 0 && r.msgId == s.msgId && r.actor != s.actor)
                    return true;
                break;
            case Direction::ToReactorThread:
                if (r.kind == EventKind::ReactorRegister && r.session == s.session) return true;
                break;
            default:
                return true;  // no edge of its own: nothing to wait for
        }
    }
    return false;
}

double fade(double ageSec, double lifetimeSec)
{
    return std::clamp(ageSec / lifetimeSec, 0.0, 1.0);
}

bool isGlowKind(EventKind k)
{
    switch (k)
    {
        case EventKind::CallbackEnter:
        case EventKind::CallbackExit:
        case EventKind::WorkerReceive:
        case EventKind::Read:
        case EventKind::Dispatch:
        case EventKind::Accept:
            return true;
        default:
            return false;
    }
}

// Who glows: the emitting thread when it is known (in base mode a worker reads and accepts),
// otherwise the role the kind implies in process mode.
void glowActor(const TraceStore& store, const Event& e, Role& role, int& index)
{
    if (e.actor < store.actors().size() && store.actors()[e.actor].role != Role::Unknown)
    {
        role = store.actors()[e.actor].role;
        index = store.actors()[e.actor].index;
        return;
    }
    switch (e.kind)
    {
        case EventKind::Accept:
            role = Role::Master;
            index = -1;
            break;
        case EventKind::Read:
        case EventKind::Dispatch:
            role = Role::Reactor;
            index = e.reactor;
            break;
        default:
            role = Role::Worker;
            index = e.worker;
            break;
    }
}

void addGlow(Activity& act, const TraceStore& store, size_t i, double ageSec, double lifetimeSec)
{
    Role role;
    int index;
    glowActor(store, store[i], role, index);
    // Scanned newest first: the first glow of an actor is its freshest.
    for (const Glow& g : act.glows)
        if (g.role == role && g.index == index) return;
    act.glows.push_back(Glow{role, index, i, 1.0 - fade(ageSec, lifetimeSec)});
}

void addRate(std::vector<EdgeRate>& out, EdgeKey edge, uint64_t now, uint64_t before, double sec)
{
    if (now <= before) return;
    EdgeRate r;
    r.edge = edge;
    r.count = now - before;
    r.perSecond = sec > 0 ? static_cast<double>(r.count) / sec : 0.0;
    out.push_back(r);
}

// Hops per edge between two states are differences of their cumulative counters. Each counter
// counts the event that carries the token (see hopEdge); ReactorToWorker and WorkerToReactor are
// keyed by the pipe (its reactor and worker), and to_worker_forward messages count with to_worker.
void edgeRates(const ArchitectureState& now, const ArchitectureState& before, double sec,
               std::vector<EdgeRate>& out)
{
    addRate(out, {EdgeClass::ClientToMain, -1, -1}, now.accepted(), before.accepted(), sec);
    size_t reactors = std::min(now.reactors().size(), before.reactors().size());
    for (size_t r = 0; r < reactors; ++r)
    {
        const ReactorState& a = now.reactors()[r];
        const ReactorState& b = before.reactors()[r];
        int ri = static_cast<int>(r);
        addRate(out, {EdgeClass::MainToReactor, ri, -1}, a.handoffs, b.handoffs, sec);
        addRate(out, {EdgeClass::ClientToReactor, ri, -1}, a.reads + a.peerCloses,
                b.reads + b.peerCloses, sec);
        addRate(out, {EdgeClass::ReactorToClient, ri, -1}, a.writes + a.closes, b.writes + b.closes,
                sec);
    }
    size_t pipes = std::min(now.pipes().size(), before.pipes().size());
    for (size_t p = 0; p < pipes; ++p)
    {
        const PipeState& a = now.pipes()[p];
        const PipeState& b = before.pipes()[p];
        addRate(out, {EdgeClass::ReactorToWorker, a.reactor, a.worker}, a.toWorker, b.toWorker,
                sec);
        addRate(out, {EdgeClass::WorkerToReactor, a.reactor, a.worker}, a.toReactor, b.toReactor,
                sec);
    }
    size_t workers = std::min(now.workers().size(), before.workers().size());
    for (size_t w = 0; w < workers; ++w)
        addRate(out, {EdgeClass::ManagerToWorker, -1, static_cast<int64_t>(w)},
                now.workers()[w].restarts, before.workers()[w].restarts, sec);
}

// The current hop's token never fades: once its flight is over it stays where CurrentHop holds
// it, and a message still in its pipe never flies past the sender's end.
void keepCurrentToken(Activity& act)
{
    const CurrentHop& c = act.current;
    if (!c.hasEdge) return;
    for (Hop& h : act.hops)
    {
        if (h.eventIndex != c.hopEvent) continue;
        if (!c.delivered)
            h.progress = std::min(h.progress, c.progress);
        else if (c.hopEvent != c.eventIndex)
            h.progress = 1.0;  // the cursor is on the receive: the message is there
        return;
    }
    act.hops.push_back(Hop{c.hopEvent, c.edge, c.progress});
}

}  // namespace

const char* edgeClassName(EdgeClass c)
{
    switch (c)
    {
        case EdgeClass::ClientToMain:
            return "client->main";
        case EdgeClass::MainToReactor:
            return "main->reactor";
        case EdgeClass::ClientToReactor:
            return "client->reactor";
        case EdgeClass::ReactorToWorker:
            return "reactor->worker";
        case EdgeClass::WorkerToReactor:
            return "worker->reactor";
        case EdgeClass::ReactorToClient:
            return "reactor->client";
        case EdgeClass::ManagerToWorker:
            return "manager->worker";
        case EdgeClass::WorkerToWorker:
            return "worker->worker";
    }
    return "?";
}

// One token per real hop. A message between threads or processes is stamped twice: the decision
// (reactor_assign, connect_notify, dispatch, close_notify, send_request, close_request) and then
// the pipe_write that carries it. The pipe_write is the hop, since it also exists for the
// messages without a decision event; the decision events only make their actor glow. A
// pipe_write names the pipe by `worker`, so a reply riding another worker's pipe (process model
// 3.7) flies on that pipe's edge. Worker-to-worker forwards have no edge in the picture.
std::optional<EdgeKey> hopEdge(const Event& e)
{
    switch (e.kind)
    {
        case EventKind::Accept:
            return EdgeKey{EdgeClass::ClientToMain, static_cast<int>(e.session), -1};
        case EventKind::Read:
        case EventKind::PeerClose:
            return EdgeKey{EdgeClass::ClientToReactor, e.reactor, e.session};
        case EventKind::ReactorWrite:
        case EventKind::Close:
            return EdgeKey{EdgeClass::ReactorToClient, e.reactor, e.session};
        case EventKind::WorkerRestart:
        case EventKind::TaskWorkerRestart:
            return EdgeKey{EdgeClass::ManagerToWorker, -1, e.worker};
        case EventKind::PipeWrite:
            switch (e.direction)
            {
                case Direction::ToWorker:
                    return EdgeKey{EdgeClass::ReactorToWorker, e.reactor, e.worker};
                case Direction::ToReactor:
                    return EdgeKey{EdgeClass::WorkerToReactor, e.reactor, e.worker};
                case Direction::ToReactorThread:
                    return EdgeKey{EdgeClass::MainToReactor, e.reactor, -1};
                case Direction::ToTaskWorker:
                case Direction::ToWorkerForward:
                    return EdgeKey{EdgeClass::WorkerToWorker, e.actor, e.worker};
                default:
                    return std::nullopt;
            }
        default:
            return std::nullopt;
    }
}

CurrentHop currentHop(const TraceStore& store, size_t position)
{
    CurrentHop c;
    position = std::min(position, store.size());
    if (position == 0) return c;
    c.valid = true;
    c.eventIndex = position - 1;
    const Event& e = store[c.eventIndex];
    size_t hop = kNone;
    if (hopEdge(e))
        hop = c.eventIndex;
    else if (e.kind == EventKind::WorkerReceive || e.kind == EventKind::ReactorRegister)
        hop = sendOf(store, c.eventIndex);
    if (hop == kNone) return c;
    std::optional<EdgeKey> edge = hopEdge(store[hop]);
    if (!edge) return c;
    c.hasEdge = true;
    c.edge = *edge;
    c.hopEvent = hop;
    // Only a pipe message waits between its send and its receive; the other hops are events
    // of the side that got them (accept, read) or go straight into the client's socket.
    c.delivered = store[hop].kind != EventKind::PipeWrite || receivedBefore(store, hop, position);
    c.progress = c.delivered ? 1.0 : CurrentHop::kHeldAtSender;
    return c;
}

Activity computeActivity(const TraceStore& store, const Playback& playback,
                         const StateTimeline& timeline, const ArchitectureState& atCursor,
                         size_t maxHops)
{
    Activity act;
    const size_t pos = std::min(playback.position(), store.size());
    const double lifetime = playback.tokenLifetimeSec();
    act.current = currentHop(store, pos);
    if (pos == 0 || !(lifetime > 0)) return act;

    const size_t start = std::min(playback.windowStart(store, lifetime), pos);
    act.windowEvents = pos - start;
    if (act.windowEvents > 0)
        act.windowNs =
            static_cast<double>(std::max<int64_t>(0, store[pos - 1].tsNs - store[start].tsNs));

    act.rateMode = act.windowEvents > std::max<size_t>(maxHops, 1) * kScanFactor;
    const size_t scanFrom =
        act.rateMode ? pos - std::min(act.windowEvents, kGlowScanEvents) : start;
    for (size_t i = pos; i-- > scanFrom;)
    {
        const Event& e = store[i];
        double age = playback.ageSec(store, i);
        if (age < 0 || age >= lifetime) continue;
        if (isGlowKind(e.kind)) addGlow(act, store, i, age, lifetime);
        if (act.rateMode) continue;
        if (auto edge = hopEdge(e))
        {
            if (act.hops.size() == maxHops)
            {
                act.rateMode = true;  // keep scanning: the older glows are still wanted
                continue;
            }
            act.hops.push_back(Hop{i, *edge, fade(age, lifetime)});
        }
    }

    if (!act.rateMode)
    {
        std::reverse(act.hops.begin(), act.hops.end());  // oldest first: newer tokens drawn on top
        keepCurrentToken(act);
        return act;
    }
    act.hops.clear();
    // Two states instead of a scan: O(keyframe interval) however many events the window holds.
    ArchitectureState before;
    timeline.stateAt(store, start, before);
    const double sec = act.windowNs / 1e9;
    if (atCursor.applied() == pos)
    {
        edgeRates(atCursor, before, sec, act.rates);
    }
    else
    {
        ArchitectureState now;  // a caller whose cursor state lags: still correct, slower
        timeline.stateAt(store, pos, now);
        edgeRates(now, before, sec, act.rates);
    }
    return act;
}

}  // namespace rscope::viewer
