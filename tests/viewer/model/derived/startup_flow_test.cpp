// The startup call flow: the table's shape (every lane, the article's handler lists, edges
// between known steps), and StartupProgress on the article trace at chosen cursor positions,
// fed in slices, and on a hand-made trace with a worker restart.
#include "viewer/model/startup_flow.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using S = StartupStepId;
using test::append;
using test::Ev;
using test::indexOfSeq;

std::set<S> litSteps(const StartupProgress& p, size_t position)
{
    std::set<S> out;
    for (const StartupStep& s : startupSteps())
        if (p.lit(s.id, position)) out.insert(s.id);
    return out;
}

std::set<S> newestSteps(const StartupProgress& p, size_t position)
{
    std::set<S> out;
    for (const StartupStep& s : startupSteps())
        if (p.isNewest(s.id, position)) out.insert(s.id);
    return out;
}

std::set<std::string> registeredHandlers(const StartupProgress& p, size_t position)
{
    std::set<std::string> out;
    auto handlers = startupHandlers();
    for (size_t h = 0; h < handlers.size(); ++h)
        if (p.handlerRegistered(h, position))
            out.insert(std::string(startupLaneName(handlers[h].lane)) + ":" + handlers[h].fdType);
    return out;
}

TEST(StartupFlowTable, EveryLaneHasStepsAndEdgesJoinKnownSteps)
{
    std::set<StartupLane> lanes;
    for (size_t i = 0; i < startupSteps().size(); ++i)
    {
        const StartupStep& s = startupSteps()[i];
        EXPECT_EQ(static_cast<size_t>(s.id), i) << s.key;
        EXPECT_NE(std::string(s.historic), "") << s.key;
        EXPECT_NE(std::string(s.ours), "") << s.key;
        EXPECT_NE(std::string(s.ruleText), "") << s.key;
        lanes.insert(s.lane);
    }
    EXPECT_EQ(lanes.size(), static_cast<size_t>(StartupLane::Count));
    for (const StartupEdge& e : startupEdges())
    {
        ASSERT_LT(e.from, S::Count);
        ASSERT_LT(e.to, S::Count);
        // A call stays in its thread; fork and thread edges leave it.
        bool sameLane = startupStep(e.from).lane == startupStep(e.to).lane;
        EXPECT_EQ(sameLane, e.kind == StartupEdgeKind::Call)
            << startupStep(e.from).key << " -> " << startupStep(e.to).key;
        // Edges point down the picture: a callee never happens before its caller.
        EXPECT_LE(startupStep(e.from).row, startupStep(e.to).row);
    }
}

TEST(StartupFlowTable, HandlerListsAreTheArticles)
{
    std::set<std::string> got;
    for (const StartupHandler& h : startupHandlers())
        got.insert(std::string(startupLaneName(h.lane)) + ":" + h.fdType + "->" + h.historic);
    // The seed article's three lists (master, thread, worker), lines 55-100.
    for (const char* want : {"master:SW_FD_LISTEN->swServer_master_onAccept",
                             "reactor:SW_FD_CLOSE->swReactorThread_onClose",
                             "reactor:SW_FD_PIPE|SW_EVENT_READ->swReactorThread_onPipeReceive",
                             "reactor:SW_FD_PIPE|SW_EVENT_WRITE->swReactorThread_onPipeWrite",
                             "reactor:SW_FD_UDP->swReactorThread_onPackage",
                             "reactor:SW_FD_TCP|SW_EVENT_WRITE->swReactorThread_onWrite",
                             "reactor:SW_FD_TCP|SW_EVENT_READ->swReactorThread_onRead",
                             "worker:SW_FD_PIPE->swWorker_onPipeReceive",
                             "worker:SW_FD_PIPE|SW_FD_WRITE->swReactor_onWrite"})
        EXPECT_TRUE(got.count(want)) << want;
}

