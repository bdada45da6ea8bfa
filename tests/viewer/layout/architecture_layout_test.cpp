// The architecture picture from hand-made topologies, states and activities: one box per process
// and thread of the header, boxes inside the canvas without overlaps at any size, one edge per
// pipe, tokens on their edges, rate mode, folded clients.
#include "viewer/layout/architecture_layout.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "viewer/layout/startup_parts.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

constexpr float kEps = 1e-3f;

// A process-mode header as the server writes it: reactor r polls the pipes of workers
// w % reactors == r (model section 1), pids and tids in the article's range.
Topology makeTopology(int reactors, int workers, int openSessions = 0)
{
    Topology t;
    t.formatVersion = "1.0";
    t.mode = "process";
    t.host = "127.0.0.1";
    t.port = 9502;
    t.reactorNum = reactors;
    t.workerNum = workers;
    t.dispatchMode = 2;
    t.processes.push_back({Role::Master, -1, 4100, 0});
    t.processes.push_back({Role::Manager, -1, 4101, 0});
    t.threads.push_back({Role::Master, -1, 4100, 4100, "master"});
    t.threads.push_back({Role::Manager, -1, 4101, 4101, "manager"});
    for (int r = 0; r < reactors; ++r)
        t.threads.push_back(
            {Role::Reactor, r, 4100, 4200 + r, "reactor[" + std::to_string(r) + "]"});
    for (int w = 0; w < workers; ++w)
    {
        t.processes.push_back({Role::Worker, w, 4300 + w, 1});
        t.threads.push_back(
            {Role::Worker, w, 4300 + w, 4300 + w, "worker[" + std::to_string(w) + "]"});
        t.pipes.push_back({w % reactors, w, 7 + 2 * w, 6 + 2 * w});
    }
    t.listeners.push_back({"127.0.0.1", 9502, 3});
    for (int s = 1; s <= openSessions; ++s)
        t.connections.push_back(
            {s, 20 + s, (20 + s) % reactors, "127.0.0.1:" + std::to_string(40000 + s)});
    return t;
}

struct Fixture
{
    TraceStore store;
    Activity activity;
    ArchitectureLayoutInput input(RectF canvas, float fontSize = 13.0f)
    {
        ArchitectureLayoutInput in;
        in.store = &store;
        in.activity = &activity;
        in.canvas = canvas;
        in.fontSize = fontSize;
        return in;
    }
    // Appends an event emitted by the header thread of `role`/`index`; returns its index.
    size_t add(EventKind kind, Role role, int index, Event e = {})
    {
        e.kind = kind;
        e.seq = store.size() + 1;
        e.tsNs = 1000 * static_cast<int64_t>(e.seq);
        for (const Actor& a : store.topology().threads)
            if (a.role == role && a.index == index) e.actor = store.internActor(a);
        store.append(e, "{}", "");
        return store.size() - 1;
    }
};

bool inside(const RectF& inner, const RectF& outer)
{
    return inner.x >= outer.x - kEps && inner.y >= outer.y - kEps &&
           inner.x + inner.w <= outer.x + outer.w + kEps &&
           inner.y + inner.h <= outer.y + outer.h + kEps;
}

bool overlap(const RectF& a, const RectF& b)
{
    return a.x < b.x + b.w - kEps && b.x < a.x + a.w - kEps && a.y < b.y + b.h - kEps &&
           b.y < a.y + a.h - kEps;
}

bool onBorder(Vec2f p, const RectF& r)
{
    bool inX = p.x >= r.x - kEps && p.x <= r.x + r.w + kEps;
    bool inY = p.y >= r.y - kEps && p.y <= r.y + r.h + kEps;
    bool onX = std::fabs(p.x - r.x) < kEps || std::fabs(p.x - r.x - r.w) < kEps;
    bool onY = std::fabs(p.y - r.y) < kEps || std::fabs(p.y - r.y - r.h) < kEps;
    return inX && inY && (onX || onY);
}

int countRole(const DrawList& list, const std::string& role)
{
    int n = 0;
    for (const NodeRecord& node : list.nodes) n += node.role == role;
    return n;
}

void expectNear(Vec2f p, Vec2f q)
{
    EXPECT_NEAR(p.x, q.x, kEps);
    EXPECT_NEAR(p.y, q.y, kEps);
}

struct Shape
{
    int reactors;
    int workers;
};

class ArchitectureShapes : public ::testing::TestWithParam<Shape>
{
};

TEST_P(ArchitectureShapes, OneNodePerProcessAndThreadOfTheHeader)
{
    Shape shape = GetParam();
    Fixture fx;
    fx.store.setTopology(makeTopology(shape.reactors, shape.workers));
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));

    EXPECT_EQ(list.picture, "architecture");
    EXPECT_EQ(countRole(list, "master"), 1);
    EXPECT_EQ(countRole(list, "main_reactor"), 1);
    EXPECT_EQ(countRole(list, "reactor"), shape.reactors);
    EXPECT_EQ(countRole(list, "manager"), 1);
    EXPECT_EQ(countRole(list, "worker"), shape.workers);
    EXPECT_EQ(countRole(list, "client"), 0);
    for (int r = 0; r < shape.reactors; ++r)
    {
        const NodeRecord* n = list.findNode(nodeIdReactor(r));
        ASSERT_NE(n, nullptr) << r;
        EXPECT_EQ(n->parent, "master");
        EXPECT_NE(n->title.find("tid " + std::to_string(4200 + r)), std::string::npos) << n->title;
    }
    for (int w = 0; w < shape.workers; ++w)
    {
        const NodeRecord* n = list.findNode(nodeIdWorker(w));
        ASSERT_NE(n, nullptr) << w;
        EXPECT_EQ(n->parent, "");
        EXPECT_NE(n->title.find("pid " + std::to_string(4300 + w)), std::string::npos) << n->title;
    }
    ASSERT_NE(list.findNode("master"), nullptr);
    EXPECT_EQ(list.findNode("master")->title, "master  pid 4100");
    EXPECT_EQ(list.findNode("main_reactor")->parent, "master");
}

