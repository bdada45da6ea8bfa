// The startup picture on the article trace: which boxes are lit and which one glows at chosen
// cursor positions, the counts, the lanes with their pids and the article's handler lines, and
// the geometry (no overlaps, inside the canvas, text lines kept) at the viewer's canvas size
// and a large one.
#include "viewer/layout/startup_layout.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/layout_dump.h"
#include "viewer/layout/startup_parts.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using S = StartupStepId;
constexpr float kEps = 1e-3f;

struct Article
{
    TraceStore store;
    StartupProgress progress;
    Article()
    {
        test::loadArticle(store);
        progress.extend(store);
    }
    size_t after(uint64_t seq) const { return test::indexOfSeq(store, seq) + 1; }
    DrawList layout(size_t position, RectF canvas = {0, 0, 930, 420}, float fontSize = 13)
    {
        StartupLayoutInput in;
        in.store = &store;
        in.progress = &progress;
        in.position = position;
        in.canvas = canvas;
        in.fontSize = fontSize;
        return layoutStartup(in);
    }
};

std::set<std::string> ids(std::initializer_list<S> steps)
{
    std::set<std::string> out;
    for (S s : steps) out.insert(startupStepNodeId(s));
    return out;
}

std::set<std::string> litNodes(const DrawList& list)
{
    std::set<std::string> out;
    for (const NodeRecord& n : list.nodes)
        if (n.role == "step" && n.state == "lit") out.insert(n.id);
    return out;
}

std::string fullGlow(const DrawList& list)
{
    std::string out;
    for (const NodeRecord& n : list.nodes)
        if (n.glow >= 1.0f - kEps) out += (out.empty() ? "" : ",") + n.id;
    return out;
}

std::set<std::string> glowing(const DrawList& list)
{
    std::set<std::string> out;
    for (const NodeRecord& n : list.nodes)
        if (n.glow > kEps) out.insert(n.id);
    return out;
}

const NodeRecord& node(const DrawList& list, const std::string& id)
{
    const NodeRecord* n = list.findNode(id);
    EXPECT_NE(n, nullptr) << id;
    static const NodeRecord kMissing;
    return n ? *n : kMissing;
}

bool contains(const std::vector<std::string>& lines, const std::string& text)
{
    for (const std::string& l : lines)
        if (l.find(text) != std::string::npos) return true;
    return false;
}

bool overlap(const RectF& a, const RectF& b)
{
    return a.x < b.x + b.w - kEps && b.x < a.x + a.w - kEps && a.y < b.y + b.h - kEps &&
           b.y < a.y + a.h - kEps;
}

void expectGeometry(const DrawList& list, const RectF& canvas, float font)
{
    ASSERT_FALSE(list.nodes.empty());
    for (size_t i = 0; i < list.nodes.size(); ++i)
    {
        const RectF& r = list.nodes[i].rect;
        EXPECT_GT(r.w, 0) << list.nodes[i].id;
        EXPECT_GT(r.h, 0) << list.nodes[i].id;
        EXPECT_GE(r.x, canvas.x - kEps) << list.nodes[i].id;
        EXPECT_GE(r.y, canvas.y - kEps) << list.nodes[i].id;
        EXPECT_LE(r.x + r.w, canvas.x + canvas.w + kEps) << list.nodes[i].id;
        EXPECT_LE(r.y + r.h, canvas.y + canvas.h + kEps) << list.nodes[i].id;
        for (size_t j = i + 1; j < list.nodes.size(); ++j)
            EXPECT_FALSE(overlap(r, list.nodes[j].rect))
                << list.nodes[i].id << " overlaps " << list.nodes[j].id;
    }
    // Handler lines sit inside their box, one under the other, their text no wider than it (by
    // the layout's own estimate of the font's advances).
    for (const LabelRecord& l : list.labels)
    {
        if (l.id.rfind("handler[", 0) != 0) continue;
        bool inside = false;
        for (const NodeRecord& n : list.nodes)
            if (n.role == "handlers" && n.rect.contains(l.pos) &&
                l.pos.y + font <= n.rect.y + n.rect.h + kEps &&
                l.pos.x + startup::textWidth(l.text, font) <= n.rect.x + n.rect.w + kEps)
                inside = true;
        EXPECT_TRUE(inside) << l.id << " " << l.text;
    }
    // Edges start and end on the borders of the boxes they join.
    for (const EdgeRecord& e : list.edges)
    {
        const NodeRecord* a = list.findNode(e.from);
        const NodeRecord* b = list.findNode(e.to);
        ASSERT_TRUE(a && b) << e.id;
        auto onBorder = [](const RectF& r, Vec2f p)
        {
            bool inX = p.x >= r.x - kEps && p.x <= r.x + r.w + kEps;
            bool inY = p.y >= r.y - kEps && p.y <= r.y + r.h + kEps;
            bool edgeX = std::abs(p.x - r.x) < kEps || std::abs(p.x - r.x - r.w) < kEps;
            bool edgeY = std::abs(p.y - r.y) < kEps || std::abs(p.y - r.y - r.h) < kEps;
            return inX && inY && (edgeX || edgeY);
        };
        EXPECT_TRUE(onBorder(a->rect, e.a)) << e.id;
        EXPECT_TRUE(onBorder(b->rect, e.b)) << e.id;
    }
}

