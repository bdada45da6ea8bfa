// Sequence diagram data: which lifeline sends what to which for each event kind (the hops of
// model sections 3.1-3.9), the window around the center event, and the lifelines' heads.
#include "viewer/model/sequence_model.h"

#include <algorithm>
#include <tuple>

#include "viewer/model/session_index.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

// How far back a reactor_write or close looks for the pipe message it answers: the worker's
// SEND_DATA / CLOSE is at most a few events of the same session earlier.
constexpr size_t kPickupLookback = 16;
// Payload preview characters shown in a label (the whole preview stays in the event details).
constexpr size_t kPreviewChars = 20;
constexpr const char* kPickupFn = "swReactorThread_onPipeReceive";

std::string bytesText(int64_t bytes)
{
    return std::to_string(bytes) + "B";
}

std::string typeBytes(const Event& e)
{
    std::string text = e.pipeType != kNoPipeType ? pipeTypeLabel(e.pipeType) : "message";
    if (e.bytes >= 0) text.append(" ").append(bytesText(e.bytes));
    return text;
}

// The escaped preview, cut without splitting an escape sequence ("\n", "\u00e4").
std::string previewText(std::string_view payload)
{
    if (payload.empty()) return {};
    std::string_view cut = payload;
    bool more = false;
    if (cut.size() > kPreviewChars)
    {
        size_t n = kPreviewChars;
        size_t slash = payload.rfind('\\', n);
        if (slash != std::string_view::npos && slash + 6 > n && slash >= n - 6) n = slash;
        cut = payload.substr(0, n);
        more = true;
    }
    return " \"" + std::string(cut) + (more ? "…\"" : "\"");
}

std::string dispatchText(const Topology& t, const Event& e)
{
    std::string w = std::to_string(e.worker);
    switch (t.dispatchMode)
    {
        case 1:
            return "round robin: worker " + w;
        case 2:
            if (e.fd >= 0 && t.workerNum > 0)
                return "fd " + std::to_string(e.fd) + " % " + std::to_string(t.workerNum) + " = " +
                       w;
            break;
        case 3:
            return "idle worker " + w;
        case 4:
            return "ip % " + std::to_string(t.workerNum) + " = " + w;
        case 5:
            return "uid % " + std::to_string(t.workerNum) + " = " + w;
        default:
            break;
    }
    return "worker " + w;
}

int pollingReactor(const Topology& t, int worker, int fallback)
{
    for (const Pipe& p : t.pipes)
        if (p.worker == worker) return p.reactor;
    return fallback;
}

// Builds one window's messages; lifelines are collected as they are met and sorted at the end.
class Builder
{
  public:
    Builder(const TraceStore& store, SequenceModel& model) : store_(store), m_(model) {}

    void addEvent(size_t index, std::span<const uint32_t> sessionEvents, size_t pos);
    void finish(const SessionIndex& index);

  private:
    int lifeline(LifelineKind kind, int64_t session, int index, int reactor = -1);
    int client(const Event& e) { return lifeline(LifelineKind::Client, e.session, -1); }
    int mainReactor() { return lifeline(LifelineKind::MainReactor, 0, -1); }
    int reactor(int r) { return lifeline(LifelineKind::Reactor, 0, r); }
    int worker(int w) { return lifeline(LifelineKind::Worker, 0, w); }
    int taskWorker(int w) { return lifeline(LifelineKind::TaskWorker, 0, w); }
    int pipe(int w, int writerReactor)
    {
        return lifeline(LifelineKind::Pipe, 0, w,
                        pollingReactor(store_.topology(), w, writerReactor));
    }
    int actorLine(const Event& e);
    int reactorOf(const Event& e);
    SequenceMessage& push(const Event& e, size_t index, int from, int to, std::string label);
    // The worker's pipe message this reactor step picks up, if it is recent enough to find.
    const Event* pickup(std::span<const uint32_t> sessionEvents, size_t pos, const Event& e);

    const TraceStore& store_;
    SequenceModel& m_;
    std::vector<std::tuple<int, int64_t, int, int>> keys_;  // kind, session, index, reactor
    std::vector<int> workerPid_;  // pid seen on a worker's events, by lifeline
};

int Builder::lifeline(LifelineKind kind, int64_t session, int index, int reactor)
{
    auto key = std::make_tuple(static_cast<int>(kind), session, index, reactor);
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == key) return static_cast<int>(i);
    keys_.push_back(key);
    workerPid_.push_back(0);
    return static_cast<int>(keys_.size() - 1);
}