TEST(StartupProgress, NothingIsLitBeforeTheFirstEvent)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    EXPECT_TRUE(litSteps(p, 0).empty());
    EXPECT_EQ(p.newestStep(0), S::Count);
    EXPECT_TRUE(registeredHandlers(p, 0).empty());
}

TEST(StartupProgress, ArticleAfterTheSecondPipe)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    size_t pos = indexOfSeq(store, 3) + 1;  // pipe_create of worker 1 has happened
    EXPECT_EQ(litSteps(p, pos), (std::set<S>{S::Create, S::Start, S::Pipes}));
    EXPECT_EQ(p.litCount(S::Pipes, pos), 2u);
    EXPECT_EQ(expectedCount(S::Pipes, store.topology()), 4u);
    EXPECT_EQ(newestSteps(p, pos), std::set<S>{S::Pipes});
    EXPECT_EQ(p.newestStep(pos), S::Pipes);
    EXPECT_EQ(p.lastEventBefore(S::Pipes, pos), indexOfSeq(store, 3));
}

TEST(StartupProgress, ArticleAfterListenTheForkIsInferred)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    size_t pos = indexOfSeq(store, 6) + 1;  // listen
    EXPECT_EQ(litSteps(p, pos),
              (std::set<S>{S::Create, S::Start, S::Pipes, S::ForkManager, S::Listen}));
    EXPECT_EQ(p.litCount(S::Pipes, pos), 4u);
    // listen proves the fork returned in the master before the manager reported in.
    EXPECT_EQ(newestSteps(p, pos), (std::set<S>{S::ForkManager, S::Listen}));
    EXPECT_EQ(p.newestStep(pos), S::Listen);
    EXPECT_EQ(registeredHandlers(p, pos), std::set<std::string>{});
    // manager_start later does not light the fork again: it was proven once.
    EXPECT_EQ(p.lightings(S::ForkManager).size(), 1u);
}

TEST(StartupProgress, ArticleAfterBothReactorThreads)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    size_t pos = indexOfSeq(store, 9) + 1;  // the second reactor_start
    EXPECT_EQ(litSteps(p, pos), (std::set<S>{S::Create, S::Start, S::Pipes, S::ForkManager,
                                             S::Listen, S::ReactorThreads, S::MainLoop,
                                             S::ManagerStart, S::ReactorInit, S::ReactorRegister}));
    EXPECT_EQ(p.litCount(S::ReactorInit, pos), 2u);
    EXPECT_EQ(expectedCount(S::ReactorInit, store.topology()), 2u);
    EXPECT_EQ(p.litCount(S::ReactorThreads, pos - 1), 1u);
    EXPECT_FALSE(p.lit(S::MainLoop, pos - 1)) << "one reactor thread is not all of them";
    EXPECT_EQ(newestSteps(p, pos),
              (std::set<S>{S::ReactorThreads, S::MainLoop, S::ReactorInit, S::ReactorRegister}));
    EXPECT_EQ(p.newestStep(pos), S::ReactorInit);
    EXPECT_EQ(registeredHandlers(p, pos),
              (std::set<std::string>{"master:SW_FD_LISTEN", "reactor:SW_FD_PIPE|SW_EVENT_READ",
                                     "reactor:SW_FD_PIPE|SW_EVENT_WRITE", "manager:SIGCHLD"}));
}