TEST_P(ArchitectureShapes, TwoPipeEdgesPerTopologyPipeOnePerDirection)
{
    Shape shape = GetParam();
    Fixture fx;
    fx.store.setTopology(makeTopology(shape.reactors, shape.workers));
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));

    int pipes = 0;
    for (const EdgeRecord& e : list.edges) pipes += e.kind == "pipe";
    EXPECT_EQ(pipes, 2 * static_cast<int>(fx.store.topology().pipes.size()));
    for (const Pipe& p : fx.store.topology().pipes)
    {
        const EdgeRecord* e = list.findEdge(edgeIdPipe(p.reactor, p.worker));
        ASSERT_NE(e, nullptr) << p.reactor << "->" << p.worker;
        EXPECT_EQ(e->kind, "pipe");
        EXPECT_EQ(e->from, nodeIdReactor(p.reactor));
        EXPECT_EQ(e->to, nodeIdWorker(p.worker));
        const RectF& reactor = list.findNode(e->from)->rect;
        const RectF& worker = list.findNode(e->to)->rect;
        EXPECT_TRUE(onBorder(e->a, reactor));
        EXPECT_TRUE(onBorder(e->b, worker));
        // Out of the reactor's right side into the worker's left side.
        EXPECT_NEAR(e->a.x, reactor.x + reactor.w, kEps);
        EXPECT_NEAR(e->b.x, worker.x, kEps);
        // The replies' edge: the other way (its arrowhead, b, at the reactor), parallel to the
        // requests' edge and just below it.
        const EdgeRecord* back = list.findEdge(edgeIdPipeReturn(p.reactor, p.worker));
        ASSERT_NE(back, nullptr) << p.reactor << "<-" << p.worker;
        EXPECT_EQ(back->kind, "pipe");
        EXPECT_EQ(back->from, nodeIdWorker(p.worker));
        EXPECT_EQ(back->to, nodeIdReactor(p.reactor));
        EXPECT_TRUE(onBorder(back->a, worker));
        EXPECT_TRUE(onBorder(back->b, reactor));
        EXPECT_NEAR(back->a.x, worker.x, kEps);
        EXPECT_NEAR(back->b.x, reactor.x + reactor.w, kEps);
        EXPECT_GT(back->a.y, e->b.y + 2);
        EXPECT_GT(back->b.y, e->a.y + 2);
        EXPECT_NEAR(back->a.y - e->b.y, back->b.y - e->a.y, kEps);
    }
    // The other edges of the figure: accept, one handoff per reactor, one fork per worker.
    ASSERT_NE(list.findEdge("accept"), nullptr);
    EXPECT_EQ(list.findEdge("accept")->to, "main_reactor");
    for (int r = 0; r < shape.reactors; ++r)
    {
        const EdgeRecord* e = list.findEdge("handoff[" + std::to_string(r) + "]");
        ASSERT_NE(e, nullptr);
        EXPECT_TRUE(onBorder(e->a, list.findNode("main_reactor")->rect));
        EXPECT_TRUE(onBorder(e->b, list.findNode(nodeIdReactor(r))->rect));
    }
    for (int w = 0; w < shape.workers; ++w)
    {
        const EdgeRecord* e = list.findEdge("manager->" + nodeIdWorker(w));
        ASSERT_NE(e, nullptr);
        EXPECT_TRUE(onBorder(e->a, list.findNode("manager")->rect));
        EXPECT_TRUE(onBorder(e->b, list.findNode(nodeIdWorker(w))->rect));
    }
}

INSTANTIATE_TEST_SUITE_P(Topologies, ArchitectureShapes,
                         ::testing::Values(Shape{2, 4}, Shape{4, 8}, Shape{1, 1}, Shape{2, 2}),
                         [](const auto& test) {
                             return std::to_string(test.param.reactors) + "x" +
                                    std::to_string(test.param.workers);
                         });

struct CanvasCase
{
    RectF canvas;
    Shape shape;
    int sessions;
};

class ArchitectureCanvases : public ::testing::TestWithParam<CanvasCase>
{
};

TEST_P(ArchitectureCanvases, NodesStayInsideTheCanvasWithoutSiblingOverlaps)
{
    CanvasCase c = GetParam();
    Fixture fx;
    fx.store.setTopology(makeTopology(c.shape.reactors, c.shape.workers, c.sessions));
    DrawList list = layoutArchitecture(fx.input(c.canvas));

    const NodeRecord* master = list.findNode("master");
    ASSERT_NE(master, nullptr);
    for (const NodeRecord& n : list.nodes)
    {
        EXPECT_TRUE(inside(n.rect, c.canvas)) << n.id;
        EXPECT_GE(n.rect.w, 0.0f) << n.id;
        EXPECT_GE(n.rect.h, 0.0f) << n.id;
        if (n.parent == "master")
        {
            EXPECT_TRUE(inside(n.rect, master->rect)) << n.id;
        }
    }
    for (size_t i = 0; i < list.nodes.size(); ++i)
        for (size_t j = i + 1; j < list.nodes.size(); ++j)
        {
            if (list.nodes[i].parent != list.nodes[j].parent) continue;
            EXPECT_FALSE(overlap(list.nodes[i].rect, list.nodes[j].rect))
                << list.nodes[i].id << " overlaps " << list.nodes[j].id;
        }
    for (const EdgeRecord& e : list.edges)
    {
        EXPECT_TRUE(c.canvas.contains(e.a) || onBorder(e.a, c.canvas)) << e.id;
        EXPECT_TRUE(c.canvas.contains(e.b) || onBorder(e.b, c.canvas)) << e.id;
    }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ArchitectureCanvases,
                         ::testing::Values(CanvasCase{{0, 0, 1280, 800}, {2, 4}, 3},
                                           CanvasCase{{0, 0, 1280, 800}, {4, 8}, 12},
                                           CanvasCase{{40, 60, 1366, 700}, {4, 8}, 8},
                                           CanvasCase{{0, 0, 2560, 1440}, {4, 8}, 20},
                                           CanvasCase{{0, 0, 800, 500}, {4, 8}, 12},
                                           CanvasCase{{10, 20, 480, 300}, {2, 4}, 5},
                                           CanvasCase{{0, 0, 320, 200}, {4, 8}, 12},
                                           CanvasCase{{0, 0, 160, 90}, {8, 16}, 30}),
                         [](const auto& test) { return "case" + std::to_string(test.index); });

TEST(ArchitectureLayout, SizesFollowTheFont)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    DrawList small = layoutArchitecture(fx.input({0, 0, 2000, 1400}, 10.0f));
    DrawList large = layoutArchitecture(fx.input({0, 0, 2000, 1400}, 20.0f));
    for (const char* id : {"main_reactor", "reactor[0]", "worker[1]", "manager"})
        EXPECT_NEAR(large.findNode(id)->rect.h, 2 * small.findNode(id)->rect.h, 0.01f) << id;
}

