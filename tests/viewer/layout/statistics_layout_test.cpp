// The statistics tab's layout: every plot and table inside the canvas without overlaps, titles and
// figures that come from the statistics at the cursor, and a "no data" picture without them.
#include "viewer/layout/statistics_layout.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/layout/layout_text.h"
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
