// What moves on the architecture picture: one token per hop of the activity, placed on the edge
// its EdgeKey names and labelled from its event, or, in rate mode, a rate label and a thickness
// per edge. Edges the header does not draw (a write into a pipe another reactor polls, a folded
// session) are added here when something travels them.
#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "viewer/layout/architecture_parts.h"
#include "viewer/layout/layout_text.h"
#include "viewer/model/activity.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer::arch
{

namespace
{

// The edge a hop travels and the direction along it (edges are drawn from the client side
// towards the workers; replies and closes travel them backwards).
struct Route
{
    std::string edge;
    std::string kind;
    std::string from;
    std::string to;
    bool reverse = false;
};

// Indices in an EdgeKey come from the trace: range-check before they name a node.
bool validIndex(int64_t i)
{
    return i >= 0 && i < (int64_t{1} << 20);
}

bool routeFor(const EdgeKey& k, const ClientSet& clients, EdgeBook& book, const TraceStore* store,
              Route& r)
{
    switch (k.cls)
    {
        case EdgeClass::ClientToMain:
            r = {"accept", "accept", nodeIdClients(), "main_reactor", false};
            return true;
        case EdgeClass::MainToReactor:
            if (!validIndex(k.a)) return false;
            r = {edgeIdHandoff(k.a), "handoff", "main_reactor", nodeIdReactor(k.a), false};
            return true;
        case EdgeClass::ClientToReactor:
        case EdgeClass::ReactorToClient:
        {
            if (!validIndex(k.a)) return false;
            bool reverse = k.cls == EdgeClass::ReactorToClient;
            // b = -1: a rate aggregated over every session of the reactor.
            if (k.b > 0 && clients.isShown(k.b))
                r = {edgeIdClient(k.b, k.a), "client", nodeIdClient(k.b), nodeIdReactor(k.a),
                     reverse};
            else
                r = {edgeIdFoldedClients(k.a), "client", nodeIdClients(), nodeIdReactor(k.a),
                     reverse};
            return true;
        }
        case EdgeClass::ReactorToWorker:
        case EdgeClass::WorkerToReactor:
        {
            if (!validIndex(k.a) || !validIndex(k.b)) return false;
            int reactor = k.a;
            int worker = static_cast<int>(k.b);
            bool reverse = k.cls == EdgeClass::WorkerToReactor;
            // A reactor writes into the pipe of any worker it dispatches to, but reads only the
            // pipes it polls (model 3.4, 3.7): the pair may have no pipe edge of its own.
            // Replies have the pipe's worker -> reactor edge, so they travel towards its head.
            if (reverse && book.edge(edgeIdPipeReturn(reactor, worker)) != nullptr)
                r = {edgeIdPipeReturn(reactor, worker), "pipe", nodeIdWorker(worker),
                     nodeIdReactor(reactor), false};
            else if (book.edge(edgeIdPipe(reactor, worker)) != nullptr)
                r = {edgeIdPipe(reactor, worker), "pipe", nodeIdReactor(reactor),
                     nodeIdWorker(worker), reverse};
            else
                r = {edgeIdWrite(reactor, worker), "write", nodeIdReactor(reactor),
                     nodeIdWorker(worker), reverse};
            return true;
        }
        case EdgeClass::ManagerToWorker:
        {
            if (!validIndex(k.b)) return false;
            int w = static_cast<int>(k.b);
            if (book.node(nodeIdTaskWorker(w)) != nullptr)
                r = {edgeIdManagerTask(w), "manager", "manager", nodeIdTaskWorker(w), false};
            else
                r = {edgeIdManager(w), "manager", "manager", nodeIdWorker(w), false};
            return true;
        }
        case EdgeClass::WorkerToWorker:
        {
            // a: the sender's actor (index into the store's table), b: the receiving worker.
            if (store == nullptr || k.a < 0 || static_cast<size_t>(k.a) >= store->actors().size() ||
                !validIndex(k.b))
                return false;
            const Actor& sender = store->actors()[static_cast<size_t>(k.a)];
            int to = static_cast<int>(k.b);
            if (sender.role == Role::Worker && book.node(nodeIdTaskWorker(to)) != nullptr)
                r = {edgeIdTask(sender.index, to), "task", nodeIdWorker(sender.index),
                     nodeIdTaskWorker(to), false};
            else if (sender.role == Role::TaskWorker)
                r = {edgeIdFinish(sender.index, to), "finish", nodeIdTaskWorker(sender.index),
                     nodeIdWorker(to), false};
            else if (sender.role == Role::Worker)
                r = {edgeIdMessage(sender.index, to), "message", nodeIdWorker(sender.index),
                     nodeIdWorker(to), false};
            else
                return false;
            return book.edge(r.edge) != nullptr;
        }
    }
    return false;
}

std::string withBytes(std::string text, int32_t bytes)
{
    if (bytes >= 0) text += " " + formatBytesShort(bytes);
    return text;
}

// An int arg the Event does not decode (worker_restart's new_pid): parsed from the args text,
// which costs a little but happens for at most a few dozen tokens per frame.
int64_t intArg(const TraceStore& store, const Event& e, const char* name)
{
    nlohmann::json args = nlohmann::json::parse(store.args(e), nullptr, false);
    if (!args.is_object()) return 0;
    auto it = args.find(name);
    return it != args.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string tokenLabel(const TraceStore& store, const Event& e)
{
    const char* pipeType = pipeTypeLabel(e.pipeType);
    switch (e.kind)
    {
        case EventKind::Accept:
            return "accept fd " + std::to_string(e.fd);
        case EventKind::ReactorAssign:
            return "assign fd " + std::to_string(e.fd);
        case EventKind::Read:
            return withBytes("read", e.bytes);
        case EventKind::Frame:
            return withBytes("frame", e.bytes);
        case EventKind::ReactorWrite:
            return withBytes("write", e.bytes);
        case EventKind::ConnectNotify:
            return "CONNECT";
        case EventKind::CloseNotify:
        case EventKind::CloseRequest:
            return "CLOSE";
        case EventKind::SendRequest:
            return withBytes("SEND_DATA", e.bytes);
        case EventKind::PeerClose:
        case EventKind::Close:
        {
            auto cause = static_cast<trace::Cause>(e.cause);
            if (cause == trace::Cause::Reset) return "RST";
            if (cause == trace::Cause::None || cause == trace::Cause::Eof ||
                cause == trace::Cause::ServerClose)
                return "FIN";
            return std::string("FIN (") + trace::causeName(e.cause) + ")";
        }
        case EventKind::WorkerRestart:
        {
            int64_t pid = intArg(store, e, "new_pid");
            return pid > 0 ? "fork pid " + std::to_string(pid) : std::string("fork");
        }
        case EventKind::PipeWrite:
        case EventKind::Dispatch:
        case EventKind::WorkerReceive:
            if (*pipeType != '\0') return withBytes(pipeType, e.bytes);
            break;
        default:
            break;
    }
    return trace::kindInfo(e.kind).name;
}

std::vector<std::string> tokenTooltip(const TraceStore& store, const Event& e)
{
    const trace::KindInfo& info = trace::kindInfo(e.kind);
    std::vector<std::string> lines{"seq " + std::to_string(e.seq) + "  " + info.name,
                                   std::string("swoole: ") + eventFn(e)};
    std::string ids;
    if (e.session != 0) ids += "session " + std::to_string(e.session);
    if (e.fd >= 0) ids += (ids.empty() ? "" : "  ") + std::string("fd ") + std::to_string(e.fd);
    if (!ids.empty()) lines.push_back(ids);
    if (e.msgId != 0) lines.push_back("msg id " + std::to_string(e.msgId));
    if (e.actor < store.actors().size())
    {
        const Actor& a = store.actorOf(e);
        lines.push_back(a.name + "  pid " + std::to_string(a.pid) + "  tid " +
                        std::to_string(a.tid));
    }
    if (e.flow != 0) lines.push_back("flow " + std::to_string(e.flow));
    std::string_view payload = store.payload(e);
    if (!payload.empty()) lines.push_back("payload \"" + std::string(payload) + "\"");
    return lines;
}

EdgeRecord* ensureEdge(EdgeBook& book, const Route& r)
{
    if (EdgeRecord* e = book.edge(r.edge)) return e;
    return book.addEdge(r.edge, r.kind, r.from, r.to);
}

// The edge of the cursor's newest hop stands out in its session's colour, in both modes.
void markCurrentEdge(const ArchitectureLayoutInput& in, const ClientSet& clients, EdgeBook& book)
{
    const CurrentHop& c = in.activity->current;
    Route route;
    if (!c.hasEdge || !routeFor(c.edge, clients, book, in.store, route)) return;
    EdgeRecord* edge = ensureEdge(book, route);
    if (edge == nullptr) return;
    const Metrics& m = book.metrics();
    edge->current = true;
    if (in.store != nullptr && c.hopEvent < in.store->size())
        edge->color = sessionColor((*in.store)[c.hopEvent].session);
    edge->thickness = std::max(edge->thickness, m.fontSize * 0.22f);
}

}  // namespace

void addTokens(const ArchitectureLayoutInput& in, const ClientSet& clients, EdgeBook& book)
{
    if (in.activity == nullptr || in.store == nullptr) return;
    const TraceStore& store = *in.store;
    const Metrics& m = book.metrics();
    for (const Hop& hop : in.activity->hops)
    {
        if (hop.eventIndex >= store.size()) continue;
        const Event& e = store[hop.eventIndex];
        Route route;
        if (!routeFor(hop.edge, clients, book, in.store, route)) continue;
        const EdgeRecord* edge = ensureEdge(book, route);
        if (edge == nullptr) continue;  // a node the picture does not have (unknown index)
        TokenRecord t;
        t.seq = e.seq;
        t.eventIndex = hop.eventIndex;
        t.edge = edge->id;
        t.reverse = route.reverse;
        t.progress = static_cast<float>(std::clamp(hop.progress, 0.0, 1.0));
        Vec2f from = t.reverse ? edge->b : edge->a;
        Vec2f to = t.reverse ? edge->a : edge->b;
        t.pos = {from.x + (to.x - from.x) * t.progress, from.y + (to.y - from.y) * t.progress};
        t.label = tokenLabel(store, e);
        t.kind = trace::kindInfo(e.kind).name;
        t.session = e.session;
        t.color = sessionColor(e.session);
        t.selected = in.selectedSession != 0 && e.session == in.selectedSession;
        t.current = in.activity->current.hasEdge && hop.eventIndex == in.activity->current.hopEvent;
        t.radius = m.fontSize * (t.selected || t.current ? 0.6f : 0.45f);
        t.tooltip = tokenTooltip(store, e);
        book.list().tokens.push_back(std::move(t));
    }
    markCurrentEdge(in, clients, book);
}

void addRates(const ArchitectureLayoutInput& in, const ClientSet& clients, EdgeBook& book)
{
    if (in.activity == nullptr) return;
    struct Sum
    {
        double perSecond = 0;
        uint64_t count = 0;
    };
    std::map<std::string, Sum> sums;
    for (const EdgeRate& rate : in.activity->rates)
    {
        Route route;
        if (!routeFor(rate.edge, clients, book, in.store, route)) continue;
        const EdgeRecord* edge = ensureEdge(book, route);
        if (edge == nullptr) continue;
        // Both directions of an edge (requests and replies on a pipe) add up.
        Sum& s = sums[edge->id];
        s.perSecond += std::isfinite(rate.perSecond) ? std::max(rate.perSecond, 0.0) : 0.0;
        s.count += rate.count;
    }
    const Metrics& m = book.metrics();
    for (EdgeRecord& e : book.list().edges)
    {
        // In rate mode an edge's count is its hops in the window, like its rate.
        auto it = sums.find(e.id);
        e.count = it == sums.end() ? 0 : it->second.count;
        e.ratePerSec = it == sums.end() ? 0 : it->second.perSecond;
        if (e.ratePerSec <= 0) continue;
        // Log scale: 10/s and 100k/s both stay readable without one swallowing the picture.
        float grow = m.fontSize * 0.15f * static_cast<float>(std::log10(1.0 + e.ratePerSec));
        e.thickness = std::min(baseThickness(m) + grow, m.fontSize * 0.8f);
        e.label = formatRate(e.ratePerSec);
    }
    markCurrentEdge(in, clients, book);
}

}  // namespace rscope::viewer::arch