TEST(StartupLayout, NothingLitBeforeTheFirstEvent)
{
    Article a;
    DrawList list = a.layout(0);
    EXPECT_EQ(list.picture, "startup");
    EXPECT_TRUE(litNodes(list).empty());
    EXPECT_TRUE(glowing(list).empty());
    for (const LabelRecord& l : list.labels) EXPECT_EQ(l.color, kHandlerPending) << l.text;
    for (const EdgeRecord& e : list.edges) EXPECT_EQ(e.count, 0u) << e.id;
}

TEST(StartupLayout, AfterTheSecondPipeTwoOfFourPipes)
{
    Article a;
    DrawList list = a.layout(a.after(3));
    EXPECT_EQ(litNodes(list), ids({S::Create, S::Start, S::Pipes}));
    EXPECT_EQ(fullGlow(list), startupStepNodeId(S::Pipes));
    EXPECT_EQ(glowing(list), ids({S::Pipes}));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::Pipes)).lines, "2/4"));
    EXPECT_EQ(node(list, startupStepNodeId(S::Pipes)).title, "swPipeUnsock_create");
}

TEST(StartupLayout, AfterListenTheForkGlowsWithIt)
{
    Article a;
    DrawList list = a.layout(a.after(6));
    EXPECT_EQ(litNodes(list), ids({S::Create, S::Start, S::Pipes, S::ForkManager, S::Listen}));
    EXPECT_EQ(fullGlow(list), startupStepNodeId(S::Listen));
    EXPECT_EQ(glowing(list), ids({S::Listen, S::ForkManager}));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::Pipes)).lines, "4/4"));
    const EdgeRecord* fork = list.findEdge("fork:master.fork_manager->manager.start");
    ASSERT_NE(fork, nullptr);
    EXPECT_EQ(fork->kind, "fork");
    EXPECT_EQ(fork->count, 0u) << "the manager has not reported in yet";
}

TEST(StartupLayout, AfterBothReactorThreadsTheMainLoopRuns)
{
    Article a;
    DrawList list = a.layout(a.after(9));
    EXPECT_EQ(litNodes(list),
              ids({S::Create, S::Start, S::Pipes, S::ForkManager, S::Listen, S::ReactorThreads,
                   S::MainLoop, S::ManagerStart, S::ReactorInit, S::ReactorRegister}));
    EXPECT_EQ(fullGlow(list), startupStepNodeId(S::ReactorInit));
    EXPECT_EQ(glowing(list),
              ids({S::ReactorThreads, S::MainLoop, S::ReactorInit, S::ReactorRegister}));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::ReactorInit)).lines, "2/2"));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::ReactorThreads)).lines, "2/2"));
    const EdgeRecord* thread = list.findEdge("thread:master.reactor_threads->reactor.init");
    ASSERT_NE(thread, nullptr);
    EXPECT_EQ(thread->count, 1u);
    // The thread edge runs left, from the master's column to the reactor threads'.
    EXPECT_LT(thread->b.x, thread->a.x);
}

TEST(StartupLayout, AfterEveryWorkerEverythingIsLit)
{
    Article a;
    DrawList list = a.layout(a.after(13));
    // Every step but the task workers' (the article's server has none): they say so.
    std::set<std::string> all;
    for (const StartupStep& s : startupSteps())
        if (s.multiplicity != StepMultiplicity::PerTaskWorker) all.insert(startupStepNodeId(s.id));
    EXPECT_EQ(litNodes(list), all);
    EXPECT_EQ(fullGlow(list), startupStepNodeId(S::WorkerLoop));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::WorkerLoop)).lines, "4/4"));
    EXPECT_TRUE(contains(node(list, startupStepNodeId(S::SpawnTaskWorkers)).lines, "none"));
    for (const EdgeRecord& e : list.edges)
    {
        bool task =
            e.from.find("task") != std::string::npos || e.to.find("task") != std::string::npos;
        EXPECT_EQ(e.count, task ? 0u : 1u) << e.id;
    }
}