TEST(ArchitectureLayout, ClientsFoldBeyondMaxClientsKeepingTheSelectedOne)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4, 12));
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.maxClients = 8;
    in.selectedSession = 11;
    DrawList list = layoutArchitecture(in);

    const NodeRecord* folded = list.findNode("clients");
    ASSERT_NE(folded, nullptr);
    EXPECT_EQ(folded->title, "+4 more");
    EXPECT_EQ(countRole(list, "client"), 9);  // 8 sessions + the folded node
    ASSERT_NE(list.findNode(nodeIdClient(11)), nullptr);
    EXPECT_TRUE(list.findNode(nodeIdClient(11))->selected);
    EXPECT_EQ(list.findNode(nodeIdClient(12)), nullptr);
    // Shown clients are sorted by session from top to bottom; each joins its reactor.
    float lastY = -1;
    for (const NodeRecord& n : list.nodes)
    {
        if (n.role != "client" || n.id == "clients") continue;
        EXPECT_GT(n.rect.y, lastY);
        lastY = n.rect.y;
    }
    const EdgeRecord* e =
        list.findEdge("client[11]->reactor[" + std::to_string((20 + 11) % 2) + "]");
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(onBorder(e->a, list.findNode(nodeIdClient(11))->rect));

    in.maxClients = 12;
    DrawList all = layoutArchitecture(in);
    EXPECT_EQ(all.findNode("clients"), nullptr);
    EXPECT_EQ(countRole(all, "client"), 12);
}

TEST(ArchitectureLayout, TokensSitOnTheirEdgeByProgressAndDirection)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4, 1));  // session 1: fd 21, reactor 1
    Event read;
    read.session = 1;
    read.fd = 21;
    read.reactor = 1;
    read.bytes = 12;
    size_t readIndex = fx.add(EventKind::Read, Role::Reactor, 1, read);
    Event reply;
    reply.session = 1;
    reply.reactor = 1;
    reply.worker = 1;
    reply.bytes = 60;
    reply.pipeType = PipeType::SendData;
    reply.direction = Direction::ToReactor;
    size_t replyIndex = fx.add(EventKind::PipeWrite, Role::Worker, 1, reply);
    for (double p : {0.0, 0.5, 1.0})
    {
        fx.activity.hops.push_back({readIndex, {EdgeClass::ClientToReactor, 1, 1}, p});
        fx.activity.hops.push_back({replyIndex, {EdgeClass::WorkerToReactor, 1, 1}, p});
    }
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.selectedSession = 1;
    DrawList list = layoutArchitecture(in);

    ASSERT_EQ(list.tokens.size(), 6u);
    const EdgeRecord* client = list.findEdge("client[1]->reactor[1]");
    const EdgeRecord* pipe = list.findEdge(edgeIdPipeReturn(1, 1));
    ASSERT_NE(client, nullptr);
    ASSERT_NE(pipe, nullptr);
    for (size_t i = 0; i < 3; ++i)
    {
        const TokenRecord& forward = list.tokens[2 * i];
        const TokenRecord& back = list.tokens[2 * i + 1];
        float p = forward.progress;
        EXPECT_EQ(forward.edge, client->id);
        EXPECT_FALSE(forward.reverse);
        expectNear(forward.pos, {client->a.x + (client->b.x - client->a.x) * p,
                                 client->a.y + (client->b.y - client->a.y) * p});
        // The SEND_DATA reply travels the pipe's worker -> reactor edge, towards its arrowhead
        // at the reactor thread (not backwards on the edge whose arrow points at the worker).
        EXPECT_EQ(back.edge, pipe->id);
        EXPECT_FALSE(back.reverse);
        EXPECT_EQ(pipe->to, nodeIdReactor(1));
        expectNear(back.pos, {pipe->a.x + (pipe->b.x - pipe->a.x) * p,
                              pipe->a.y + (pipe->b.y - pipe->a.y) * p});
    }
    expectNear(list.tokens[0].pos, client->a);
    expectNear(list.tokens[2].pos,
               {(client->a.x + client->b.x) / 2, (client->a.y + client->b.y) / 2});
    expectNear(list.tokens[4].pos, client->b);
    expectNear(list.tokens[1].pos, pipe->a);
    expectNear(list.tokens[5].pos, pipe->b);

    const TokenRecord& t = list.tokens[0];
    EXPECT_EQ(t.label, "read 12B");
    EXPECT_EQ(t.kind, "read");
    EXPECT_EQ(t.session, 1);
    EXPECT_TRUE(t.selected);
    EXPECT_EQ(t.eventIndex, readIndex);
    EXPECT_EQ(t.seq, fx.store[readIndex].seq);
    EXPECT_EQ(list.tokens[1].label, "SEND_DATA 60B");
    EXPECT_EQ(list.tokens[0].color, list.tokens[1].color);  // one colour per session
    bool fn = false;
    for (const std::string& line : t.tooltip)
        fn |= line.find("swReactorThread_onRead") != std::string::npos;
    EXPECT_TRUE(fn);
    EXPECT_FALSE(list.rateMode);
    EXPECT_TRUE(list.banner.empty());
}