int Builder::reactorOf(const Event& e)
{
    // The reactor thread that emitted it, else the one it names; in base mode (no reactor
    // threads) the worker doing the reactor's work.
    const Actor& a = store_.actorOf(e);
    if (a.role == Role::Reactor && a.index >= 0) return reactor(a.index);
    if (e.reactor >= 0 && a.role != Role::Worker) return reactor(e.reactor);
    return actorLine(e);
}

int Builder::actorLine(const Event& e)
{
    const Actor& a = store_.actorOf(e);
    switch (a.role)
    {
        case Role::Master:
            return mainReactor();
        case Role::Reactor:
            return reactor(a.index >= 0 ? a.index : e.reactor);
        case Role::Worker:
        {
            int line = worker(a.index >= 0 ? a.index : e.worker);
            workerPid_[line] = a.pid;
            return line;
        }
        case Role::TaskWorker:
        {
            int line = taskWorker(a.index >= 0 ? a.index : e.worker);
            workerPid_[line] = a.pid;
            return line;
        }
        case Role::Manager:
            return lifeline(LifelineKind::Manager, 0, -1);
        case Role::Unknown:
            break;
    }
    return e.reactor >= 0 ? reactor(e.reactor) : mainReactor();
}

SequenceMessage& Builder::push(const Event& e, size_t index, int from, int to, std::string label)
{
    SequenceMessage msg;
    msg.eventIndex = index;
    msg.from = from;
    msg.to = to;
    msg.fn = eventFn(e);
    msg.label = std::move(label);
    msg.tsNs = e.tsNs;
    msg.session = e.session;
    msg.kind = e.kind;
    m_.messages.push_back(std::move(msg));
    return m_.messages.back();
}

const Event* Builder::pickup(std::span<const uint32_t> sessionEvents, size_t pos, const Event& e)
{
    // A reply names its pipe message (msg_id); a close takes the worker's latest CLOSE unless an
    // earlier close already did.
    bool close = e.kind == EventKind::Close;
    size_t stop = pos > kPickupLookback ? pos - kPickupLookback : 0;
    for (size_t k = pos; k > stop; --k)
    {
        const Event& p = store_[sessionEvents[k - 1]];
        if (p.kind == e.kind && (close || e.msgId == 0)) return nullptr;
        if (p.kind != EventKind::PipeWrite || p.direction != Direction::ToReactor) continue;
        if (close ? isCloseType(p.pipeType)
                  : (e.msgId != 0 ? p.msgId == e.msgId : p.pipeType == PipeType::SendData))
            return &p;
    }
    return nullptr;
}