TEST(StartupLayout, ARestartedWorkerLightsItsStepAgain)
{
    TraceStore store;
    store.setTopology(test::makeTopology(1, 2));
    int64_t ts = 1000;
    test::append(store, test::Ev(EventKind::ServerStart, Role::Master), ts += 10);
    test::append(store, test::Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0), ts += 10);
    test::append(store, test::Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1), ts += 10);
    size_t before = store.size();
    test::append(store, test::Ev(EventKind::WorkerRestart, Role::Manager).worker(0), ts += 10);
    test::append(store, test::Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0).pid(700),
                 ts += 10);
    StartupProgress progress;
    progress.extend(store);
    StartupLayoutInput in;
    in.store = &store;
    in.progress = &progress;
    in.canvas = {0, 0, 930, 420};
    in.fontSize = 15;
    in.position = before;
    DrawList first = layoutStartup(in);
    in.position = store.size();
    DrawList again = layoutStartup(in);
    std::string id = startupStepNodeId(S::WorkerLoop);
    EXPECT_EQ(node(first, id).lines, std::vector<std::string>{"2/2  Worker::run"});
    EXPECT_EQ(node(again, id).lines, std::vector<std::string>{"2/2 +1  Worker::run"});
    EXPECT_EQ(fullGlow(again), id);
    EXPECT_TRUE(contains(node(again, id).tooltip, "2/2 started, 1 again"));
}

TEST(StartupLayout, LanesCarryTheHeaderPids)
{
    Article a;
    DrawList list = a.layout(a.store.size(), {0, 0, 1800, 900});
    auto text = [&](StartupLane lane)
    {
        const NodeRecord& n = node(list, startupLaneNodeId(lane));
        std::string all = n.title;
        for (const std::string& l : n.lines) all += "\n" + l;
        return all;
    };
    EXPECT_NE(text(StartupLane::Master).find("20769"), std::string::npos);
    EXPECT_NE(text(StartupLane::Reactor).find("20776 20779"), std::string::npos);
    EXPECT_NE(text(StartupLane::Manager).find("20773"), std::string::npos);
    EXPECT_NE(text(StartupLane::Worker).find("20777 20778 20780 20783"), std::string::npos);
    EXPECT_NE(text(StartupLane::Worker).find("×4"), std::string::npos);
}

TEST(StartupLayout, HandlerLinesAreTheArticlesDimmedUntilRegistered)
{
    Article a;
    RectF big{0, 0, 1800, 900};
    DrawList list = a.layout(a.after(9), big);
    std::set<std::string> texts, bright;
    for (const LabelRecord& l : list.labels)
    {
        texts.insert(l.text);
        if (l.color == kHandlerRegistered) bright.insert(l.text);
    }
    for (const char* want :
         {"SW_FD_LISTEN → swServer_master_onAccept", "SW_FD_CLOSE → swReactorThread_onClose",
          "SW_FD_PIPE|SW_EVENT_READ → swReactorThread_onPipeReceive",
          "SW_FD_PIPE|SW_EVENT_WRITE → swReactorThread_onPipeWrite",
          "SW_FD_UDP → swReactorThread_onPackage",
          "SW_FD_TCP|SW_EVENT_WRITE → swReactorThread_onWrite",
          "SW_FD_TCP|SW_EVENT_READ → swReactorThread_onRead", "SW_FD_PIPE → swWorker_onPipeReceive",
          "SW_FD_PIPE|SW_FD_WRITE → swReactor_onWrite"})
        EXPECT_TRUE(texts.count(want)) << want;
    EXPECT_EQ(bright,
              (std::set<std::string>{"SW_FD_LISTEN → swServer_master_onAccept",
                                     "SW_FD_PIPE|SW_EVENT_READ → swReactorThread_onPipeReceive",
                                     "SW_FD_PIPE|SW_EVENT_WRITE → swReactorThread_onPipeWrite",
                                     "SIGCHLD → swManager_loop_sync: wait()"}));
    // Every lane has its box; the handler box tooltip names our function too.
    for (StartupLane lane :
         {StartupLane::Reactor, StartupLane::Master, StartupLane::Manager, StartupLane::Worker})
    {
        ASSERT_NE(list.findNode(startupLaneNodeId(lane)), nullptr);
        ASSERT_NE(list.findNode(startupHandlerBoxId(lane)), nullptr);
    }
    EXPECT_TRUE(
        contains(node(list, startupHandlerBoxId(StartupLane::Master)).tooltip, "Master::onAccept"));
    // Once the first connection is registered, the TCP handlers of ours are too.
    DrawList later = a.layout(a.after(17), big);
    for (const LabelRecord& l : later.labels)
    {
        bool tcp = l.text.find("SW_FD_TCP") != std::string::npos;
        bool udp = l.text.find("SW_FD_UDP") != std::string::npos;
        EXPECT_TRUE(!tcp || l.color == kHandlerRegistered) << l.text;
        EXPECT_TRUE(!udp || l.color == kHandlerPending) << "TCP only: " << l.text;
    }
}

