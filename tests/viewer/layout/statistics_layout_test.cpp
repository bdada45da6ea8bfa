// The statistics tab's layout: every plot and table inside the canvas without overlaps, titles and
// figures that come from the statistics at the cursor, and a "no data" picture without them.
#include "viewer/layout/statistics_layout.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/layout_text.h"
#include "viewer/layout/statistics_dump.h"
#include "viewer/model/architecture_state.h"

namespace rscope::viewer::test
{
namespace
{

bool inside(const RectF& inner, const RectF& outer)
{
    return inner.x >= outer.x && inner.y >= outer.y &&
           inner.x + inner.w <= outer.x + outer.w + 0.5f &&
           inner.y + inner.h <= outer.y + outer.h + 0.5f;
}

bool overlap(const RectF& a, const RectF& b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

struct Article
{
    TraceStore store;
    TraceStatistics stats;
    Article()
    {
        loadArticle(store);
        stats.reset(store.topology());
        stats.extend(store);
    }
};

TEST(StatisticsLayout, PlotsAndTablesFillTheCanvasWithoutOverlap)
{
    Article a;
    ArchitectureState state = applyFromScratch(a.store, a.store.size());
    HopHistograms at;
    a.stats.histogramsAt(a.store.size(), at);
    for (RectF canvas : {RectF{10, 40, 930, 420}, RectF{0, 0, 1800, 1000}, RectF{0, 0, 500, 300}})
    {
        StatisticsLayoutInput in{&a.stats, &state, &at, canvas, a.store.lastNs(), 13.0f};
        DrawList list = layoutStatistics(in);
        EXPECT_EQ(list.picture, "statistics");
        ASSERT_EQ(list.nodes.size(), 5u + static_cast<size_t>(RequestHop::Count));
        for (size_t i = 0; i < list.nodes.size(); ++i)
        {
            const NodeRecord& n = list.nodes[i];
            EXPECT_TRUE(inside(n.rect, canvas)) << n.id << " canvas w " << canvas.w;
            EXPECT_GT(n.rect.w, 0);
            EXPECT_GT(n.rect.h, 0);
            if (n.role != "table")
            {
                RectF area = statisticsPlotArea(n, 13.0f);
                EXPECT_TRUE(inside(area, n.rect)) << n.id;
            }
            for (size_t j = i + 1; j < list.nodes.size(); ++j)
                EXPECT_FALSE(overlap(n.rect, list.nodes[j].rect))
                    << n.id << " / " << list.nodes[j].id;
        }
    }
}

TEST(StatisticsLayout, FiguresComeFromTheStatisticsAtTheCursor)
{
    Article a;
    size_t end = a.store.size();
    size_t beforeReply = indexOfSeq(a.store, 35);  // the reply's reactor_write not yet happened
    for (size_t position : {beforeReply, end})
    {
        ArchitectureState state = applyFromScratch(a.store, position);
        HopHistograms at;
        a.stats.histogramsAt(position, at);
        StatisticsLayoutInput in{&a.stats, &state, &at, {0, 0, 930, 420}, state.nowNs(), 13.0f};
        DrawList list = layoutStatistics(in);
        const NodeRecord* total = list.findNode("hist:read->write");
        ASSERT_NE(total, nullptr);
        const LatencyHistogram& h = at[static_cast<size_t>(RequestHop::Total)];
        EXPECT_EQ(total->lines.front(), "n " + std::to_string(h.count()));
        if (position == end)
        {
            ASSERT_EQ(total->lines.size(), 4u);
            EXPECT_EQ(total->lines[1], "p50 " + formatDurationNs(h.percentileNs(50)));
        }
        else
        {
            EXPECT_EQ(total->lines.size(), 1u);  // no sample yet: no percentiles
        }
        const NodeRecord* workers = list.findNode("workers");
        ASSERT_NE(workers, nullptr);
        ASSERT_EQ(workers->lines.size(), state.workers().size());
        EXPECT_NE(workers->lines[2].find("requests " + std::to_string(state.workers()[2].requests)),
                  std::string::npos)
            << workers->lines[2];
        const NodeRecord* depth = list.findNode("plot:pipe_depth");
        ASSERT_NE(depth, nullptr);
        EXPECT_EQ(depth->lines[2], "worker[2] max 2");
        ASSERT_NE(list.findNode("plot:requests"), nullptr);
        ASSERT_NE(list.findNode("plot:bytes"), nullptr);
    }
}

// Two reactors, two event workers, two task workers (ids 2, 3, their pipes read by no reactor):
// worker 0 dispatches three tasks, the last finding both task workers busy; task worker 2 runs
// two (1 and 3 ms), task worker 3 one (2 ms).
void loadTaskTrace(TraceStore& store)
{
    Topology t = makeTopology(2, 2);
    t.taskWorkerNum = 2;
    for (int w : {2, 3}) t.pipes.push_back(Pipe{-1, w, 20 + w, 30 + w});
    store.setTopology(t);
    int64_t ts = 1'000'000;
    auto add = [&](EventKind kind, Role role, int index, int worker, CallbackId cb,
                   const std::string& args)
    {
        Event e;
        e.kind = kind;
        e.callback = cb;
        e.worker = static_cast<int16_t>(worker);
        e.tsNs = ts += 1'000'000;
        e.seq = store.size() + 1;
        Actor a;
        a.role = role;
        a.index = index;
        a.pid = a.tid = 300 + index;
        e.actor = store.internActor(a);
        ASSERT_TRUE(store.append(e, args, ""));
    };
    auto dispatch = [&](int target, bool idle)
    {
        add(EventKind::TaskDispatch, Role::Worker, 0, target, CallbackId::None,
            R"({"task_id":0,"target":)" + std::to_string(target) + R"(,"len":8,"idle":)" +
                (idle ? "true" : "false") + "}");
    };
    auto onTask = [&](int taskWorker, int ms)
    {
        add(EventKind::CallbackEnter, Role::TaskWorker, taskWorker, taskWorker, CallbackId::OnTask,
            R"({"callback":"onTask"})");
        add(EventKind::CallbackExit, Role::TaskWorker, taskWorker, taskWorker, CallbackId::OnTask,
            R"({"callback":"onTask","duration_ns":)" + std::to_string(ms * 1'000'000) + "}");
    };
    dispatch(2, true);
    dispatch(3, true);
    dispatch(2, false);
    onTask(2, 1);
    onTask(3, 2);
    onTask(2, 3);
}

TEST(StatisticsLayout, TaskWorkersHaveTablesOfTheirOwnAndAreNoEventWorkers)
{
    TraceStore store;
    loadTaskTrace(store);
    TraceStatistics stats;
    stats.reset(store.topology());
    stats.extend(store);
    EXPECT_EQ(stats.workers().size(), 2u) << "task workers are not event workers";
    ArchitectureState state = applyFromScratch(store, store.size());
    HopHistograms at;
    stats.histogramsAt(store.size(), at);
    trace::TaskTally tasks;
    stats.tasksAt(store.size(), tasks);
    for (RectF canvas : {RectF{10, 40, 930, 420}, RectF{0, 0, 1800, 1000}, RectF{0, 0, 500, 300}})
    {
        StatisticsLayoutInput in{&stats, &state, &at, canvas, store.lastNs(), 13.0f, &tasks};
        DrawList list = layoutStatistics(in);
        ASSERT_EQ(list.nodes.size(), 7u + static_cast<size_t>(RequestHop::Count));
        for (size_t i = 0; i < list.nodes.size(); ++i)
        {
            EXPECT_TRUE(inside(list.nodes[i].rect, canvas)) << list.nodes[i].id;
            for (size_t j = i + 1; j < list.nodes.size(); ++j)
                EXPECT_FALSE(overlap(list.nodes[i].rect, list.nodes[j].rect))
                    << list.nodes[i].id << " / " << list.nodes[j].id;
        }
        const NodeRecord* workers = list.findNode("workers");
        ASSERT_NE(workers, nullptr);
        EXPECT_EQ(workers->lines.size(), 2u) << "worker[2] and worker[3] are task workers";
        const NodeRecord* run = list.findNode("task_workers");
        ASSERT_NE(run, nullptr);
        ASSERT_EQ(run->lines.size(), 2u);
        EXPECT_EQ(run->lines[0].rfind("task_worker[2] tasks 2, onTask p50 ", 0), 0u)
            << run->lines[0];
        EXPECT_NE(run->lines[0].find("max " + formatDurationNs(3'000'000)), std::string::npos)
            << run->lines[0];
        EXPECT_EQ(run->lines[1].rfind("task_worker[3] tasks 1", 0), 0u) << run->lines[1];
        const NodeRecord* sent = list.findNode("task_dispatch");
        ASSERT_NE(sent, nullptr);
        ASSERT_EQ(sent->lines.size(), 2u);
        EXPECT_EQ(sent->lines[0], "worker[0] dispatched 3: to an idle task worker 2, all busy 1");
        EXPECT_EQ(sent->lines[1], "worker[1] dispatched 0: to an idle task worker 0, all busy 0");
    }

    // At the cursor: before the first onTask returned, no task has run yet.
    trace::TaskTally early;
    stats.tasksAt(4, early);
    EXPECT_EQ(early.taskWorkers()[0].tasks, 0u);
    EXPECT_EQ(early.callers()[0].dispatched, 3u);

    // The layout dump has them at its position; a trace without task workers has no such keys.
    nlohmann::json j = statisticsJson(stats, store.size());
    ASSERT_EQ(j["task_workers"].size(), 2u);
    EXPECT_EQ(j["task_workers"][0]["worker"], 2);
    EXPECT_EQ(j["task_workers"][0]["tasks"], 2);
    EXPECT_EQ(j["task_workers"][0]["on_task"]["max_ns"], 3'000'000);
    EXPECT_EQ(j["task_dispatch"][0]["to_busy"], 1);
    EXPECT_EQ(statisticsJson(stats, 4)["task_workers"][1]["tasks"], 0);
    Article a;
    EXPECT_FALSE(statisticsJson(a.stats, a.store.size()).contains("task_workers"));
}

TEST(StatisticsLayout, NoStatisticsDrawsANotice)
{
    StatisticsLayoutInput in;
    in.canvas = {0, 0, 600, 400};
    DrawList list = layoutStatistics(in);
    EXPECT_TRUE(list.nodes.empty());
    ASSERT_EQ(list.labels.size(), 1u);
    EXPECT_EQ(list.labels[0].id, "empty");
}

TEST(StatisticsLayout, SeriesXAndNsAtAreInverse)
{
    TimeSeries s;
    s.reset(1000, 10, 512);
    size_t c = s.addChannel(TimeSeries::ChannelKind::Count);
    s.add(c, 1000 + 10 * 99, 1);  // 100 buckets: 1000 ns of trace
    RectF area{50, 0, 500, 100};
    EXPECT_FLOAT_EQ(seriesX(s, area, 1000), 50);
    EXPECT_FLOAT_EQ(seriesX(s, area, 2000), 550);
    EXPECT_FLOAT_EQ(seriesX(s, area, 99999), 550);  // clamped
    EXPECT_EQ(seriesNsAt(s, area, 300), 1500);
    EXPECT_EQ(seriesNsAt(s, area, seriesX(s, area, 1730)), 1730);
}

}  // namespace
}  // namespace rscope::viewer::test