// Task workers (model section 10): a column of their own right of the workers, the manager's
// forks to them, a task edge and a finish edge per (worker, task worker) pair, no reactor pipe;
// a TASK token travels from the calling worker to the task worker.
TEST(ArchitectureLayout, TaskWorkersGetAColumnTheirEdgesAndTheirTokens)
{
    Fixture fx;
    Topology t = makeTopology(2, 2);
    t.taskWorkerNum = 2;
    for (int id : {2, 3})
    {
        t.processes.push_back({Role::TaskWorker, id, 4300 + id, 1});
        t.threads.push_back({Role::TaskWorker, id, 4300 + id, 4300 + id,
                             "task_worker[" + std::to_string(id) + "]"});
        t.pipes.push_back({-1, id, 7 + 2 * id, 6 + 2 * id});
    }
    fx.store.setTopology(t);
    ArchitectureState state;
    state.reset(fx.store.topology());
    Event task;
    task.session = 1;
    task.worker = 2;
    task.bytes = 72;
    task.pipeType = PipeType::Task;
    task.direction = Direction::ToTaskWorker;
    size_t taskIndex = fx.add(EventKind::PipeWrite, Role::Worker, 0, task);
    state.apply(fx.store[taskIndex], &fx.store.actorOf(fx.store[taskIndex]));
    Event enter;
    enter.session = 1;
    enter.worker = 2;
    enter.callback = CallbackId::OnTask;
    size_t enterIndex = fx.add(EventKind::CallbackEnter, Role::TaskWorker, 2, enter);
    state.apply(fx.store[enterIndex], &fx.store.actorOf(fx.store[enterIndex]));
    fx.activity.hops.push_back(
        {taskIndex, {EdgeClass::WorkerToWorker, fx.store[taskIndex].actor, 2}, 0.5});
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.state = &state;
    DrawList list = layoutArchitecture(in);

    EXPECT_EQ(countRole(list, "task_worker"), 2);
    EXPECT_EQ(countRole(list, "worker"), 2);
    const NodeRecord* tw = list.findNode(nodeIdTaskWorker(2));
    const NodeRecord* w1 = list.findNode(nodeIdWorker(1));
    ASSERT_NE(tw, nullptr);
    ASSERT_NE(w1, nullptr);
    EXPECT_GT(tw->rect.x, w1->rect.x + w1->rect.w) << "right of the workers";
    EXPECT_EQ(tw->state, "busy");
    EXPECT_NE(tw->lines.front().find("onTask"), std::string::npos) << tw->lines.front();
    for (const NodeRecord& a : list.nodes)
    {
        if (a.role != "task_worker") continue;
        for (const NodeRecord& b : list.nodes)
        {
            if (&a == &b || b.role == "master") continue;
            EXPECT_FALSE(overlap(a.rect, b.rect)) << b.id;
        }
    }
    for (int w : {0, 1})
        for (int id : {2, 3})
        {
            const EdgeRecord* forward =
                list.findEdge("task[" + std::to_string(w) + "->" + std::to_string(id) + "]");
            const EdgeRecord* back =
                list.findEdge("finish[" + std::to_string(id) + "->" + std::to_string(w) + "]");
            ASSERT_NE(forward, nullptr);
            ASSERT_NE(back, nullptr);
            EXPECT_EQ(forward->to, nodeIdTaskWorker(id));
            EXPECT_EQ(back->to, nodeIdWorker(w));
        }
    EXPECT_EQ(list.findEdge("task[0->2]")->count, 1u);
    EXPECT_NE(list.findEdge("manager->task_worker[3]"), nullptr);
    for (const EdgeRecord& e : list.edges)
    {
        EXPECT_FALSE(e.kind == "pipe" && e.to.find("task_worker") != std::string::npos)
            << "no reactor reads a task worker's pipe: " << e.id;
    }
    ASSERT_EQ(list.tokens.size(), 1u);
    EXPECT_EQ(list.tokens[0].edge, "task[0->2]");
    EXPECT_EQ(list.tokens[0].label, "TASK 72B");
}

TEST(ArchitectureLayout, TokenLabelsComeFromTheirEvents)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    Event accept;
    accept.session = 7;
    accept.fd = 30;
    size_t a = fx.add(EventKind::Accept, Role::Master, -1, accept);
    Event dispatch;
    dispatch.session = 7;
    dispatch.reactor = 0;
    dispatch.worker = 2;
    dispatch.bytes = 60;
    dispatch.pipeType = PipeType::RecvData;
    dispatch.direction = Direction::ToWorker;
    size_t d = fx.add(EventKind::PipeWrite, Role::Reactor, 0, dispatch);
    Event fin;
    fin.session = 7;
    fin.reactor = 0;
    fin.cause = static_cast<uint8_t>(trace::Cause::Eof);
    size_t f = fx.add(EventKind::PeerClose, Role::Reactor, 0, fin);
    fx.activity.hops = {{a, {EdgeClass::ClientToMain, 7, -1}, 0.5},
                        {d, {EdgeClass::ReactorToWorker, 0, 2}, 0.5},
                        {f, {EdgeClass::ClientToReactor, 0, 7}, 0.5}};
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));

    ASSERT_EQ(list.tokens.size(), 3u);
    EXPECT_EQ(list.tokens[0].label, "accept fd 30");
    EXPECT_EQ(list.tokens[0].edge, "accept");
    EXPECT_EQ(list.tokens[1].label, "RECV_DATA 60B");
    EXPECT_EQ(list.tokens[1].edge, edgeIdPipe(0, 2));
    EXPECT_EQ(list.tokens[2].label, "FIN");
    // Session 7 is closed at the cursor but its tokens still fly: it keeps a client node.
    ASSERT_NE(list.findNode(nodeIdClient(7)), nullptr);
    EXPECT_EQ(list.tokens[2].edge, "client[7]->reactor[0]");
}

TEST(ArchitectureLayout, AHopWithoutATopologyPipeGetsAnEdgeOfItsOwn)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    Event e;
    e.session = 3;
    e.reactor = 1;
    e.worker = 2;  // polled by reactor 0
    e.pipeType = PipeType::RecvData;
    size_t i = fx.add(EventKind::Dispatch, Role::Reactor, 1, e);
    fx.activity.hops = {{i, {EdgeClass::ReactorToWorker, 1, 2}, 1.0}};
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));

    ASSERT_EQ(list.tokens.size(), 1u);
    const EdgeRecord* edge = list.findEdge(list.tokens[0].edge);
    ASSERT_NE(edge, nullptr);
    EXPECT_EQ(edge->kind, "write");
    EXPECT_EQ(edge->from, nodeIdReactor(1));
    EXPECT_EQ(edge->to, nodeIdWorker(2));
    expectNear(list.tokens[0].pos, edge->b);
    EXPECT_TRUE(onBorder(edge->b, list.findNode(nodeIdWorker(2))->rect));
}