TEST(StartupLayout, FitsTheViewerCanvasAndALargeOne)
{
    Article a;
    for (float font : {13.0f, 15.0f, 16.0f})
    {
        RectF small{12, 40, 930, 420};
        DrawList list = a.layout(a.after(9), small, font);
        SCOPED_TRACE(font);
        // Up to the viewer's font (15 px) the picture fits; at 16 px it may be laid out wider
        // (the tab scrolls) rather than cut a step's name.
        if (font <= 15.0f)
        {
            EXPECT_EQ(list.canvas.w, small.w);
        }
        EXPECT_GE(list.canvas.w, small.w);
        EXPECT_EQ(list.canvas.h, small.h);
        expectGeometry(list, list.canvas, font);
        // Our function names stay on screen at the viewer's size: one line under each title.
        for (const NodeRecord& n : list.nodes)
        {
            if (n.role != "step") continue;
            ASSERT_EQ(n.lines.size(), 1u) << n.id;
            EXPECT_GE(n.rect.h, 2.5f * font) << n.id;
        }
    }
    RectF big{0, 0, 1800, 900};
    DrawList list = a.layout(a.after(13), big, 13);
    expectGeometry(list, big, 13);
    for (const NodeRecord& n : list.nodes)
    {
        if (n.role != "step") continue;
        EXPECT_EQ(n.lines.size(), 2u) << n.id << ": room for both lines";
    }
    // With room, every handler box is under its lane's last step.
    for (StartupLane lane :
         {StartupLane::Reactor, StartupLane::Master, StartupLane::Manager, StartupLane::Worker})
    {
        const NodeRecord& box = node(list, startupHandlerBoxId(lane));
        for (const StartupStep& s : startupSteps())
        {
            if (s.lane != lane) continue;
            EXPECT_GE(box.rect.y, node(list, startupStepNodeId(s.id)).rect.y) << s.key;
        }
    }
}

TEST(StartupLayout, EdgeKindsAreLabelledOrKeyed)
{
    Article a;
    // Wide gaps hold the labels on the fork and thread edges; narrow ones get a key instead, in a
    // free line of the first column, clear of every box.
    for (RectF canvas : {RectF{0, 0, 1800, 900}, RectF{0, 0, 930, 420}})
    {
        DrawList list = a.layout(a.after(13), canvas, 15);
        const EdgeRecord* fork = list.findEdge("fork:master.fork_manager->manager.start");
        ASSERT_NE(fork, nullptr);
        const LabelRecord* key = nullptr;
        for (const LabelRecord& l : list.labels)
            if (l.id == "legend.fork") key = &l;
        EXPECT_NE(fork->label.empty(), key == nullptr) << canvas.w;
        if (key == nullptr) continue;
        for (const NodeRecord& n : list.nodes)
            EXPECT_FALSE(n.rect.contains(key->pos) ||
                         n.rect.contains({key->pos.x, key->pos.y + 15}))
                << n.id;
        EXPECT_LE(key->pos.y + 15, canvas.y + canvas.h);
    }
}

TEST(StartupLayout, SmallCanvasSqueezesWithoutOverlap)
{
    Article a;
    RectF tiny{0, 0, 520, 240};
    DrawList list = a.layout(a.after(13), tiny, 13);
    // Too narrow for the step names: laid out on the narrowest canvas that keeps them whole,
    // for the tab to scroll; the height is squeezed.
    EXPECT_GT(list.canvas.w, tiny.w);
    EXPECT_LT(list.canvas.w, 2 * tiny.w);
    for (size_t i = 0; i < list.nodes.size(); ++i)
        for (size_t j = i + 1; j < list.nodes.size(); ++j)
            EXPECT_FALSE(overlap(list.nodes[i].rect, list.nodes[j].rect))
                << list.nodes[i].id << " overlaps " << list.nodes[j].id;
    for (const NodeRecord& n : list.nodes)
    {
        EXPECT_LE(n.rect.y + n.rect.h, tiny.h + kEps) << n.id;
        EXPECT_LE(n.rect.x + n.rect.w, list.canvas.w + kEps) << n.id;
    }
    StartupLayoutInput in;
    in.store = &a.store;
    in.progress = &a.progress;
    in.canvas = tiny;
    in.fontSize = 13;
    EXPECT_FLOAT_EQ(startupMinCanvasWidth(in), list.canvas.w);
}

