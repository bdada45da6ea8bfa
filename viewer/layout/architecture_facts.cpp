// What the architecture picture is made of: the topology digest (which reactors, workers and
// pipes, which pids) and the clients to draw, chosen and folded, plus the font-derived sizes.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "viewer/layout/architecture_parts.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer::arch
{

namespace
{

// Indices beyond this come from a damaged or hostile header: never let one size the picture.
constexpr int kMaxIndex = 1024;

const char* stageName(SessionState::Stage stage)
{
    switch (stage)
    {
        case SessionState::Stage::Accepted:
            return "accepted";
        case SessionState::Stage::Open:
            return "open";
        case SessionState::Stage::Closing:
            return "closing";
    }
    return "open";
}

void addIndex(std::set<int>& set, int index)
{
    if (index >= 0 && index < kMaxIndex) set.insert(index);
}

}  // namespace

Metrics metricsFor(float fontSize)
{
    Metrics m;
    m.fontSize = fontSize > 1.0f && std::isfinite(fontSize) ? fontSize : 13.0f;
    m.lineHeight = m.fontSize * 1.3f;
    m.pad = m.fontSize * 0.4f;
    m.gap = m.fontSize * 0.6f;
    return m;
}

float nodeHeight(const Metrics& m, size_t lines)
{
    return 2 * m.pad + static_cast<float>(1 + lines) * m.lineHeight;
}

Facts readFacts(const ArchitectureLayoutInput& in)
{
    Facts f;
    if (in.store == nullptr) return f;
    const Topology& t = in.store->topology();
    f.hasManager = t.mode != "base";
    std::set<int> reactors;
    std::set<int> workers;
    std::set<int> tasks;
    for (int i = 0; i < std::min(t.reactorNum, kMaxIndex); ++i) reactors.insert(i);
    for (int i = 0; i < std::min(t.workerNum, kMaxIndex); ++i) workers.insert(i);
    for (int i = 0; i < std::min(t.taskWorkerNum, kMaxIndex); ++i) addIndex(tasks, t.workerNum + i);
    for (const Process& p : t.processes)
    {
        if (p.role == Role::Master) f.masterPid = p.pid;
        if (p.role == Role::Manager)
        {
            f.hasManager = true;
            f.managerPid = p.pid;
        }
        if (p.role == Role::Worker) addIndex(workers, p.index);
        if (p.role == Role::TaskWorker) addIndex(tasks, p.index);
    }
    for (const Actor& a : t.threads)
    {
        if (a.role == Role::Master)
        {
            f.masterTid = a.tid;
            if (f.masterPid == 0) f.masterPid = a.pid;
        }
        if (a.role == Role::Reactor) addIndex(reactors, a.index);
        if (a.role == Role::Worker) addIndex(workers, a.index);
        if (a.role == Role::TaskWorker) addIndex(tasks, a.index);
        if (a.role == Role::Manager && f.managerPid == 0) f.managerPid = a.pid;
    }
    for (const Pipe& p : t.pipes)
    {
        // A task worker's pipe has no reactor: event workers write it, no thread reads it.
        if (tasks.count(p.worker) || p.reactor < 0) continue;
        f.pipes.push_back(p);
        addIndex(workers, p.worker);
    }
    if (in.state != nullptr)
    {
        // reset() shapes the state from the same header; a worker index it knows is a worker.
        for (const ReactorState& r : in.state->reactors()) addIndex(reactors, r.index);
        for (const WorkerState& w : in.state->workers())
            addIndex(w.task ? tasks : workers, w.index);
    }
    for (int id : tasks) workers.erase(id);
    f.reactors.assign(reactors.begin(), reactors.end());
    f.workers.assign(workers.begin(), workers.end());
    f.taskWorkers.assign(tasks.begin(), tasks.end());
    if (!t.listeners.empty())
    {
        const Listener& l = t.listeners.front();
        f.listen = l.host + ":" + std::to_string(l.port);
        if (l.fd >= 0) f.listen += " fd " + std::to_string(l.fd);
    }
    else if (t.port > 0)
    {
        f.listen = t.host + ":" + std::to_string(t.port);
    }
    return f;
}

bool ClientSet::isShown(int64_t session) const
{
    return std::any_of(shown.begin(), shown.end(),
                       [session](const ClientInfo& c) { return c.session == session; });
}

ClientSet chooseClients(const ArchitectureLayoutInput& in)
{
    std::map<int64_t, ClientInfo> all;
    std::map<int64_t, size_t> newestHop;  // session -> newest event index in flight
    std::map<int64_t, std::string> peers;
    if (in.store != nullptr)
        for (const OpenConnection& c : in.store->topology().connections) peers[c.session] = c.peer;
    if (in.state != nullptr)
    {
        for (const auto& [id, s] : in.state->sessions())
        {
            ClientInfo& c = all[id];
            c.session = id;
            c.fd = s.fd;
            c.reactor = s.reactor;
            c.worker = s.worker;
            c.stage = stageName(s.stage);
            c.requests = s.requests;
            c.queued = s.queued;
            c.overflow = s.overflow;
            c.pressure = in.state->pressureOf(s);
            c.limit = in.state->socketBufferSize();
        }
    }
    else if (in.store != nullptr)
    {
        // No state yet (a header alone): the header's open connections are the clients.
        for (const OpenConnection& oc : in.store->topology().connections)
        {
            ClientInfo& c = all[oc.session];
            c.session = oc.session;
            c.fd = oc.fd;
            c.reactor = oc.reactor;
            c.stage = "open";
        }
    }
    if (in.activity != nullptr && !in.activity->rateMode && in.store != nullptr)
    {
        for (const Hop& hop : in.activity->hops)
        {
            if (hop.eventIndex >= in.store->size()) continue;
            const Event& e = (*in.store)[hop.eventIndex];
            int64_t session = 0;
            int reactor = e.reactor;
            switch (hop.edge.cls)
            {
                case EdgeClass::ClientToMain:
                    session = hop.edge.a;
                    break;
                case EdgeClass::ClientToReactor:
                case EdgeClass::ReactorToClient:
                    session = hop.edge.b;
                    reactor = hop.edge.a;
                    break;
                default:
                    break;
            }
            if (session <= 0) continue;
            ClientInfo& c = all[session];
            if (c.session == 0)
            {
                // Closed at the cursor but its last hop (close, FIN) is still on the way out.
                c.session = session;
                c.fd = e.fd;
                c.stage = "closed";
            }
            if (c.reactor < 0) c.reactor = reactor;
            c.inFlight = true;
            size_t& newest = newestHop[session];
            newest = std::max(newest, hop.eventIndex + 1);
        }
    }
    for (auto& [id, c] : all)
        if (auto p = peers.find(id); p != peers.end()) c.peer = p->second;

    ClientSet set;
    size_t limit = static_cast<size_t>(std::max(in.maxClients, 0));
    if (all.size() <= limit)
    {
        for (auto& [id, c] : all) set.shown.push_back(std::move(c));
        return set;
    }
    // Too many to draw: the selected session first, then those moving (newest first), then the
    // oldest open ones, so what the user follows and what moves is never folded away.
    std::vector<ClientInfo> order;
    for (auto& [id, c] : all) order.push_back(std::move(c));
    auto rank = [&](const ClientInfo& c)
    {
        if (in.selectedSession != 0 && c.session == in.selectedSession) return 0;
        return c.inFlight ? 1 : 2;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](const ClientInfo& x, const ClientInfo& y)
                     {
                         int rx = rank(x), ry = rank(y);
                         if (rx != ry) return rx < ry;
                         if (rx == 1) return newestHop[x.session] > newestHop[y.session];
                         return false;
                     });
    for (size_t i = 0; i < order.size(); ++i)
        (i < limit ? set.shown : set.folded).push_back(std::move(order[i]));
    auto bySession = [](const ClientInfo& x, const ClientInfo& y) { return x.session < y.session; };
    std::sort(set.shown.begin(), set.shown.end(), bySession);
    std::sort(set.folded.begin(), set.folded.end(), bySession);
    return set;
}

}  // namespace rscope::viewer::arch