TEST(StartupProgress, ArticleAfterEveryWorkerStarted)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    size_t pos = indexOfSeq(store, 13) + 1;  // the fourth worker_start
    // Every step but the task workers' (the article's server has none).
    std::set<S> all;
    for (const StartupStep& s : startupSteps())
        if (s.multiplicity != StepMultiplicity::PerTaskWorker) all.insert(s.id);
    EXPECT_EQ(litSteps(p, pos), all);
    EXPECT_FALSE(p.lit(S::ManagerWait, pos - 1)) << "three of four workers are not all";
    EXPECT_EQ(p.litCount(S::WorkerLoop, pos), 4u);
    EXPECT_EQ(p.litCount(S::SpawnWorkers, pos), 4u);
    EXPECT_EQ(p.relitCount(S::WorkerLoop, pos), 0u);
    EXPECT_EQ(newestSteps(p, pos),
              (std::set<S>{S::SpawnWorkers, S::ManagerWait, S::WorkerLoop, S::WorkerPipe}));
    EXPECT_EQ(p.newestStep(pos), S::WorkerLoop);
    std::set<std::string> handlers = registeredHandlers(p, pos);
    EXPECT_TRUE(handlers.count("worker:SW_FD_PIPE"));
    EXPECT_FALSE(handlers.count("reactor:SW_FD_TCP|SW_EVENT_READ")) << "no connection yet";
    // The first connection's reactor_register shows the per-connection handlers of ours.
    size_t afterRegister = indexOfSeq(store, 17) + 1;
    handlers = registeredHandlers(p, afterRegister);
    EXPECT_TRUE(handlers.count("reactor:SW_FD_TCP|SW_EVENT_READ"));
    EXPECT_TRUE(handlers.count("reactor:SW_FD_CLOSE"));
    EXPECT_FALSE(handlers.count("reactor:SW_FD_UDP")) << "TCP only: never registered";
    // Later events light no step: the newest stays the last worker_start.
    EXPECT_EQ(p.newestEventBefore(store.size()), indexOfSeq(store, 13));
}

TEST(StartupProgress, AClickShowsTheLightingBeforeTheCursorElseTheNextOne)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    size_t pos = indexOfSeq(store, 3) + 1;  // two of four pipes
    EXPECT_EQ(p.eventToShow(S::Pipes, pos), indexOfSeq(store, 3));
    EXPECT_EQ(p.eventToShow(S::Start, pos), indexOfSeq(store, 1));
    // Pending steps look ahead to where they light up.
    EXPECT_EQ(p.eventToShow(S::Listen, pos), indexOfSeq(store, 6));
    EXPECT_EQ(p.eventToShow(S::MainLoop, pos), indexOfSeq(store, 9));
    EXPECT_EQ(p.eventToShow(S::WorkerLoop, 0), indexOfSeq(store, 10));
    TraceStore empty;
    StartupProgress none;
    none.extend(empty);
    EXPECT_EQ(none.eventToShow(S::Listen, 0), StartupProgress::kNone);
}

TEST(StartupProgress, ExtendInSlicesEqualsOneExtend)
{
    TraceStore full;
    test::loadArticle(full);
    StartupProgress once;
    once.extend(full);

    // The same events appended a few at a time, extended after each slice (a live session).
    TraceStore growing;
    growing.setTopology(full.topology());
    StartupProgress sliced;
    size_t sliceSizes[] = {1, 2, 3, 1, 4, 7, 5, 13};
    size_t next = 0;
    for (size_t slice : sliceSizes)
    {
        for (size_t k = 0; k < slice && next < full.size(); ++k, ++next)
        {
            Event e = full[next];
            e.actor = growing.internActor(full.actorOf(full[next]));
            ASSERT_TRUE(growing.append(e, full.args(full[next]), full.payload(full[next])));
        }
        sliced.extend(growing);
        EXPECT_EQ(sliced.processed(), growing.size());
    }
    ASSERT_EQ(growing.size(), full.size());
    for (const StartupStep& s : startupSteps())
    {
        auto a = once.lightings(s.id);
        auto b = sliced.lightings(s.id);
        ASSERT_EQ(a.size(), b.size()) << s.key;
        for (size_t i = 0; i < a.size(); ++i)
        {
            EXPECT_EQ(a[i].eventIndex, b[i].eventIndex) << s.key;
            EXPECT_EQ(a[i].instance, b[i].instance) << s.key;
        }
    }
    for (size_t h = 0; h < startupHandlers().size(); ++h)
        EXPECT_EQ(once.handlerEvent(h), sliced.handlerEvent(h));
}