// What a learner reads at the two window sizes the issue names (the picture canvas of a
// 1280x800 and a 1024x700 window, the viewer's 15 px font): every step's swoole name whole and
// inside its box, lane titles whole or the role's short name with the whole title in the
// tooltip, no handler line cut; a line that is cut ends in "…" and its tooltip has it whole.
TEST(StartupLayout, NoTextIsCutAtTheIssuesWindowSizes)
{
    Article a;
    const float font = 15;
    for (RectF canvas : {RectF{8, 54, 930, 404}, RectF{8, 54, 738, 338}})
    {
        SCOPED_TRACE(canvas.w);
        DrawList list = a.layout(a.after(13), canvas, font);
        expectGeometry(list, list.canvas, font);
        for (const NodeRecord& n : list.nodes)
        {
            float room = n.rect.w - 0.9f * font;
            EXPECT_LE(startup::textWidth(n.title, font), room + kEps) << n.id << " " << n.title;
            EXPECT_EQ(n.title.find("…"), std::string::npos) << n.id << " " << n.title;
            if (n.role == "step")
            {
                EXPECT_EQ(n.title, startupStep(startupStepOfNode(n.id)).historic);
                // Lines (our name, the count) are not cut by the layout; the painter keeps
                // them inside the box. They fit the painted text (the estimate is 4 % wide).
                for (const std::string& line : n.lines)
                    EXPECT_LE(startup::textWidth(line, font) / 1.04f, n.rect.w - 0.45f * font)
                        << n.id << " " << line;
            }
            if (n.role == "lane" && n.title.find("  ") == std::string::npos && n.title.size() < 10)
            {
                EXPECT_FALSE(n.tooltip.empty()) << n.id;
            }
        }
        for (const LabelRecord& l : list.labels)
            EXPECT_EQ(l.text.find("…"), std::string::npos) << l.id << " " << l.text;
    }
    // At 1280x800 nothing needs the scroll; at 1024x700 a little does (the alternative is
    // cutting "swReactorThread_loop_stream").
    EXPECT_EQ(a.layout(a.after(13), {8, 54, 930, 404}, font).canvas.w, 930);
    EXPECT_LT(a.layout(a.after(13), {8, 54, 738, 338}, font).canvas.w, 738 * 1.25f);
}

TEST(StartupLayout, DumpHoldsStatesAndEdgeKinds)
{
    Article a;
    nlohmann::json j = toJson(a.layout(a.after(6)));
    EXPECT_EQ(j["picture"], "startup");
    std::set<std::string> kinds;
    for (const auto& e : j["edges"]) kinds.insert(e["kind"].get<std::string>());
    EXPECT_EQ(kinds, (std::set<std::string>{"call", "fork", "thread"}));
    size_t lit = 0;
    for (const auto& n : j["nodes"])
        if (n["state"] == "lit") ++lit;
    EXPECT_EQ(lit, 5u);
}

TEST(StartupLayout, NoProgressIsABannerNotACrash)
{
    StartupLayoutInput in;
    in.canvas = {0, 0, 930, 420};
    DrawList list = layoutStartup(in);
    EXPECT_TRUE(list.nodes.empty());
    EXPECT_FALSE(list.banner.empty());
}

TEST(StartupLayout, TutorialHighlightsMarkTheNamedStepsAndLanes)
{
    Article a;
    std::vector<std::string> nodes{startupStepNodeId(S::Listen), "lane.worker*"};
    StartupLayoutInput in;
    in.store = &a.store;
    in.progress = &a.progress;
    in.position = a.store.size();
    in.canvas = {0, 0, 930, 420};
    in.highlightNodes = &nodes;
    DrawList list = layoutStartup(in);
    std::set<std::string> highlighted;
    for (const NodeRecord& n : list.nodes)
        if (n.highlighted) highlighted.insert(n.id);
    std::set<std::string> expected{startupStepNodeId(S::Listen)};
    for (const NodeRecord& n : list.nodes)
        if (n.id.rfind("lane.worker", 0) == 0) expected.insert(n.id);
    EXPECT_GE(expected.size(), 2u);
    EXPECT_EQ(highlighted, expected);
    for (const EdgeRecord& e : list.edges) EXPECT_FALSE(e.highlighted) << e.id;
}

}  // namespace
}  // namespace rscope::viewer
