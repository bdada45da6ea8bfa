// statisticsJson on the article trace: the figures the layout dump carries, checked against the
// article's own lines (ts of seq 20 and 35) and against its cursor position.
#include "viewer/layout/statistics_dump.h"

#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_statistics.h"

namespace rscope::viewer::test
{
namespace
{

std::map<uint64_t, int64_t> tsBySeq()
{
    std::map<uint64_t, int64_t> ts;
    std::ifstream in(articlePath());
    std::string line;
    while (std::getline(in, line))
    {
        auto j = nlohmann::json::parse(line);
        if (j.contains("seq")) ts[j["seq"].get<uint64_t>()] = j["ts"].get<int64_t>();
    }
    return ts;
}

TEST(StatisticsDump, ArticleAtTheEndAndBeforeTheReply)
{
    TraceStore store;
    loadArticle(store);
    TraceStatistics stats;
    stats.reset(store.topology());
    stats.extend(store);
    auto ts = tsBySeq();

    nlohmann::json j = statisticsJson(stats, store.size());
    EXPECT_EQ(j["processed"], 36);
    EXPECT_EQ(j["requests"], 1);
    const auto& total = j["hops"]["read->write"];
    EXPECT_EQ(total["count"], 1);
    EXPECT_EQ(total["p50_ns"], ts[35] - ts[20]);
    EXPECT_EQ(total["p99_ns"], ts[35] - ts[20]);
    EXPECT_EQ(total["max_ns"], ts[35] - ts[20]);
    EXPECT_EQ(j["hops"]["read->dispatch"]["p90_ns"], ts[21] - ts[20]);
    ASSERT_EQ(j["workers"].size(), 4u);
    EXPECT_EQ(j["workers"][2]["requests"], 1);
    // onConnect (seq 24..25) and onReceive (27..34; onClose nests inside it) of worker 2.
    EXPECT_EQ(j["workers"][2]["busy_ns"], (ts[25] - ts[24]) + (ts[34] - ts[27]));
    EXPECT_EQ(j["workers"][0]["requests"], 0);
    ASSERT_EQ(j["reactors"].size(), 2u);
    EXPECT_EQ(j["reactors"][0]["connections"], 1);
    EXPECT_EQ(j["reactors"][0]["bytes_read"], 12);
    EXPECT_EQ(j["reactors"][0]["bytes_written"], 35);
    // Worker 2's pipe held the CONNECT and the RECV_DATA message at once (seq 19, 22).
    EXPECT_EQ(j["series"]["pipe_depth_max"][2], 2.0);
    EXPECT_EQ(j["series"]["requests_max"], 1.0);
    EXPECT_GT(j["series"]["buckets"].get<size_t>(), 0u);

    // Before the reply's reactor_write (seq 35) the hops up to the send are there, not the total.
    nlohmann::json before = statisticsJson(stats, indexOfSeq(store, 35));
    EXPECT_EQ(before["hops"]["read->write"]["count"], 0);
    EXPECT_EQ(before["hops"]["worker->send"]["count"], 1);
    EXPECT_EQ(before["position"], indexOfSeq(store, 35));
}

}  // namespace
}  // namespace rscope::viewer::test