void Builder::addEvent(size_t index, std::span<const uint32_t> sessionEvents, size_t pos)
{
    const Event& e = store_[index];
    const Topology& t = store_.topology();
    // Step mode's held time is the learner's, not the server's: left out of the delta, kept
    // apart so the arrow can say how long the server stood held there.
    int64_t prevNs = pos > 0 ? store_[sessionEvents[pos - 1]].tsNs : 0;
    int64_t delta = pos > 0 ? store_.held().activeNs(prevNs, e.tsNs) : -1;
    int64_t held = pos > 0 ? store_.held().heldNs(prevNs, e.tsNs) : 0;
    size_t before = m_.messages.size();
    std::string fd = std::to_string(e.fd);
    switch (e.kind)
    {
        case EventKind::Accept:
            push(e, index, client(e), mainReactor(), "accept fd " + fd);
            break;
        case EventKind::ReactorAssign:
        {
            std::string text = "reactor " + std::to_string(e.reactor);
            if (t.reactorNum > 0 && e.fd >= 0)
                text = "fd " + fd + " % " + std::to_string(t.reactorNum) + " = " + text;
            push(e, index, mainReactor(), mainReactor(), text);
            break;
        }
        case EventKind::ReactorRegister:
            push(e, index, reactorOf(e), reactorOf(e), "epoll add fd " + fd);
            break;
        case EventKind::ConnectNotify:
            push(e, index, reactorOf(e), reactorOf(e),
                 "CONNECT for worker " + std::to_string(e.worker));
            break;
        case EventKind::CloseNotify:
            push(e, index, reactorOf(e), reactorOf(e),
                 "CLOSE for worker " + std::to_string(e.worker));
            break;
        case EventKind::Read:
            push(e, index, client(e), reactorOf(e),
                 bytesText(e.bytes) + previewText(store_.payload(e)));
            break;
        case EventKind::Frame:
            push(e, index, reactorOf(e), reactorOf(e),
                 "frame " + bytesText(e.bytes) + previewText(store_.payload(e)));
            break;
        case EventKind::FrameError:
            push(e, index, reactorOf(e), reactorOf(e),
                 std::string("frame error: ") + trace::causeName(e.cause));
            break;
        case EventKind::Dispatch:
            push(e, index, reactorOf(e), reactorOf(e), dispatchText(t, e));
            break;
        case EventKind::PipeWrite:
        {
            int from = actorLine(e);
            int to = e.direction == Direction::ToReactorThread ? reactor(e.reactor)
                                                               : pipe(e.worker, e.reactor);
            push(e, index, from, to, typeBytes(e));
            break;
        }
        case EventKind::WorkerReceive:
        {
            int w = actorLine(e);
            int self = std::get<2>(keys_[w]);
            push(e, index, pipe(self, e.reactor), w, typeBytes(e));
            break;
        }
        case EventKind::CallbackEnter:
        case EventKind::CallbackExit:
        {
            bool enter = e.kind == EventKind::CallbackEnter;
            int w = actorLine(e);
            std::string name = callbackLabel(e.callback);
            SequenceMessage& msg = push(e, index, w, w, enter ? name : name + " returns");
            msg.activation = enter ? 1 : -1;
            break;
        }
        case EventKind::SendRequest:
            push(e, index, actorLine(e), actorLine(e),
                 "send(" + std::to_string(e.session) + ", " + bytesText(e.bytes) + ")");
            break;
        case EventKind::CloseRequest:
            push(e, index, actorLine(e), actorLine(e), "close(" + std::to_string(e.session) + ")");
            break;
        case EventKind::ReactorWrite:
        case EventKind::Close:
        {
            int r = reactorOf(e);
            if (const Event* p = pickup(sessionEvents, pos, e))
            {
                SequenceMessage& msg = push(e, index, pipe(p->worker, e.reactor), r, typeBytes(*p));
                msg.fn = kPickupFn;
                msg.derived = true;
            }
            std::string text = e.kind == EventKind::ReactorWrite
                                   ? bytesText(e.bytes)
                                   : "close fd " + fd + " (" + trace::causeName(e.cause) + ")";
            push(e, index, r, client(e), text);
            break;
        }
        case EventKind::PeerClose:
        {
            auto cause = static_cast<trace::Cause>(e.cause);
            if (cause == trace::Cause::Protocol || cause == trace::Cause::Heartbeat)
                push(e, index, reactorOf(e), reactorOf(e),
                     std::string("drop: ") + trace::causeName(e.cause));
            else
                push(e, index, client(e), reactorOf(e),
                     cause == trace::Cause::Eof || cause == trace::Cause::None
                         ? "FIN"
                         : std::string("RST (") + trace::causeName(e.cause) + ")");
            break;
        }
        case EventKind::BufferFull:
        case EventKind::BufferDrain:
            push(e, index, reactorOf(e), reactorOf(e),
                 e.kind == EventKind::BufferFull ? "output buffer full" : "output buffer drained");
            break;
        case EventKind::TaskDispatch:
            push(e, index, actorLine(e), actorLine(e),
                 "task() -> task_worker[" + std::to_string(e.worker) + "]" +
                     (store_.args(e).find("\"idle\":true") != std::string_view::npos
                          ? " (idle)"
                          : " (all busy)"));
            break;
        case EventKind::TaskFinish:
            push(e, index, actorLine(e), actorLine(e),
                 "finish(" + bytesText(std::max(0, e.bytes)) + ") -> worker[" +
                     std::to_string(e.worker) + "]");
            break;
        case EventKind::Discard:
            push(e, index, actorLine(e), actorLine(e),
                 std::string("discard ") + bytesText(std::max(0, e.bytes)) + " (" +
                     trace::causeName(e.cause) + ")");
            break;
        default:
            push(e, index, actorLine(e), actorLine(e), trace::kindInfo(e.kind).name);
            break;
    }
    // The hop's delta goes on the event's own message; a derived pickup has no time of its own.
    for (size_t i = before; i < m_.messages.size(); ++i)
        if (!m_.messages[i].derived)
        {
            m_.messages[i].deltaNs = delta;
            m_.messages[i].heldNs = held;
        }
}