TEST(ArchitectureLayout, RateModeDrawsNoTokensAndLabelsEdgesWithRates)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4, 3));
    size_t i = fx.add(EventKind::Read, Role::Reactor, 0);
    fx.activity.rateMode = true;
    fx.activity.hops = {{i, {EdgeClass::ClientToReactor, 0, 1}, 0.5}};  // ignored in rate mode
    fx.activity.rates = {{{EdgeClass::ReactorToWorker, 0, 0}, 6000, 6000.0},
                         {{EdgeClass::WorkerToReactor, 0, 0}, 6300, 6300.0},
                         {{EdgeClass::ClientToReactor, 1, -1}, 40, 40.0},
                         {{EdgeClass::ClientToMain, -1, -1}, 3, 3.0}};
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));

    EXPECT_TRUE(list.rateMode);
    EXPECT_TRUE(list.tokens.empty());
    EXPECT_EQ(list.banner, "events arrive faster than they can be animated: edges show rates");
    // Each direction of the pipe on its own edge.
    const EdgeRecord* pipe = list.findEdge(edgeIdPipe(0, 0));
    ASSERT_NE(pipe, nullptr);
    EXPECT_EQ(pipe->label, "6.0k/s");
    EXPECT_DOUBLE_EQ(pipe->ratePerSec, 6000.0);
    EXPECT_EQ(pipe->count, 6000u);
    const EdgeRecord* replies = list.findEdge(edgeIdPipeReturn(0, 0));
    ASSERT_NE(replies, nullptr);
    EXPECT_EQ(replies->label, "6.3k/s");
    EXPECT_EQ(replies->count, 6300u);
    const EdgeRecord* clients = list.findEdge("clients->reactor[1]");
    ASSERT_NE(clients, nullptr);
    EXPECT_EQ(clients->label, "40/s");
    EXPECT_EQ(list.findEdge("accept")->label, "3.0/s");
    // Thickness grows with the log of the rate.
    const EdgeRecord* idle = list.findEdge(edgeIdPipe(1, 1));
    ASSERT_NE(idle, nullptr);
    EXPECT_TRUE(idle->label.empty());
    EXPECT_GT(clients->thickness, idle->thickness);
    EXPECT_GT(pipe->thickness, clients->thickness);
    // Boxes keep clear of the banner band the painter draws along the bottom.
    for (const NodeRecord& n : list.nodes) EXPECT_LT(n.rect.y + n.rect.h, 800 - 13.0f) << n.id;
}

// Every pipe busy (2 reactors, 4 workers: the pipes of reactor 0 and reactor 1 cross on their
// way to the workers): no rate label sits on a point where two edges cross, none covers
// another, and each stays by its own edge, at 1280x800 and 1024x700 (the painter centres it on
// labelAt).
TEST(ArchitectureLayout, RateLabelsSitOffTheEdgeCrossings)
{
    for (RectF canvas : {RectF{8, 54, 930, 404}, RectF{8, 54, 738, 338}})
    {
        SCOPED_TRACE(canvas.w);
        Fixture fx;
        fx.store.setTopology(makeTopology(2, 4));
        fx.activity.rateMode = true;
        for (int w = 0; w < 4; ++w)
        {
            fx.activity.rates.push_back(
                {{EdgeClass::ReactorToWorker, w % 2, w}, 900u + w, 900.0 + 100 * w});
            fx.activity.rates.push_back(
                {{EdgeClass::WorkerToReactor, w % 2, w}, 800u + w, 800.0 + 100 * w});
        }
        DrawList list = layoutArchitecture(fx.input(canvas, 15.0f));
        // Where edges cross (not where they share an end).
        std::vector<Vec2f> crossings;
        for (size_t i = 0; i < list.edges.size(); ++i)
            for (size_t j = i + 1; j < list.edges.size(); ++j)
            {
                const EdgeRecord& s = list.edges[i];
                const EdgeRecord& o = list.edges[j];
                float rx = s.b.x - s.a.x, ry = s.b.y - s.a.y, qx = o.b.x - o.a.x,
                      qy = o.b.y - o.a.y;
                float den = rx * qy - ry * qx;
                if (std::fabs(den) < 1e-6f) continue;
                float wx = o.a.x - s.a.x, wy = o.a.y - s.a.y;
                float t = (wx * qy - wy * qx) / den, u = (wx * ry - wy * rx) / den;
                if (t > 0.05f && t < 0.95f && u > 0.05f && u < 0.95f)
                    crossings.push_back({s.a.x + rx * t, s.a.y + ry * t});
            }
        EXPECT_GE(crossings.size(), 2u);  // the picture this test is about
        std::vector<RectF> labels;
        for (const EdgeRecord& e : list.edges)
        {
            if (e.kind != "pipe") continue;
            ASSERT_FALSE(e.label.empty()) << e.id;
            ASSERT_TRUE(e.labelAt.has_value()) << e.id;
            Vec2f c = *e.labelAt;
            float w = startup::textWidth(e.label, 15.0f) + 15.0f * 0.6f, h = 15.0f * 1.2f;
            RectF r{c.x - w / 2, c.y - h / 2, w, h};
            for (const RectF& other : labels) EXPECT_FALSE(overlap(r, other)) << e.id;
            labels.push_back(r);
            for (Vec2f p : crossings)
                EXPECT_FALSE(r.contains(p)) << e.id << " on a crossing at " << p.x << "," << p.y;
            // Nor on a box's first line (a worker's name and pid, a reactor thread's).
            for (const NodeRecord& n : list.nodes)
            {
                if (n.id != "master")
                {
                    EXPECT_FALSE(overlap(r, RectF{n.rect.x, n.rect.y, n.rect.w, 15.0f * 1.4f}))
                        << e.id << " covers the title of " << n.id;
                }
            }
            // By its own edge: the centre within two label heights of the segment.
            float dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
            float t = std::clamp(((c.x - e.a.x) * dx + (c.y - e.a.y) * dy) / (dx * dx + dy * dy),
                                 0.0f, 1.0f);
            float ex = e.a.x + dx * t - c.x, ey = e.a.y + dy * t - c.y;
            EXPECT_LE(std::sqrt(ex * ex + ey * ey), 2 * h) << e.id;
        }
        EXPECT_EQ(labels.size(), 8u);
    }
}

// A lesson step naming a pipe ("pipe[0->2]") lights both of its directions.
TEST(ArchitectureLayout, AHighlightedPipeLightsBothDirections)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    std::vector<std::string> none, edges{edgeIdPipe(0, 2)};
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.highlightNodes = &none;
    in.highlightEdges = &edges;
    DrawList list = layoutArchitecture(in);
    EXPECT_TRUE(list.findEdge(edgeIdPipe(0, 2))->highlighted);
    EXPECT_TRUE(list.findEdge(edgeIdPipeReturn(0, 2))->highlighted);
    EXPECT_FALSE(list.findEdge(edgeIdPipe(0, 0))->highlighted);
    EXPECT_FALSE(list.findEdge(edgeIdPipeReturn(0, 0))->highlighted);
}