TEST(StartupProgress, WorkerRestartLightsTheWorkerStepsAgain)
{
    TraceStore store;
    store.setTopology(test::makeTopology(2, 2));
    int64_t ts = 1000;
    append(store, Ev(EventKind::ServerStart, Role::Master), ts += 10);
    append(store, Ev(EventKind::PipeCreate, Role::Master).worker(0), ts += 10);
    append(store, Ev(EventKind::PipeCreate, Role::Master).worker(1), ts += 10);
    append(store, Ev(EventKind::Listen, Role::Master).fd(3), ts += 10);
    append(store, Ev(EventKind::ManagerStart, Role::Manager), ts += 10);
    append(store, Ev(EventKind::ReactorStart, Role::Reactor, 0).reactor(0), ts += 10);
    append(store, Ev(EventKind::ReactorStart, Role::Reactor, 1).reactor(1), ts += 10);
    append(store, Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0), ts += 10);
    append(store, Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1), ts += 10);
    size_t startedAll = store.size();
    append(store, Ev(EventKind::WorkerExit, Role::Worker, 1).worker(1), ts += 10);
    append(store, Ev(EventKind::WorkerRestart, Role::Manager).worker(1), ts += 10);
    size_t restart = store.size() - 1;
    append(store, Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1).pid(900), ts += 10);
    size_t restarted = store.size() - 1;
    // A second restart reported in the other order: the new worker before the manager.
    append(store, Ev(EventKind::WorkerExit, Role::Worker, 0).worker(0), ts += 10);
    append(store, Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0).pid(901), ts += 10);
    append(store, Ev(EventKind::WorkerRestart, Role::Manager).worker(0), ts += 10);

    StartupProgress p;
    p.extend(store);
    EXPECT_EQ(p.litCount(S::WorkerLoop, startedAll), 2u);
    EXPECT_EQ(p.newestStep(startedAll), S::WorkerLoop);
    // The manager's worker_restart lights nothing: the new worker's start shows the fork.
    EXPECT_EQ(p.newestEventBefore(restart + 1), startedAll - 1);
    // The new worker: the same steps, lit again by the new instance, not a third worker.
    size_t pos = restarted + 1;
    EXPECT_EQ(p.newestStep(pos), S::WorkerLoop);
    EXPECT_EQ(newestSteps(p, pos), (std::set<S>{S::SpawnWorkers, S::WorkerLoop, S::WorkerPipe}));
    EXPECT_EQ(p.lastEventBefore(S::WorkerLoop, pos), restarted);
    EXPECT_EQ(p.litCount(S::WorkerLoop, pos), 2u);
    EXPECT_EQ(p.relitCount(S::WorkerLoop, pos), 1u);
    EXPECT_EQ(p.lightings(S::WorkerLoop)[2].instance, 1);
    // Each fork counts once in the manager's lane too, whatever the order of the reports.
    size_t end = store.size();
    EXPECT_EQ(p.relitCount(S::WorkerLoop, end), 2u);
    EXPECT_EQ(p.relitCount(S::SpawnWorkers, end), 2u);
    EXPECT_EQ(p.lightings(S::WorkerLoop).back().instance, 0);
    // The manager's loop was entered once; a restart does not start it again.
    EXPECT_EQ(p.lightings(S::ManagerWait).size(), 1u);
}

TEST(StartupProgress, ClearForgetsEverything)
{
    TraceStore store;
    test::loadArticle(store);
    StartupProgress p;
    p.extend(store);
    p.clear();
    EXPECT_EQ(p.processed(), 0u);
    EXPECT_TRUE(litSteps(p, store.size()).empty());
    p.extend(store);
    EXPECT_EQ(litSteps(p, store.size()).size(), kStartupStepCount - 2) << "all but the task steps";
}

}  // namespace
}  // namespace rscope::viewer
