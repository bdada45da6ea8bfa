// The edges of the architecture picture: their ids, where they meet the boxes (each kind on its
// own side, fans in lanes so no edge crosses a sibling box) and the figure's fixed edges: accept,
// handoffs, clients, one per pipe of the header, the manager's forks.
#include <algorithm>
#include <map>
#include <string>

#include "viewer/layout/architecture_parts.h"
#include "viewer/layout/layout_text.h"
#include "viewer/model/architecture_state.h"

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

const ReactorState* findReactor(const ArchitectureState* state, int index)
{
    if (state == nullptr) return nullptr;
    for (const ReactorState& r : state->reactors())
        if (r.index == index) return &r;
    return nullptr;
}

const WorkerState* findWorker(const ArchitectureState* state, int index)
{
    if (state == nullptr) return nullptr;
    for (const WorkerState& w : state->workers())
        if (w.index == index) return &w;
    return nullptr;
}

float bottomOf(const RectF& r)
{
    return r.y + r.h;
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

void EdgeBook::setFans(float handoffX, float managerX)
{
    handoffX_ = handoffX;
    managerX_ = managerX;
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
        e.a = {managerX_, bottomOf(src->rect)};
        e.b = {b.x + b.w, b.y + b.h / 2};
    }
    else  // pipe, write: reactor -> worker
    {
        e.a = {src->rect.x + src->rect.w, src->rect.y + src->rect.h * t};
        e.b = {b.x, b.y + b.h / 2};
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

    // One edge per pipe of the header, spread over the right side of the reactor that polls it.
    std::map<int, int> pipesOf;
    for (const Pipe& p : facts.pipes) ++pipesOf[p.reactor];
    std::map<int, int> placed;
    for (const Pipe& p : facts.pipes)
    {
        int k = placed[p.reactor]++;
        EdgeRecord* e =
            book.addEdge(edgeIdPipe(p.reactor, p.worker), "pipe", nodeIdReactor(p.reactor),
                         nodeIdWorker(p.worker), k, pipesOf[p.reactor]);
        if (e == nullptr) continue;
        if (const PipeState* ps = findPipe(state, p.reactor, p.worker))
        {
            e->count = ps->toWorker + ps->toReactor;
            if (ps->full)
            {
                e->color = rgba(235, 85, 80);
                e->label = "full  " + formatBytes(ps->queuedBytes) + " queued";
            }
        }
    }
    for (int w : facts.hasManager ? facts.workers : std::vector<int>{})
    {
        EdgeRecord* e = book.addEdge(edgeIdManager(w), "manager", "manager", nodeIdWorker(w));
        if (const WorkerState* ws = findWorker(state, w); e != nullptr && ws != nullptr)
            e->count = ws->restarts;
    }

    // The selected session's way to its worker is lit too: the pipe of that worker, whichever
    // reactor thread polls it.
    if (state == nullptr || in.selectedSession == 0) return;
    auto it = state->sessions().find(in.selectedSession);
    if (it == state->sessions().end() || it->second.worker < 0) return;
    for (const Pipe& p : facts.pipes)
        if (p.worker == it->second.worker)
            if (EdgeRecord* e = book.edge(edgeIdPipe(p.reactor, p.worker)))
                e->color = sessionColor(in.selectedSession);
}

}  // namespace rscope::viewer::arch