TEST(ArchitectureLayout, GlowsLightTheirActors)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    fx.activity.glows = {{Role::Worker, 3, 0, 0.8},
                         {Role::Reactor, 1, 0, 0.4},
                         {Role::Master, -1, 0, 1.0},
                         {Role::Worker, 99, 0, 1.0}};
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));
    EXPECT_FLOAT_EQ(list.findNode(nodeIdWorker(3))->glow, 0.8f);
    EXPECT_FLOAT_EQ(list.findNode(nodeIdReactor(1))->glow, 0.4f);
    EXPECT_FLOAT_EQ(list.findNode("main_reactor")->glow, 1.0f);
    EXPECT_FLOAT_EQ(list.findNode(nodeIdWorker(0))->glow, 0.0f);
}

TEST(ArchitectureLayout, TooltipsNameTheHistoricFunctions)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    DrawList list = layoutArchitecture(fx.input({0, 0, 1280, 800}));
    auto mentions = [&](const char* id, const char* text)
    {
        for (const std::string& line : list.findNode(id)->tooltip)
            if (line.find(text) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(mentions("main_reactor", "swServer_master_onAccept"));
    EXPECT_TRUE(mentions("reactor[1]", "swReactorThread_onPipeReceive"));
    EXPECT_TRUE(mentions("reactor[1]", "tid 4201"));
    EXPECT_TRUE(mentions("manager", "swManager_loop"));
    EXPECT_TRUE(mentions("worker[2]", "swWorker_onPipeReceive"));
    // Each end of a pipe names its own sender (issue 13).
    EXPECT_TRUE(mentions("reactor[1]", "swReactorThread_send2worker"));
    EXPECT_TRUE(mentions("worker[2]", "swWorker_send2reactor"));
    EXPECT_TRUE(mentions("worker[2]", "pid 4302"));
}

TEST(ArchitectureLayout, TheStateAtTheCursorDrivesStatesCountersAndClients)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureState state;
    state.reset(fx.store.topology());
    auto apply = [&](EventKind kind, Role role, int index, Event e)
    {
        size_t i = fx.add(kind, role, index, e);
        state.apply(fx.store[i], &fx.store.actorOf(fx.store[i]));
    };
    for (int w = 0; w < 4; ++w)
    {
        Event start;
        start.worker = w;
        apply(EventKind::WorkerStart, Role::Worker, w, start);
    }
    Event conn;
    conn.session = 5;
    conn.fd = 30;
    conn.reactor = 0;
    apply(EventKind::Accept, Role::Master, -1, conn);
    apply(EventKind::ReactorAssign, Role::Master, -1, conn);
    apply(EventKind::ReactorRegister, Role::Reactor, 0, conn);
    conn.bytes = 12;
    apply(EventKind::Read, Role::Reactor, 0, conn);
    Event enter;
    enter.session = 5;
    enter.worker = 2;
    enter.callback = CallbackId::OnReceive;
    apply(EventKind::CallbackEnter, Role::Worker, 2, enter);

    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.state = &state;
    in.selectedSession = 5;
    DrawList list = layoutArchitecture(in);

    const NodeRecord* busy = list.findNode(nodeIdWorker(2));
    ASSERT_NE(busy, nullptr);
    EXPECT_EQ(busy->state, "busy");
    EXPECT_GE(busy->glow, 0.5f);  // a running callback glows as long as it runs
    ASSERT_FALSE(busy->lines.empty());
    EXPECT_EQ(busy->lines[0], "busy: onReceive  session 5");
    EXPECT_EQ(list.findNode(nodeIdWorker(1))->state, "idle");
    EXPECT_NE(busy->fill, list.findNode(nodeIdWorker(1))->fill);

    const NodeRecord* reactor = list.findNode(nodeIdReactor(0));
    ASSERT_FALSE(reactor->lines.empty());
    EXPECT_EQ(reactor->lines[0], "connections 1");
    const NodeRecord* client = list.findNode(nodeIdClient(5));
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->state, "open");
    EXPECT_TRUE(client->selected);
    const EdgeRecord* edge = list.findEdge("client[5]->reactor[0]");
    ASSERT_NE(edge, nullptr);
    EXPECT_EQ(edge->count, state.sessions().at(5).requests);
    EXPECT_EQ(list.findEdge("accept")->count, 1u);
}

TEST(ArchitectureLayout, QueuedBytesShowOnTheReactorAndTheConnection)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureState state;
    state.reset(fx.store.topology());
    auto apply = [&](EventKind kind, Role role, int index, Event e)
    {
        size_t i = fx.add(kind, role, index, e);
        state.apply(fx.store[i], &fx.store.actorOf(fx.store[i]));
    };
    for (int64_t session : {5, 6})
    {
        Event conn;
        conn.session = session;
        conn.fd = static_cast<int32_t>(30 + session);
        conn.reactor = 0;
        apply(EventKind::Accept, Role::Master, -1, conn);
        apply(EventKind::ReactorRegister, Role::Reactor, 0, conn);
    }
    Event full;
    full.session = 5;
    full.fd = 35;
    full.reactor = 0;
    full.queued = 70000;  // args.queued of buffer_full
    apply(EventKind::BufferFull, Role::Reactor, 0, full);

    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.state = &state;
    DrawList list = layoutArchitecture(in);

    const NodeRecord* reactor = list.findNode(nodeIdReactor(0));
    ASSERT_NE(reactor, nullptr);
    ASSERT_EQ(reactor->lines.size(), 3u);
    EXPECT_EQ(reactor->lines[2], "queued 68.4 KB");
    const NodeRecord* backedUp = list.findNode(nodeIdClient(5));
    ASSERT_NE(backedUp, nullptr);
    ASSERT_FALSE(backedUp->lines.empty());
    // buffer_full raised the overflow flag (the limit is unknown: no watermark, an old header).
    EXPECT_EQ(backedUp->lines.back(), "queued 68.4 KB  overflow");
    // Nothing queued, no line: the other connection keeps its two.
    const NodeRecord* idle = list.findNode(nodeIdClient(6));
    ASSERT_NE(idle, nullptr);
    EXPECT_EQ(idle->lines.size(), backedUp->lines.size() - 1);
    for (const std::string& line : idle->lines) EXPECT_EQ(line.find("queued"), std::string::npos);
}

