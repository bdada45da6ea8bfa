// The edges of the architecture picture: their ids, where they meet the boxes (each kind on its
// own side, fans in lanes so no edge crosses a sibling box) and the figure's fixed edges: accept,
// handoffs, clients, two per pipe of the header (requests and replies), the manager's forks;
// then where their labels sit.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <string>

#include "viewer/layout/architecture_parts.h"
#include "viewer/layout/layout_text.h"
#include "viewer/layout/startup_parts.h"  // the font's width estimate
#include "viewer/model/architecture_state.h"

namespace rscope::viewer
{

std::string edgeIdPipeReturn(int reactor, int worker)
{
    return "pipe[" + std::to_string(reactor) + "<-" + std::to_string(worker) + "]";
}

}  // namespace rscope::viewer

namespace rscope::viewer::arch
{

std::string nodeIdClients()
{
    return "clients";
}
std::string edgeIdClient(int64_t session, int reactor)
{
    return nodeIdClient(session) + "->" + nodeIdReactor(reactor);
}
std::string edgeIdHandoff(int reactor)
{
    return "handoff[" + std::to_string(reactor) + "]";
}
std::string edgeIdManager(int worker)
{
    return "manager->" + nodeIdWorker(worker);
}
std::string edgeIdManagerTask(int taskWorker)
{
    return "manager->" + nodeIdTaskWorker(taskWorker);
}
std::string edgeIdTask(int worker, int taskWorker)
{
    return "task[" + std::to_string(worker) + "->" + std::to_string(taskWorker) + "]";
}
std::string edgeIdFinish(int taskWorker, int worker)
{
    return "finish[" + std::to_string(taskWorker) + "->" + std::to_string(worker) + "]";
}
std::string edgeIdMessage(int from, int to)
{
    return "message[" + std::to_string(from) + "->" + std::to_string(to) + "]";
}
std::string edgeIdWrite(int reactor, int worker)
{
    return "write[" + std::to_string(reactor) + "->" + std::to_string(worker) + "]";
}
std::string edgeIdFoldedClients(int reactor)
{
    return "clients->" + nodeIdReactor(reactor);
}

Color edgeColor(const std::string& kind)
{
    if (kind == "accept" || kind == "handoff") return rgba(110, 160, 230, 200);
    if (kind == "client") return rgba(150, 165, 185, 170);
    if (kind == "pipe") return rgba(115, 170, 135, 200);
    if (kind == "write") return rgba(115, 170, 135, 120);
    if (kind == "manager") return rgba(175, 140, 230, 170);
    if (kind == "task") return rgba(200, 150, 235, 200);
    if (kind == "finish") return rgba(200, 150, 235, 130);
    if (kind == "message") return rgba(235, 200, 120, 190);
    return rgba(160, 160, 160, 170);
}

float baseThickness(const Metrics& m)
{
    return std::max(1.0f, m.fontSize * 0.12f);
}

namespace
{

const PipeState* findPipe(const ArchitectureState* state, int reactor, int worker)
{
    if (state == nullptr) return nullptr;
    int i = state->pipeIndex(reactor, worker);
    if (i < 0 || static_cast<size_t>(i) >= state->pipes().size()) return nullptr;
    return &state->pipes()[static_cast<size_t>(i)];
}

float bottomOf(const RectF& r)
{
    return r.y + r.h;
}

// Half the gap between a pipe's request and reply lines.
float pipeOffset(const Metrics& m)
{
    return m.fontSize * 0.28f;
}

}  // namespace

EdgeBook::EdgeBook(DrawList& list, const Metrics& m, float clientColumnRight)
    : list_(list), m_(m), clientColumnRight_(clientColumnRight)
{
}

void EdgeBook::indexNodes()
{
    nodeAt_.clear();
    for (size_t i = 0; i < list_.nodes.size(); ++i) nodeAt_[list_.nodes[i].id] = i;
}

const NodeRecord* EdgeBook::node(const std::string& id) const
{
    auto it = nodeAt_.find(id);
    return it == nodeAt_.end() ? nullptr : &list_.nodes[it->second];
}

NodeRecord* EdgeBook::mutableNode(const std::string& id)
{
    auto it = nodeAt_.find(id);
    return it == nodeAt_.end() ? nullptr : &list_.nodes[it->second];
}

EdgeRecord* EdgeBook::edge(const std::string& id)
{
    auto it = edgeAt_.find(id);
    return it == edgeAt_.end() ? nullptr : &list_.edges[it->second];
}

void EdgeBook::setFans(float handoffX, float managerX, float taskManagerX)
{
    handoffX_ = handoffX;
    managerX_ = managerX;
    taskManagerX_ = taskManagerX;
}

EdgeRecord* EdgeBook::addEdge(const std::string& id, const std::string& kind,
                              const std::string& from, const std::string& to, int slot, int slots)
{
    if (EdgeRecord* existing = edge(id)) return existing;
    const NodeRecord* src = node(from);
    const NodeRecord* dst = node(to);
    // Only client-side edges may start at the client column itself (no node: the network).
    bool fromColumn = src == nullptr && (kind == "accept" || kind == "client");
    if (dst == nullptr || (src == nullptr && !fromColumn)) return nullptr;
    const RectF& b = dst->rect;
    float t = static_cast<float>(slot + 1) / static_cast<float>(std::max(slots, 1) + 1);
    EdgeRecord e;
    e.id = id;
    e.kind = kind;
    e.from = from;
    e.to = to;
    // Each kind has its own side of the boxes, so edges meet a box at distinct points:
    // handoffs and clients on a reactor's left, pipes on its right; pipes on a worker's left,
    // the manager's forks on its right. Fans start in the lanes beside the stacked boxes, so no
    // edge crosses a sibling box.
    if (kind == "accept")
    {
        e.a = {clientColumnRight_, b.y + b.h / 2};
        e.b = {b.x, b.y + b.h / 2};
    }
    else if (kind == "handoff")
    {
        e.a = {handoffX_, bottomOf(src->rect)};
        e.b = {b.x, b.y + b.h * 0.3f};
    }
    else if (kind == "client")
    {
        e.a = src != nullptr ? Vec2f{src->rect.x + src->rect.w, src->rect.y + src->rect.h / 2}
                             : Vec2f{clientColumnRight_, b.y + b.h * 0.75f};
        e.b = {b.x, b.y + b.h * (0.55f + 0.4f * t)};
    }
    else if (kind == "manager")
    {
        e.a = {dst->role == "task_worker" ? taskManagerX_ : managerX_, bottomOf(src->rect)};
        e.b = {b.x + b.w, b.y + b.h / 2};
    }
    else if (kind == "message")
    {
        // Worker to worker in one column: a line just right of the boxes, from the sender's
        // middle to the receiver's, each pair at its own distance so the two ways stay apart.
        float dx = 0.4f * m_.fontSize * (1.0f + 2.0f * t);
        e.a = {src->rect.x + src->rect.w + dx, src->rect.y + src->rect.h / 2};
        e.b = {b.x + b.w + dx, b.y + b.h / 2};
    }
    else if (kind == "task" || kind == "finish")
    {
        // Event worker <-> task worker across the gap between their columns: tasks just above
        // the results' line, as a pipe's requests run above its replies.
        float lift = kind == "task" ? -pipeOffset(m_) : pipeOffset(m_);
        const RectF& wr = kind == "task" ? src->rect : b;
        const RectF& tr = kind == "task" ? b : src->rect;
        Vec2f workerSide{wr.x + wr.w, wr.y + wr.h / 2 + lift};
        Vec2f taskSide{tr.x, tr.y + tr.h * t + lift};
        e.a = kind == "task" ? workerSide : taskSide;
        e.b = kind == "task" ? taskSide : workerSide;
    }
    else if (kind == "pipe" && src->role == "worker")
    {
        // A pipe's replies (SEND_DATA, CLOSE) run worker -> reactor on a line of their own just
        // below the requests' line, so every token travels towards its arrowhead.
        e.a = {src->rect.x, src->rect.y + src->rect.h / 2 + pipeOffset(m_)};
        e.b = {b.x + b.w, b.y + b.h * t + pipeOffset(m_)};
    }
    else  // pipe, write: reactor -> worker (a pipe's request line just above its reply line)
    {
        float lift = kind == "pipe" ? pipeOffset(m_) : 0.0f;
        e.a = {src->rect.x + src->rect.w, src->rect.y + src->rect.h * t - lift};
        e.b = {b.x, b.y + b.h / 2 - lift};
    }
    e.thickness = baseThickness(m_);
    e.color = edgeColor(kind);
    edgeAt_[id] = list_.edges.size();
    list_.edges.push_back(std::move(e));
    return &list_.edges.back();
}

void addFigureEdges(const ArchitectureLayoutInput& in, const Facts& facts, const ClientSet& clients,
                    EdgeBook& book)
{
    const ArchitectureState* state = in.state;
    if (EdgeRecord* e = book.addEdge("accept", "accept", nodeIdClients(), "main_reactor"))
        e->count = state != nullptr ? state->accepted() : 0;
    for (int r : facts.reactors)
    {
        EdgeRecord* e = book.addEdge(edgeIdHandoff(r), "handoff", "main_reactor", nodeIdReactor(r));
        if (const ReactorState* rs = findReactor(state, r); e != nullptr && rs != nullptr)
            e->count = rs->handoffs;
    }

    // Client edges, spread over the left side of their reactor.
    std::map<int, std::vector<std::pair<std::string, const ClientInfo*>>> byReactor;
    for (const ClientInfo& c : clients.shown)
        if (c.reactor >= 0) byReactor[c.reactor].push_back({nodeIdClient(c.session), &c});
    for (const ClientInfo& c : clients.folded)
        if (c.reactor >= 0)
        {
            auto& v = byReactor[c.reactor];
            if (v.empty() || v.back().first != nodeIdClients()) v.push_back({nodeIdClients(), &c});
        }
    for (auto& [r, ends] : byReactor)
        for (size_t k = 0; k < ends.size(); ++k)
        {
            bool folded = ends[k].first == nodeIdClients();
            std::string id =
                folded ? edgeIdFoldedClients(r) : edgeIdClient(ends[k].second->session, r);
            EdgeRecord* e = book.addEdge(id, "client", ends[k].first, nodeIdReactor(r),
                                         static_cast<int>(k), static_cast<int>(ends.size()));
            if (e == nullptr || folded) continue;
            e->count = ends[k].second->requests;
            if (in.selectedSession != 0 && ends[k].second->session == in.selectedSession)
            {
                e->color = sessionColor(in.selectedSession);
                e->thickness *= 2;
            }
        }

    // Two edges per pipe of the header, spread over the right side of the reactor that polls
    // it: requests to the worker, and the worker's replies back (a socketpair carries both).
    std::map<int, int> pipesOf;
    for (const Pipe& p : facts.pipes) ++pipesOf[p.reactor];
    std::map<int, int> placed;
    for (const Pipe& p : facts.pipes)
    {
        int k = placed[p.reactor]++;
        EdgeRecord* e =
            book.addEdge(edgeIdPipe(p.reactor, p.worker), "pipe", nodeIdReactor(p.reactor),
                         nodeIdWorker(p.worker), k, pipesOf[p.reactor]);
        const PipeState* ps = findPipe(state, p.reactor, p.worker);
        if (e != nullptr && ps != nullptr)
        {
            e->count = ps->toWorker;
            if (ps->full)
            {
                e->color = rgba(235, 85, 80);
                e->label = "full  " + formatBytes(ps->queuedBytes) + " queued";
            }
        }
        EdgeRecord* back =
            book.addEdge(edgeIdPipeReturn(p.reactor, p.worker), "pipe", nodeIdWorker(p.worker),
                         nodeIdReactor(p.reactor), k, pipesOf[p.reactor]);
        if (back != nullptr && ps != nullptr)
        {
            back->count = ps->toReactor;
            if (ps->fullBack)
            {
                // The worker's replies wait in the worker's memory (model 8.6).
                back->color = rgba(235, 85, 80);
                back->label = "full  " + formatBytes(ps->queuedBackBytes) + " queued";
            }
        }
    }
    for (int w : facts.hasManager ? facts.workers : std::vector<int>{})
    {
        EdgeRecord* e = book.addEdge(edgeIdManager(w), "manager", "manager", nodeIdWorker(w));
        if (const WorkerState* ws = findWorker(state, w); e != nullptr && ws != nullptr)
            e->count = ws->restarts;
    }
    for (int t : facts.taskWorkers)
    {
        EdgeRecord* e =
            book.addEdge(edgeIdManagerTask(t), "manager", "manager", nodeIdTaskWorker(t));
        if (const WorkerState* ws = findWorker(state, t); e != nullptr && ws != nullptr)
            e->count = ws->restarts;
    }
    // Messages between event workers (sendMessage, a forwarded close): only the pairs that
    // carried one, as a worker may write to any other.
    int messageSlots = static_cast<int>(facts.workers.size() * facts.workers.size());
    for (size_t ai = 0; ai < facts.workers.size(); ++ai)
        for (size_t bi = 0; bi < facts.workers.size(); ++bi)
        {
            int a = facts.workers[ai], b = facts.workers[bi];
            uint64_t n = a != b && state != nullptr ? state->taskHops(a, b) : 0;
            if (n == 0) continue;
            int slot = static_cast<int>(ai * facts.workers.size() + bi);
            if (EdgeRecord* e = book.addEdge(edgeIdMessage(a, b), "message", nodeIdWorker(a),
                                             nodeIdWorker(b), slot, messageSlots))
                e->count = n;
        }
    // Every event worker may hand a task to every task worker (the first idle one), and the
    // result goes back on the caller's own pipe. Many pairs would blur into a net: beyond 16,
    // only the pairs that carried something.
    bool everyPair = facts.workers.size() * facts.taskWorkers.size() <= 16;
    int taskSlots = static_cast<int>(facts.workers.size());
    for (size_t wi = 0; wi < facts.workers.size(); ++wi)
        for (int t : facts.taskWorkers)
        {
            int w = facts.workers[wi];
            uint64_t tasks = state != nullptr ? state->taskHops(w, t) : 0;
            uint64_t results = state != nullptr ? state->taskHops(t, w) : 0;
            if (!everyPair && tasks == 0 && results == 0) continue;
            int slot = static_cast<int>(wi);
            if (EdgeRecord* e = book.addEdge(edgeIdTask(w, t), "task", nodeIdWorker(w),
                                             nodeIdTaskWorker(t), slot, taskSlots))
                e->count = tasks;
            if (EdgeRecord* e = book.addEdge(edgeIdFinish(t, w), "finish", nodeIdTaskWorker(t),
                                             nodeIdWorker(w), slot, taskSlots))
                e->count = results;
        }

    // The selected session's way to its worker is lit too: the pipe of that worker, whichever
    // reactor thread polls it.
    if (state == nullptr || in.selectedSession == 0) return;
    auto it = state->sessions().find(in.selectedSession);
    if (it == state->sessions().end() || it->second.worker < 0) return;
    for (const Pipe& p : facts.pipes)
        if (p.worker == it->second.worker)
            for (const std::string& id :
                 {edgeIdPipe(p.reactor, p.worker), edgeIdPipeReturn(p.reactor, p.worker)})
                if (EdgeRecord* e = book.edge(id)) e->color = sessionColor(in.selectedSession);
}

namespace
{

// Edges a label may not sit on: every straight edge but its own.
struct Segment
{
    Vec2f a;
    Vec2f b;
};

bool segmentHitsRect(const Segment& s, const RectF& r)
{
    // Sampled: labels are a few font heights wide, edges a few hundred pixels long.
    constexpr int kSteps = 48;
    for (int i = 0; i <= kSteps; ++i)
    {
        float t = static_cast<float>(i) / kSteps;
        if (r.contains({s.a.x + (s.b.x - s.a.x) * t, s.a.y + (s.b.y - s.a.y) * t})) return true;
    }
    return false;
}

// Where two segments cross, not counting a shared end (edges fanning out of one box).
std::optional<Vec2f> crossing(const Segment& s, const Segment& o)
{
    float rx = s.b.x - s.a.x, ry = s.b.y - s.a.y;
    float qx = o.b.x - o.a.x, qy = o.b.y - o.a.y;
    float den = rx * qy - ry * qx;
    if (std::fabs(den) < 1e-6f) return std::nullopt;
    float wx = o.a.x - s.a.x, wy = o.a.y - s.a.y;
    float t = (wx * qy - wy * qx) / den;
    float u = (wx * ry - wy * rx) / den;
    constexpr float kEnd = 0.02f;
    if (t <= kEnd || t >= 1 - kEnd || u <= kEnd || u >= 1 - kEnd) return std::nullopt;
    return Vec2f{s.a.x + rx * t, s.a.y + ry * t};
}

// A place for an edge's label: `t` along a -> b, `side` label-heights off it along the normal,
// and what choosing it costs before anything is in its way (the preferred spots cost least).
struct LabelSpot
{
    float t;
    float side;
    float cost;
};

// A pipe's label goes by the worker's end, on the side away from its twin (requests' above,
// replies' below), where the other reactor's pipes no longer cross it; other labels prefer
// the middle of their edge.
std::vector<LabelSpot> labelSpots(const EdgeRecord& e)
{
    std::vector<float> along;
    if (e.kind == "pipe")
        along = {0.84f, 0.76f, 0.9f, 0.68f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f};
    else
        along = {0.5f, 0.42f, 0.58f, 0.34f, 0.66f, 0.26f, 0.74f, 0.18f, 0.82f, 0.1f, 0.9f};
    // A reply edge runs worker -> reactor: its worker end is at a.
    bool fromWorker = e.kind == "pipe" && e.from.rfind("worker[", 0) == 0;
    std::vector<LabelSpot> spots;
    // For both pipe directions the normal's negative side is away from the twin (the edges run
    // opposite ways, the requests' line above the replies').
    const float sides[] = {e.kind == "pipe" ? -1.0f : 0.0f, 0.0f, 1.0f, -1.0f, 2.0f, -2.0f};
    for (size_t k = 0; k < std::size(sides); ++k)
    {
        if (k > 0 && sides[k] == sides[0]) continue;  // the preferred side, already tried
        for (size_t i = 0; i < along.size(); ++i)
        {
            float t = fromWorker ? 1.0f - along[i] : along[i];
            float off = std::fabs(sides[k]) > 1.5f ? 10.0f : 0.5f * static_cast<float>(k);
            spots.push_back({t, sides[k], off + 0.1f * static_cast<float>(i)});
        }
    }
    return spots;
}

bool overlaps(const RectF& a, const RectF& b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// The pill the painter draws around a label centred at `c` (text plus its padding).
RectF labelRect(const std::string& text, Vec2f c, const Metrics& m)
{
    float w = startup::textWidth(text, m.fontSize) + m.fontSize * 0.6f;
    float h = m.fontSize * 1.2f;
    return {c.x - w / 2, c.y - h / 2, w, h};
}

}  // namespace

void finishEdges(const ArchitectureLayoutInput& in, DrawList& list, const Metrics& m)
{
    // A lesson that names a pipe ("pipe[0->2]") means both of its directions.
    if (in.highlightEdges != nullptr)
        for (const Pipe& p : readFacts(in).pipes)
        {
            const EdgeRecord* forward = list.findEdge(edgeIdPipe(p.reactor, p.worker));
            if (forward == nullptr || !forward->highlighted) continue;
            for (EdgeRecord& e : list.edges)
                if (e.id == edgeIdPipeReturn(p.reactor, p.worker))
                {
                    e.highlighted = true;
                    e.color = forward->color;
                    e.thickness = std::max(e.thickness, forward->thickness);
                }
        }

    // Rate and queue labels: along their edge or just beside it (a pipe's two directions run
    // side by side), never on a point where two edges cross (the pipes of different reactor
    // threads cross on their way to the workers) nor on another label nor on a box's title line;
    // then as few other edges and boxes under them as can be; the middle when nothing is in
    // the way.
    std::vector<Segment> segments;
    for (const EdgeRecord& e : list.edges) segments.push_back({e.a, e.b});
    std::vector<Vec2f> crossings;
    for (size_t i = 0; i < segments.size(); ++i)
        for (size_t j = i + 1; j < segments.size(); ++j)
            if (auto p = crossing(segments[i], segments[j])) crossings.push_back(*p);
    // Greedy in edge order, then a few rounds in which each label moves to its best spot
    // given all the others (a label placed early may block a later one's only free spot).
    std::vector<size_t> labelled;
    for (size_t i = 0; i < list.edges.size(); ++i)
        if (!list.edges[i].label.empty()) labelled.push_back(i);
    std::vector<std::optional<RectF>> placed(list.edges.size());
    constexpr int kRounds = 4;
    for (int round = 0; round < kRounds; ++round)
        for (size_t i : labelled)
        {
            EdgeRecord& e = list.edges[i];
            float dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
            float len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
            // The edge's normal, and how far a label moves along it to clear the edge itself.
            Vec2f normal{-dy / len, dx / len};
            float clear = m.fontSize * 0.6f + e.thickness / 2 + 2.0f;
            float best = -1;
            Vec2f bestAt{e.a.x + dx / 2, e.a.y + dy / 2};
            for (const LabelSpot& spot : labelSpots(e))
            {
                Vec2f c{e.a.x + dx * spot.t + normal.x * clear * spot.side,
                        e.a.y + dy * spot.t + normal.y * clear * spot.side};
                RectF r = labelRect(e.label, c, m);
                float cost = spot.cost;
                for (Vec2f p : crossings) cost += r.contains(p) ? 100 : 0;
                for (size_t j : labelled)
                    if (j != i && placed[j] && overlaps(r, *placed[j])) cost += 50;
                for (size_t j = 0; j < segments.size(); ++j)
                    if (j != i && segmentHitsRect(segments[j], r)) cost += 3;
                for (const NodeRecord& n : list.nodes)
                {
                    if (n.id == "master") continue;
                    // A box's first line names it (worker[2] pid ...): never hide that.
                    RectF title{n.rect.x, n.rect.y, n.rect.w, m.fontSize * 1.4f};
                    cost += overlaps(r, title) ? 60 : overlaps(r, n.rect) ? 2 : 0;
                }
                if (best < 0 || cost < best)
                {
                    best = cost;
                    bestAt = c;
                }
            }
            e.labelAt = bestAt;
            placed[i] = labelRect(e.label, bestAt, m);
        }
}

}  // namespace rscope::viewer::arch