void Builder::finish(const SessionIndex& index)
{
    for (int64_t s : m_.sessions) lifeline(LifelineKind::Client, s, -1);
    // Lifelines of the messages left in the window, and every session's client.
    std::vector<bool> used(keys_.size(), false);
    for (const SequenceMessage& msg : m_.messages) used[msg.from] = used[msg.to] = true;
    for (size_t i = 0; i < keys_.size(); ++i)
        if (std::get<0>(keys_[i]) == static_cast<int>(LifelineKind::Client)) used[i] = true;
    std::vector<int> order;
    for (size_t i = 0; i < keys_.size(); ++i)
        if (used[i]) order.push_back(static_cast<int>(i));
    // Left to right as a request travels: clients, main reactor, reactor threads, pipes (by
    // worker, so each sits next to the workers' column), workers, then a task's way on: task
    // pipes, task workers; the manager last.
    auto column = [](int kind, int reactor)
    {
        switch (static_cast<LifelineKind>(kind))
        {
            case LifelineKind::Pipe:
                return reactor < 0 ? 5 : 3;
            case LifelineKind::Worker:
                return 4;
            case LifelineKind::TaskWorker:
                return 6;
            case LifelineKind::Manager:
                return 7;
            default:
                return kind;  // client 0, main reactor 1, reactor 2
        }
    };
    std::sort(order.begin(), order.end(),
              [&](int a, int b)
              {
                  auto [ka, sa, ia, ra] = keys_[a];
                  auto [kb, sb, ib, rb] = keys_[b];
                  int ca = column(ka, ra), cb = column(kb, rb);
                  return std::tie(ca, sa, ia, ra) < std::tie(cb, sb, ib, rb);
              });
    std::vector<int> rank(keys_.size(), -1);
    for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<int>(i);
    for (SequenceMessage& msg : m_.messages)
    {
        msg.from = rank[msg.from];
        msg.to = rank[msg.to];
    }
    const Topology& t = store_.topology();
    auto threadOf = [&](Role role, int idx) -> const Actor*
    {
        for (const Actor& a : t.threads)
            if (a.role == role && a.index == idx) return &a;
        return nullptr;
    };
    for (int k : order)
    {
        auto [kind, session, idx, reactor] = keys_[k];
        SequenceLifeline line;
        line.kind = static_cast<LifelineKind>(kind);
        line.session = session;
        line.index = idx;
        line.reactor = reactor;
        switch (line.kind)
        {
            case LifelineKind::Client:
            {
                line.id = line.title = lifelineIdClient(session);
                const SessionSummary* s = index.find(session);
                if (s != nullptr)
                    line.subtitle =
                        (s->peer.empty() ? "" : s->peer + "  ") + "fd " + std::to_string(s->fd);
                break;
            }
            case LifelineKind::MainReactor:
                line.id = kLifelineMainReactor;
                line.title = "main reactor";
                if (const Actor* a = threadOf(Role::Master, -1))
                    line.subtitle =
                        "master pid " + std::to_string(a->pid) + " tid " + std::to_string(a->tid);
                break;
            case LifelineKind::Reactor:
                line.id = line.title = lifelineIdReactor(idx);
                if (const Actor* a = threadOf(Role::Reactor, idx))
                    line.subtitle =
                        "pid " + std::to_string(a->pid) + " tid " + std::to_string(a->tid);
                break;
            case LifelineKind::TaskWorker:
            {
                line.id = line.title = lifelineIdTaskWorker(idx);
                int pid = workerPid_[k];
                for (const Process& p : t.processes)
                    if (pid == 0 && p.role == Role::TaskWorker && p.index == idx) pid = p.pid;
                if (pid != 0) line.subtitle = "pid " + std::to_string(pid);
                break;
            }
            case LifelineKind::Pipe:
                line.id = line.title = lifelineIdPipe(reactor, idx);
                for (const Pipe& p : t.pipes)
                    if (p.worker == idx)
                        line.subtitle = "socketpair fds " + std::to_string(p.masterFd) + " / " +
                                        std::to_string(p.workerFd);
                break;
            case LifelineKind::Worker:
            {
                line.id = line.title = lifelineIdWorker(idx);
                int pid = workerPid_[k];
                for (const Process& p : t.processes)
                    if (pid == 0 && p.role == Role::Worker && p.index == idx) pid = p.pid;
                if (pid != 0) line.subtitle = "pid " + std::to_string(pid);
                break;
            }
            case LifelineKind::Manager:
                line.id = line.title = "manager";
                break;
        }
        m_.lifelines.push_back(std::move(line));
    }
}

}  // namespace