// Back-pressure colours: a connection amber from 75 % of socket_buffer_size and red at it or in
// overflow, its reactor as its worst connection (amber too for a pipe queue of its own), a
// full pipe red in the direction that is full, with what waits.
TEST(ArchitectureLayout, BackPressureColoursConnectionsReactorsAndPipes)
{
    Fixture fx;
    Topology topology = makeTopology(2, 4);
    topology.socketBufferSize = 262144;
    fx.store.setTopology(topology);
    ArchitectureState state;
    state.reset(fx.store.topology());
    auto apply = [&](EventKind kind, Role role, int index, Event e)
    {
        size_t i = fx.add(kind, role, index, e);
        state.apply(fx.store[i], &fx.store.actorOf(fx.store[i]));
    };
    auto conn = [](int64_t session, int reactor)
    {
        Event e;
        e.session = session;
        e.fd = static_cast<int32_t>(40 + session);
        e.reactor = static_cast<int16_t>(reactor);
        return e;
    };
    for (auto [session, reactor] : {std::pair{5, 0}, {6, 0}, {7, 1}})
    {
        apply(EventKind::Accept, Role::Master, -1, conn(session, reactor));
        apply(EventKind::ReactorRegister, Role::Reactor, reactor, conn(session, reactor));
    }
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.state = &state;
    const DrawList calm = layoutArchitecture(in);
    const NodeRecord calmClient = *calm.findNode(nodeIdClient(5));
    const NodeRecord calmReactor = *calm.findNode(nodeIdReactor(0));

    Event near = conn(5, 0);
    near.bytes = 1000;
    near.queued = 200000;  // 76 %
    apply(EventKind::ReactorWrite, Role::Reactor, 0, near);
    DrawList list = layoutArchitecture(in);
    const NodeRecord* amber = list.findNode(nodeIdClient(5));
    EXPECT_EQ(amber->lines.back(), "queued 195.3 KB  76 %");
    EXPECT_NE(amber->border, calmClient.border);
    EXPECT_NE(list.findNode(nodeIdReactor(0))->border, calmReactor.border);
    EXPECT_EQ(list.findNode(nodeIdReactor(1))->border, calmReactor.border);
    EXPECT_EQ(list.findNode(nodeIdClient(6))->border, calmClient.border);

    Event over = conn(5, 0);
    over.queued = 300000;
    over.bytes = 262144;  // the watermark
    apply(EventKind::BufferFull, Role::Reactor, 0, over);
    list = layoutArchitecture(in);
    const NodeRecord* red = list.findNode(nodeIdClient(5));
    EXPECT_EQ(red->lines.back(), "queued 293.0 KB  114 %  overflow");
    EXPECT_NE(red->border, amber->border);
    EXPECT_EQ(list.findNode(nodeIdReactor(0))->border, red->border);

    // Reactor 1's own queue for worker 1's pipe; worker 3's replies wait in worker 3.
    Event pipeFull;
    pipeFull.worker = 1;
    pipeFull.direction = Direction::ToWorker;
    pipeFull.queued = 700000;
    apply(EventKind::PipeFull, Role::Reactor, 1, pipeFull);
    Event backFull;
    backFull.worker = 3;
    backFull.direction = Direction::ToReactor;
    backFull.queued = 9000;
    apply(EventKind::PipeFull, Role::Worker, 3, backFull);
    list = layoutArchitecture(in);
    const NodeRecord* r1 = list.findNode(nodeIdReactor(1));
    EXPECT_EQ(r1->lines.back(), "pipe queue 683.6 KB");
    EXPECT_NE(r1->border, calmReactor.border);
    EXPECT_EQ(list.findEdge(edgeIdPipe(1, 1))->label, "full  683.6 KB queued");
    EXPECT_EQ(list.findEdge(edgeIdPipeReturn(1, 3))->label, "full  8.8 KB queued");
    EXPECT_TRUE(list.findEdge(edgeIdPipe(1, 3))->label.empty());
}

TEST(ArchitectureLayout, NoStoreOrDegenerateCanvasYieldsFiniteRecords)
{
    ArchitectureLayoutInput none;
    DrawList empty = layoutArchitecture(none);
    EXPECT_NE(empty.findNode("master"), nullptr);

    Fixture fx;
    fx.store.setTopology(makeTopology(4, 8, 3));
    DrawList list = layoutArchitecture(fx.input({0, 0, 0, 0}, 0.0f));
    for (const NodeRecord& n : list.nodes)
    {
        EXPECT_TRUE(std::isfinite(n.rect.x) && std::isfinite(n.rect.y)) << n.id;
        EXPECT_TRUE(std::isfinite(n.rect.w) && std::isfinite(n.rect.h)) << n.id;
    }
    for (const EdgeRecord& e : list.edges)
        EXPECT_TRUE(std::isfinite(e.a.x) && std::isfinite(e.b.y)) << e.id;
}

TEST(ArchitectureLayout, TutorialHighlightsMarkExactlyTheNamedRecordsWithoutMovingThem)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    DrawList plain = layoutArchitecture(in);
    std::vector<std::string> nodes{"worker[2]", "reactor[*"};
    std::vector<std::string> edges{edgeIdPipe(0, 2)};
    in.highlightNodes = &nodes;
    in.highlightEdges = &edges;
    DrawList marked = layoutArchitecture(in);

    ASSERT_EQ(plain.nodes.size(), marked.nodes.size());
    std::set<std::string> highlighted;
    for (size_t i = 0; i < marked.nodes.size(); ++i)
    {
        const NodeRecord& n = marked.nodes[i];
        EXPECT_FALSE(plain.nodes[i].highlighted);
        // A highlight changes the look, never the place.
        EXPECT_FLOAT_EQ(n.rect.x, plain.nodes[i].rect.x) << n.id;
        EXPECT_FLOAT_EQ(n.rect.y, plain.nodes[i].rect.y) << n.id;
        if (!n.highlighted) continue;
        highlighted.insert(n.id);
        EXPECT_FLOAT_EQ(n.glow, 1.0f);
    }
    EXPECT_EQ(highlighted, (std::set<std::string>{"worker[2]", "reactor[0]", "reactor[1]"}));
    // The named pipe, both of its directions (a lesson names the pipe, not one direction).
    for (const EdgeRecord& e : marked.edges)
        EXPECT_EQ(e.highlighted, e.id == edgeIdPipe(0, 2) || e.id == edgeIdPipeReturn(0, 2))
            << e.id;
    const EdgeRecord* pipe = marked.findEdge(edgeIdPipe(0, 2));
    ASSERT_NE(pipe, nullptr);
    EXPECT_GT(pipe->thickness, plain.findEdge(edgeIdPipe(0, 2))->thickness);
}

