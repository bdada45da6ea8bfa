// Test traces for the derived-state tests: the article trace through the viewer's own reader,
// hand-made events and a synthetic trace.
#include "tests/viewer/model/derived/trace_fixtures.h"

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "viewer/model/trace_reader.h"

namespace rscope::viewer::test
{

namespace
{

int64_t actorPid(Role role, int index)
{
    switch (role)
    {
        case Role::Master:
        case Role::Reactor:
            return 100;
        case Role::Manager:
            return 101;
        case Role::Worker:
            return 300 + index;
        default:
            return 0;
    }
}

}  // namespace

std::string articlePath()
{
    return std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";
}

void loadArticle(TraceStore& store)
{
    TraceReader reader(articlePath());
    ASSERT_TRUE(reader.loadAll(store)) << reader.error();
    ASSERT_EQ(store.errorCount(), 0u) << store.errors().front().text();
    ASSERT_EQ(store.size(), 36u);
}

size_t indexOfSeq(const TraceStore& store, uint64_t seq)
{
    for (size_t i = 0; i < store.size(); ++i)
        if (store[i].seq == seq) return i;
    ADD_FAILURE() << "no event with seq " << seq;
    return 0;
}

Topology makeTopology(int reactors, int workers)
{
    Topology t;
    t.formatVersion = "1.0";
    t.mode = "process";
    t.reactorNum = reactors;
    t.workerNum = workers;
    t.dispatchMode = 2;
    t.processes.push_back(Process{Role::Master, -1, 100, 0});
    t.processes.push_back(Process{Role::Manager, -1, 101, 0});
    for (int w = 0; w < workers; ++w) t.processes.push_back(Process{Role::Worker, w, 300 + w, 1});
    auto thread = [](Role role, int index, int pid, int tid, std::string name)
    {
        Actor a;
        a.role = role;
        a.index = index;
        a.pid = pid;
        a.tid = tid;
        a.name = std::move(name);
        return a;
    };
    t.threads.push_back(thread(Role::Master, -1, 100, 100, "master"));
    for (int r = 0; r < reactors; ++r)
        t.threads.push_back(
            thread(Role::Reactor, r, 100, 200 + r, "reactor[" + std::to_string(r) + "]"));
    t.threads.push_back(thread(Role::Manager, -1, 101, 101, "manager"));
    for (int w = 0; w < workers; ++w)
        t.threads.push_back(
            thread(Role::Worker, w, 300 + w, 300 + w, "worker[" + std::to_string(w) + "]"));
    for (int w = 0; w < workers; ++w)
        t.pipes.push_back(Pipe{w % reactors, w, 10 + 2 * w, 11 + 2 * w});
    return t;
}

Ev::Ev(EventKind kind, Role role, int index)
{
    e.kind = kind;
    actor.role = role;
    actor.index = index;
    actor.pid = static_cast<int>(actorPid(role, index));
    actor.tid = role == Role::Reactor ? 200 + index : actor.pid;
}

void append(TraceStore& store, const Ev& ev, int64_t tsNs)
{
    Event e = ev.e;
    e.tsNs = tsNs;
    e.seq = store.size() == 0 ? 1 : store[store.size() - 1].seq + 1;
    Actor actor = ev.actor;
    if (actor.role == Role::Worker) actor.tid = actor.pid;
    e.actor = store.internActor(actor);
    ASSERT_TRUE(store.append(e, "{}", ""));
}

void makeSyntheticTrace(TraceStore& store, size_t events, uint32_t seed)
{
    constexpr int kReactors = 2;
    constexpr int kWorkers = 4;
    store.clear();
    store.setTopology(makeTopology(kReactors, kWorkers));

    std::mt19937 rng(seed);
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    int64_t ts = 1'000'000'000;
    std::vector<int64_t> open;  // sessions registered, in no order
    int64_t nextSession = 1;
    int workerPid[kWorkers] = {300, 301, 302, 303};
    int nextPid = 1000;

    auto add = [&](Ev ev)
    {
        if (store.size() >= events) return;  // the last batch is cut at exactly `events`
        ts += pick(5) * 1000;                // 0..4 us: some equal timestamps
        append(store, ev, ts);
    };
    auto workerEv = [&](EventKind k, int w)
    { return Ev(k, Role::Worker, w).pid(workerPid[w]).worker(w); };
    // Connections use fd modulo (dispatch mode 2): fd = session + 20.
    auto fdOf = [](int64_t s) { return static_cast<int>(s + 20); };
    auto reactorOf = [&](int64_t s) { return fdOf(s) % kReactors; };
    auto workerOf = [&](int64_t s) { return fdOf(s) % kWorkers; };

    while (store.size() < events)
    {
        int action = pick(100);
        if (action < 15 || open.empty())
        {
            int64_t s = nextSession++;
            int r = reactorOf(s), w = workerOf(s), fd = fdOf(s);
            add(Ev(EventKind::Accept, Role::Master).session(s).fd(fd));
            add(Ev(EventKind::ReactorAssign, Role::Master).session(s).fd(fd).reactor(r));
            add(Ev(EventKind::PipeWrite, Role::Master)
                    .session(s)
                    .reactor(r)
                    .direction(Direction::ToReactorThread)
                    .type(PipeType::Incoming)
                    .bytes(48));
            add(Ev(EventKind::ReactorRegister, Role::Reactor, r).session(s).fd(fd).reactor(r));
            add(Ev(EventKind::ConnectNotify, Role::Reactor, r)
                    .session(s)
                    .fd(fd)
                    .reactor(r)
                    .worker(w));
            add(Ev(EventKind::PipeWrite, Role::Reactor, r)
                    .session(s)
                    .reactor(r)
                    .worker(w)
                    .direction(Direction::ToWorker)
                    .type(PipeType::Connect)
                    .bytes(48));
            add(workerEv(EventKind::WorkerReceive, w)
                    .session(s)
                    .reactor(r)
                    .type(PipeType::Connect)
                    .bytes(0));
            add(workerEv(EventKind::CallbackEnter, w).session(s).callback(CallbackId::OnConnect));
            add(workerEv(EventKind::CallbackExit, w).session(s).callback(CallbackId::OnConnect));
            open.push_back(s);
        }
        else if (action < 75)
        {
            // A request; one in eight closes from inside onReceive (onClose nests).
            int64_t s = open[pick(static_cast<int>(open.size()))];
            int r = reactorOf(s), w = workerOf(s), fd = fdOf(s);
            bool serverClose = pick(8) == 0;
            add(Ev(EventKind::Read, Role::Reactor, r).session(s).fd(fd).reactor(r).bytes(12));
            add(Ev(EventKind::Dispatch, Role::Reactor, r)
                    .session(s)
                    .fd(fd)
                    .reactor(r)
                    .worker(w)
                    .type(PipeType::RecvData)
                    .bytes(12));
            add(Ev(EventKind::PipeWrite, Role::Reactor, r)
                    .session(s)
                    .reactor(r)
                    .worker(w)
                    .direction(Direction::ToWorker)
                    .type(PipeType::RecvData)
                    .bytes(60));
            add(workerEv(EventKind::WorkerReceive, w)
                    .session(s)
                    .reactor(r)
                    .type(PipeType::RecvData)
                    .bytes(12));
            add(workerEv(EventKind::CallbackEnter, w).session(s).callback(CallbackId::OnReceive));
            add(workerEv(EventKind::SendRequest, w).session(s).reactor(r).bytes(28));
            add(workerEv(EventKind::PipeWrite, w)
                    .session(s)
                    .reactor(r)
                    .direction(Direction::ToReactor)
                    .type(PipeType::SendData)
                    .bytes(76));
            if (serverClose)
            {
                add(workerEv(EventKind::CloseRequest, w).session(s).reactor(r));
                add(workerEv(EventKind::CallbackEnter, w).session(s).callback(CallbackId::OnClose));
                add(workerEv(EventKind::CallbackExit, w).session(s).callback(CallbackId::OnClose));
                add(workerEv(EventKind::PipeWrite, w)
                        .session(s)
                        .reactor(r)
                        .direction(Direction::ToReactor)
                        .type(PipeType::Close)
                        .bytes(48));
            }
            add(workerEv(EventKind::CallbackExit, w).session(s).callback(CallbackId::OnReceive));
            add(Ev(EventKind::ReactorWrite, Role::Reactor, r)
                    .session(s)
                    .fd(fd)
                    .reactor(r)
                    .worker(w)
                    .bytes(28)
                    .queued(s % 3 == 0 ? static_cast<int>(s % 7) * 1000 : 0));
            if (serverClose)
            {
                add(Ev(EventKind::Close, Role::Reactor, r).session(s).fd(fd).reactor(r));
                std::erase(open, s);
            }
        }
        else if (action < 90)
        {
            int64_t s = open[pick(static_cast<int>(open.size()))];
            int r = reactorOf(s), w = workerOf(s), fd = fdOf(s);
            add(Ev(EventKind::PeerClose, Role::Reactor, r).session(s).fd(fd).reactor(r));
            add(Ev(EventKind::CloseNotify, Role::Reactor, r)
                    .session(s)
                    .fd(fd)
                    .reactor(r)
                    .worker(w));
            add(Ev(EventKind::PipeWrite, Role::Reactor, r)
                    .session(s)
                    .reactor(r)
                    .worker(w)
                    .direction(Direction::ToWorker)
                    .type(PipeType::Close)
                    .bytes(48));
            add(workerEv(EventKind::WorkerReceive, w)
                    .session(s)
                    .reactor(r)
                    .type(PipeType::Close)
                    .bytes(0));
            add(workerEv(EventKind::CallbackEnter, w).session(s).callback(CallbackId::OnClose));
            add(workerEv(EventKind::CallbackExit, w).session(s).callback(CallbackId::OnClose));
            add(workerEv(EventKind::PipeWrite, w)
                    .session(s)
                    .reactor(r)
                    .direction(Direction::ToReactor)
                    .type(PipeType::Close)
                    .bytes(48));
            add(Ev(EventKind::Close, Role::Reactor, r).session(s).fd(fd).reactor(r));
            std::erase(open, s);
        }
        else if (action < 92)
        {
            int w = pick(kWorkers);
            add(workerEv(EventKind::WorkerExit, w));
            add(Ev(EventKind::WorkerRestart, Role::Manager).worker(w));
            workerPid[w] = nextPid++;
            add(workerEv(EventKind::WorkerStart, w));
        }
        else if (action < 94)
        {
            int w = pick(kWorkers);
            int r = w % kReactors;
            add(Ev(EventKind::PipeFull, Role::Reactor, r)
                    .worker(w)
                    .direction(Direction::ToWorker)
                    .queued(65536 + w));
            add(Ev(EventKind::PipeDrain, Role::Reactor, r)
                    .worker(w)
                    .direction(Direction::ToWorker)
                    .queued(0));
        }
        else if (action < 96)
        {
            int64_t s = open[pick(static_cast<int>(open.size()))];
            int r = reactorOf(s);
            add(Ev(EventKind::BufferFull, Role::Reactor, r)
                    .session(s)
                    .reactor(r)
                    .queued(70000)
                    .bytes(65536));
            add(Ev(EventKind::BufferDrain, Role::Reactor, r).session(s).reactor(r).queued(0));
        }
        else if (action < 97)
        {
            add(Ev(EventKind::ReloadBegin, Role::Manager));
            add(Ev(EventKind::ReloadEnd, Role::Manager));
        }
        else
        {
            // Ids the state must ignore: a worker and a reactor that do not exist, an unknown
            // session closing, a forwarded close between workers.
            add(workerEv(EventKind::CallbackEnter, 0).worker(37).callback(CallbackId::OnReceive));
            add(Ev(EventKind::Read, Role::Reactor, 1).session(999999).reactor(9).bytes(5));
            add(Ev(EventKind::PipeWrite, Role::Worker, 1)
                    .worker(3)
                    .direction(Direction::ToWorkerForward)
                    .type(PipeType::Close)
                    .bytes(48));
        }
    }
}

namespace
{

// Collects "field: a != b" lines, at most a few, for a readable failure.
class Diff
{
  public:
    template <typename T>
    void check(const std::string& what, const T& a, const T& b)
    {
        if (a == b) return;
        ++count_;
        if (count_ <= 8)
        {
            std::ostringstream out;
            out << what << ": " << +a << " != " << +b << "\n";
            text_ += out.str();
        }
    }
    testing::AssertionResult result() const
    {
        if (count_ == 0) return testing::AssertionSuccess();
        return testing::AssertionFailure() << count_ << " fields differ:\n" << text_;
    }