int SequenceModel::lifelineIndex(const std::string& id) const
{
    for (size_t i = 0; i < lifelines.size(); ++i)
        if (lifelines[i].id == id) return static_cast<int>(i);
    return -1;
}

std::string lifelineIdClient(int64_t session)
{
    return "client[" + std::to_string(session) + "]";
}
std::string lifelineIdReactor(int reactor)
{
    return "reactor[" + std::to_string(reactor) + "]";
}
std::string lifelineIdPipe(int reactor, int worker)
{
    if (reactor < 0) return "task_pipe[" + std::to_string(worker) + "]";
    return "pipe[" + std::to_string(reactor) + "->" + std::to_string(worker) + "]";
}
std::string lifelineIdTaskWorker(int worker)
{
    return "task_worker[" + std::to_string(worker) + "]";
}
std::string lifelineIdWorker(int worker)
{
    return "worker[" + std::to_string(worker) + "]";
}

SequenceModel buildSequence(const TraceStore& store, const SessionIndex& index,
                            std::span<const int64_t> sessions, size_t centerEvent,
                            size_t maxMessages)
{
    SequenceModel m;
    maxMessages = std::max<size_t>(maxMessages, 2);
    struct Candidate
    {
        uint32_t event;
        uint32_t list;  // index into lists
        uint32_t pos;   // position in that session's events
    };
    std::vector<std::span<const uint32_t>> lists;
    std::vector<Candidate> candidates;
    for (int64_t s : sessions)
    {
        if (s == 0 || std::find(m.sessions.begin(), m.sessions.end(), s) != m.sessions.end())
            continue;
        m.sessions.push_back(s);
        std::span<const uint32_t> ev = index.eventsOf(s);
        // Every event gives at least one message, so maxMessages events on each side of the
        // center fill any window: the rest of a long session is never looked at.
        size_t pos =
            static_cast<size_t>(std::lower_bound(ev.begin(), ev.end(), centerEvent) - ev.begin());
        size_t lo = pos > maxMessages ? pos - maxMessages : 0;
        size_t hi = std::min(ev.size(), pos + maxMessages);
        for (size_t k = lo; k < hi; ++k)
            candidates.push_back(
                {ev[k], static_cast<uint32_t>(lists.size()), static_cast<uint32_t>(k)});
        lists.push_back(ev);
        m.totalEvents += ev.size();
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.event < b.event; });

    Builder builder(store, m);
    for (const Candidate& c : candidates)
        if (c.event < store.size()) builder.addEvent(c.event, lists[c.list], c.pos);

    // The window of messages: half before the center, the rest after, shifted when a side is
    // short; a derived pickup is never separated from the event it belongs to.
    std::vector<SequenceMessage>& msgs = m.messages;
    size_t center = static_cast<size_t>(std::find_if(msgs.begin(), msgs.end(),
                                                     [&](const SequenceMessage& x)
                                                     { return x.eventIndex >= centerEvent; }) -
                                        msgs.begin());
    size_t lo = center > maxMessages / 2 ? center - maxMessages / 2 : 0;
    size_t hi = std::min(msgs.size(), lo + maxMessages);
    lo = hi > maxMessages ? hi - maxMessages : 0;
    if (lo > 0 && lo < msgs.size() && !msgs[lo].derived && msgs[lo - 1].derived &&
        msgs[lo - 1].eventIndex == msgs[lo].eventIndex)
        ++lo;
    if (hi > lo && msgs[hi - 1].derived) --hi;
    msgs.erase(msgs.begin() + static_cast<std::ptrdiff_t>(hi), msgs.end());
    msgs.erase(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(lo));

    if (!msgs.empty())
    {
        size_t first = msgs.front().eventIndex, last = msgs.back().eventIndex;
        for (std::span<const uint32_t> ev : lists)
        {
            m.eventsBefore +=
                static_cast<size_t>(std::lower_bound(ev.begin(), ev.end(), first) - ev.begin());
            m.eventsAfter +=
                static_cast<size_t>(ev.end() - std::upper_bound(ev.begin(), ev.end(), last));
        }
    }
    else
    {
        for (std::span<const uint32_t> ev : lists) m.eventsBefore += ev.size();
    }
    builder.finish(index);
    return m;
}

}  // namespace rscope::viewer