TEST(ArchitectureLayout, AWorkerTheViewerStoppedSaysSoInItsBox)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureState state;
    state.reset(fx.store.topology());
    ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
    in.state = &state;
    DrawList plain = layoutArchitecture(in);
    std::vector<int> stopped{1};
    in.stoppedWorkers = &stopped;
    DrawList list = layoutArchitecture(in);
    const NodeRecord* w1 = list.findNode(nodeIdWorker(1));
    ASSERT_NE(w1, nullptr);
    EXPECT_EQ(w1->state, "stopped");
    ASSERT_FALSE(w1->lines.empty());
    EXPECT_EQ(w1->lines.front(), "stopped (SIGSTOP)");
    EXPECT_NE(w1->fill, plain.findNode(nodeIdWorker(1))->fill);
    for (int w : {0, 2, 3})
        EXPECT_EQ(list.findNode(nodeIdWorker(w))->state, plain.findNode(nodeIdWorker(w))->state)
            << w;
}

// A slow trace reader leaves no mark in this viewer's stream: the layout notes it under the
// master, inside the canvas and clear of every box.
TEST(ArchitectureLayout, ASlowTraceReaderIsNotedUnderTheMaster)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureState state;
    state.reset(fx.store.topology());
    ArchitectureLayoutInput in = fx.input({0, 0, 931, 404});
    in.state = &state;
    auto noted = [](const DrawList& l)
    {
        for (const LabelRecord& label : l.labels)
            if (label.id == "slow_reader") return &label;
        return static_cast<const LabelRecord*>(nullptr);
    };
    EXPECT_EQ(noted(layoutArchitecture(in)), nullptr);
    in.slowTraceReader = true;
    DrawList list = layoutArchitecture(in);
    const LabelRecord* label = noted(list);
    ASSERT_NE(label, nullptr);
    const NodeRecord* master = list.findNode("master");
    ASSERT_NE(master, nullptr);
    EXPECT_GE(label->pos.y, master->rect.y + master->rect.h);
    EXPECT_LT(label->pos.y, in.canvas.y + in.canvas.h);
    EXPECT_FLOAT_EQ(label->pos.x, master->rect.x);
}

// Issue 13: a worker killed (no worker_exit before the manager's restart) is red and says
// "killed"; one that left gracefully (worker_exit: shutdown, max_request, reload) is grey and
// says why; a small legend along the top names every worker colour, in the UI language, with
// each swatch in the colour of the boxes and clear of them.
TEST(ArchitectureLayout, KilledAndGracefullyExitedWorkersDifferAndTheLegendNamesTheirColours)
{
    Fixture fx;
    fx.store.setTopology(makeTopology(2, 4));
    ArchitectureState state;
    state.reset(fx.store.topology());
    auto apply = [&](EventKind kind, Role role, int index, Event e)
    {
        size_t i = fx.add(kind, role, index, e);
        state.apply(fx.store[i], &fx.store.actorOf(fx.store[i]));
    };
    for (int w = 0; w < 4; ++w)
    {
        Event start;
        start.worker = w;
        apply(EventKind::WorkerStart, Role::Worker, w, start);
    }
    Event killed;
    killed.worker = 1;
    apply(EventKind::WorkerRestart, Role::Manager, -1, killed);
    Event graceful;
    graceful.worker = 3;
    graceful.cause = static_cast<uint8_t>(trace::Cause::Sigterm);
    apply(EventKind::WorkerExit, Role::Worker, 3, graceful);

    for (const char* language : {"en", "zh"})
    {
        SCOPED_TRACE(language);
        ArchitectureLayoutInput in = fx.input({0, 0, 1280, 800});
        in.state = &state;
        in.language = language;
        DrawList list = layoutArchitecture(in);
        const NodeRecord* red = list.findNode(nodeIdWorker(1));
        const NodeRecord* grey = list.findNode(nodeIdWorker(3));
        ASSERT_NE(red, nullptr);
        ASSERT_NE(grey, nullptr);
        EXPECT_EQ(red->state, "killed");
        EXPECT_EQ(grey->state, "exited");
        ASSERT_FALSE(grey->lines.empty());
        EXPECT_EQ(grey->lines.front(), "exited (sigterm)");
        EXPECT_NE(red->fill, grey->fill);
        EXPECT_NE(red->border, grey->border);

        auto label = [&](const std::string& id) -> const LabelRecord*
        {
            for (const LabelRecord& l : list.labels)
                if (l.id == id) return &l;
            return nullptr;
        };
        for (const char* s : {"starting", "idle", "busy", "exited", "killed", "stopped"})
        {
            const LabelRecord* words = label(std::string("legend.") + s);
            const LabelRecord* swatch = label(std::string("legend.") + s + ".swatch");
            ASSERT_NE(words, nullptr) << s;
            ASSERT_NE(swatch, nullptr) << s;
            EXPECT_LT(swatch->pos.x, words->pos.x) << s;
            // Small, at the top left, on no box: the client and master columns start below it,
            // and it ends before the workers' column.
            EXPECT_LT(words->pos.y, in.canvas.y + 3 * in.fontSize) << s;
            for (const NodeRecord& n : list.nodes)
                EXPECT_TRUE(words->pos.y + in.fontSize <= n.rect.y + kEps ||
                            words->pos.x >= n.rect.x + n.rect.w ||
                            n.rect.x >= words->pos.x + in.fontSize * 0.6f *
                                                           static_cast<float>(words->text.size()))
                    << s << " over " << n.id;
        }
        EXPECT_EQ(label("legend.killed.swatch")->color, red->border);
        EXPECT_EQ(label("legend.exited.swatch")->color, grey->border);
        EXPECT_EQ(label("legend.idle.swatch")->color, list.findNode(nodeIdWorker(0))->border);
        const bool zh = std::string(language) == "zh";
        EXPECT_EQ(label("legend.killed")->text, zh ? "被杀死/崩溃" : "killed / crashed");
        EXPECT_EQ(label("legend")->text, zh ? "worker 颜色：" : "worker colours:");
    }
}

}  // namespace
}  // namespace rscope::viewer