  private:
    int count_ = 0;
    std::string text_;
};

template <typename E>
int num(E e)
{
    return static_cast<int>(e);
}

}  // namespace

testing::AssertionResult sameState(const ArchitectureState& a, const ArchitectureState& b)
{
    Diff d;
    d.check("applied", a.applied(), b.applied());
    d.check("nowNs", a.nowNs(), b.nowNs());
    d.check("accepted", a.accepted(), b.accepted());
    d.check("closed", a.closed(), b.closed());
    d.check("managerRestarts", a.managerRestarts(), b.managerRestarts());
    d.check("reloading", a.reloading(), b.reloading());
    d.check("shutdown", a.shutdown(), b.shutdown());
    d.check("socketBufferSize", a.socketBufferSize(), b.socketBufferSize());
    d.check("workers", a.workers().size(), b.workers().size());
    for (size_t i = 0; i < std::min(a.workers().size(), b.workers().size()); ++i)
    {
        const WorkerState& x = a.workers()[i];
        const WorkerState& y = b.workers()[i];
        std::string p = "worker[" + std::to_string(i) + "].";
        d.check(p + "index", x.index, y.index);
        d.check(p + "pid", x.pid, y.pid);
        d.check(p + "generation", x.generation, y.generation);
        d.check(p + "status", num(x.status), num(y.status));
        d.check(p + "callback", num(x.callback), num(y.callback));
        d.check(p + "session", x.session, y.session);
        d.check(p + "callbackDepth", x.callbackDepth, y.callbackDepth);
        d.check(p + "outerCallback", num(x.outerCallback), num(y.outerCallback));
        d.check(p + "outerSession", x.outerSession, y.outerSession);
        d.check(p + "received", x.received, y.received);
        d.check(p + "requests", x.requests, y.requests);
        d.check(p + "bytesIn", x.bytesIn, y.bytesIn);
        d.check(p + "bytesOut", x.bytesOut, y.bytesOut);
        d.check(p + "busyNs", x.busyNs, y.busyNs);
        d.check(p + "busySinceNs", x.busySinceNs, y.busySinceNs);
        d.check(p + "restarts", x.restarts, y.restarts);
        d.check(p + "exitedAtNs", x.exitedAtNs, y.exitedAtNs);
        d.check(p + "killed", x.killed, y.killed);
        d.check(p + "exitReason", x.exitReason, y.exitReason);
        d.check(p + "startsAhead", x.startsAhead, y.startsAhead);
    }
    d.check("reactors", a.reactors().size(), b.reactors().size());
    for (size_t i = 0; i < std::min(a.reactors().size(), b.reactors().size()); ++i)
    {
        const ReactorState& x = a.reactors()[i];
        const ReactorState& y = b.reactors()[i];
        std::string p = "reactor[" + std::to_string(i) + "].";
        d.check(p + "index", x.index, y.index);
        d.check(p + "tid", x.tid, y.tid);
        d.check(p + "connections", x.connections, y.connections);
        d.check(p + "bytesRead", x.bytesRead, y.bytesRead);
        d.check(p + "bytesWritten", x.bytesWritten, y.bytesWritten);
        d.check(p + "bytesQueued", x.bytesQueued, y.bytesQueued);
        d.check(p + "pipeQueued", x.pipeQueued, y.pipeQueued);
        d.check(p + "handoffs", x.handoffs, y.handoffs);
        d.check(p + "reads", x.reads, y.reads);
        d.check(p + "writes", x.writes, y.writes);
        d.check(p + "closes", x.closes, y.closes);
        d.check(p + "peerCloses", x.peerCloses, y.peerCloses);
    }
    d.check("pipes", a.pipes().size(), b.pipes().size());
    for (size_t i = 0; i < std::min(a.pipes().size(), b.pipes().size()); ++i)
    {
        const PipeState& x = a.pipes()[i];
        const PipeState& y = b.pipes()[i];
        std::string p = "pipe[" + std::to_string(i) + "].";
        d.check(p + "reactor", x.reactor, y.reactor);
        d.check(p + "worker", x.worker, y.worker);
        d.check(p + "toWorker", x.toWorker, y.toWorker);
        d.check(p + "toReactor", x.toReactor, y.toReactor);
        d.check(p + "bytesToWorker", x.bytesToWorker, y.bytesToWorker);
        d.check(p + "bytesToReactor", x.bytesToReactor, y.bytesToReactor);
        d.check(p + "full", x.full, y.full);
        d.check(p + "queuedBytes", x.queuedBytes, y.queuedBytes);
        d.check(p + "fullBack", x.fullBack, y.fullBack);
        d.check(p + "queuedBackBytes", x.queuedBackBytes, y.queuedBackBytes);
    }
    d.check("sessions", a.sessions().size(), b.sessions().size());
    for (const auto& [id, x] : a.sessions())
    {
        auto it = b.sessions().find(id);
        std::string p = "session " + std::to_string(id) + ".";
        if (it == b.sessions().end())
        {
            d.check(p + "present", true, false);
            continue;
        }
        const SessionState& y = it->second;
        d.check(p + "session", x.session, y.session);
        d.check(p + "fd", x.fd, y.fd);
        d.check(p + "reactor", x.reactor, y.reactor);
        d.check(p + "worker", x.worker, y.worker);
        d.check(p + "stage", num(x.stage), num(y.stage));
        d.check(p + "requests", x.requests, y.requests);
        d.check(p + "openedNs", x.openedNs, y.openedNs);
        d.check(p + "queued", x.queued, y.queued);
        d.check(p + "queuedOn", x.queuedOn, y.queuedOn);
        d.check(p + "overflow", x.overflow, y.overflow);
    }
    return d.result();
}

ArchitectureState applyFromScratch(const TraceStore& store, size_t n)
{
    ArchitectureState s;
    s.reset(store.topology());
    for (size_t i = 0; i < n && i < store.size(); ++i) s.apply(store[i], &store.actorOf(store[i]));
    return s;
}

}  // namespace rscope::viewer::test
