// The layout dump: every record field the tests and --dump-layout rely on survives a round trip
// through nlohmann::json::parse, and writeLayoutDump merges the extra fields at the top level.
#include "viewer/layout/layout_dump.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "viewer/layout/architecture_layout.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

DrawList sampleList()
{
    DrawList list;
    list.picture = "architecture";
    list.canvas = {0, 0, 1280, 800};
    NodeRecord master;
    master.id = "master";
    master.role = "master";
    master.title = "master  pid 4100";
    master.rect = {100, 50, 400, 600};
    list.nodes.push_back(master);
    NodeRecord worker;
    worker.id = "worker[1]";
    worker.role = "worker";
    worker.title = "worker[1]  pid 4303";
    worker.lines = {"busy: onReceive  session 7", "gen 1  requests 3"};
    worker.state = "busy";
    worker.rect = {900, 120, 200, 70};
    worker.glow = 0.75f;
    worker.selected = true;
    worker.fill = rgba(112, 78, 16);
    worker.tooltip = {"swoole: swWorker_loop, swWorker_onPipeReceive"};
    list.nodes.push_back(worker);
    EdgeRecord pipe;
    pipe.id = "pipe[1->1]";
    pipe.kind = "pipe";
    pipe.from = "reactor[1]";
    pipe.to = "worker[1]";
    pipe.a = {500, 300};
    pipe.b = {900, 155};
    pipe.thickness = 4.5f;
    pipe.label = "12.3k/s";
    pipe.ratePerSec = 12300;
    pipe.count = 42;
    list.edges.push_back(pipe);
    TokenRecord token;
    token.seq = 31;
    token.eventIndex = 30;
    token.edge = "pipe[1->1]";
    token.reverse = true;
    token.progress = 0.25f;
    token.pos = {800, 191.25f};
    token.label = "SEND_DATA 60B";
    token.kind = "pipe_write";
    token.session = 7;
    token.selected = true;
    list.tokens.push_back(token);
    list.labels.push_back({"listen 127.0.0.1:9502", {10, 20}, rgba(170, 180, 195), "listen"});
    list.rateMode = true;
    list.banner = "events arrive faster than they can be animated: edges show rates";
    return list;
}

TEST(LayoutDump, EveryRecordFieldRoundTripsThroughParse)
{
    DrawList list = sampleList();
    nlohmann::json j = nlohmann::json::parse(toJson(list).dump());

    EXPECT_EQ(j["picture"], "architecture");
    EXPECT_EQ(j["rate_mode"], true);
    EXPECT_EQ(j["banner"], list.banner);
    ASSERT_EQ(j["nodes"].size(), 2u);
    const nlohmann::json& n = j["nodes"][1];
    for (const char* key :
         {"id", "role", "parent", "title", "lines", "state", "rect", "glow", "selected"})
        EXPECT_TRUE(n.contains(key)) << key;
    EXPECT_EQ(n["id"], "worker[1]");
    EXPECT_EQ(n["role"], "worker");
    EXPECT_EQ(n["parent"], "");
    EXPECT_EQ(n["state"], "busy");
    EXPECT_EQ(n["lines"].size(), 2u);
    EXPECT_EQ(n["lines"][0], "busy: onReceive  session 7");
    EXPECT_EQ(n["rect"], nlohmann::json::array({900.0, 120.0, 200.0, 70.0}));
    EXPECT_FLOAT_EQ(n["glow"].get<float>(), 0.75f);
    EXPECT_EQ(n["selected"], true);
    EXPECT_EQ(n["fill"], "#704E10FF");

    ASSERT_EQ(j["edges"].size(), 1u);
    const nlohmann::json& e = j["edges"][0];
    for (const char* key :
         {"id", "kind", "from", "to", "a", "b", "thickness", "label", "rate", "count"})
        EXPECT_TRUE(e.contains(key)) << key;
    EXPECT_EQ(e["id"], "pipe[1->1]");
    EXPECT_EQ(e["from"], "reactor[1]");
    EXPECT_EQ(e["a"], nlohmann::json::array({500.0, 300.0}));
    EXPECT_EQ(e["b"], nlohmann::json::array({900.0, 155.0}));
    EXPECT_EQ(e["label"], "12.3k/s");
    EXPECT_DOUBLE_EQ(e["rate"].get<double>(), 12300.0);
    EXPECT_EQ(e["count"], 42);

    ASSERT_EQ(j["tokens"].size(), 1u);
    const nlohmann::json& t = j["tokens"][0];
    for (const char* key : {"seq", "event_index", "edge", "reverse", "progress", "pos", "label",
                            "kind", "session", "selected"})
        EXPECT_TRUE(t.contains(key)) << key;
    EXPECT_EQ(t["seq"], 31);
    EXPECT_EQ(t["event_index"], 30);
    EXPECT_EQ(t["reverse"], true);
    EXPECT_FLOAT_EQ(t["progress"].get<float>(), 0.25f);
    EXPECT_EQ(t["pos"], nlohmann::json::array({800.0, 191.25}));
    EXPECT_EQ(t["label"], "SEND_DATA 60B");
    EXPECT_EQ(t["session"], 7);

    ASSERT_EQ(j["labels"].size(), 1u);
    EXPECT_EQ(j["labels"][0]["id"], "listen");
    EXPECT_EQ(j["labels"][0]["text"], "listen 127.0.0.1:9502");
    EXPECT_EQ(j["labels"][0]["pos"], nlohmann::json::array({10.0, 20.0}));
}

TEST(LayoutDump, NonFiniteNumbersAreWrittenAsZero)
{
    DrawList list = sampleList();
    list.nodes[0].rect.w = std::numeric_limits<float>::quiet_NaN();
    list.edges[0].ratePerSec = std::numeric_limits<double>::infinity();
    nlohmann::json j = nlohmann::json::parse(toJson(list).dump());
    EXPECT_TRUE(j["nodes"][0]["rect"][2].is_number());
    EXPECT_TRUE(j["edges"][0]["rate"].is_number());
}

TEST(LayoutDump, AnArchitecturePictureKeepsEveryRecordAndId)
{
    Topology t;
    t.mode = "process";
    t.reactorNum = 2;
    t.workerNum = 4;
    for (int w = 0; w < 4; ++w) t.pipes.push_back({w % 2, w, 7 + 2 * w, 6 + 2 * w});
    t.connections.push_back({1, 21, 1, "127.0.0.1:40001"});
    TraceStore store;
    store.setTopology(t);
    ArchitectureLayoutInput in;
    in.store = &store;
    in.canvas = {0, 0, 1280, 800};
    DrawList list = layoutArchitecture(in);

    nlohmann::json j = nlohmann::json::parse(toJson(list).dump());
    ASSERT_EQ(j["nodes"].size(), list.nodes.size());
    ASSERT_EQ(j["edges"].size(), list.edges.size());
    for (size_t i = 0; i < list.nodes.size(); ++i)
    {
        EXPECT_EQ(j["nodes"][i]["id"], list.nodes[i].id);
        EXPECT_EQ(j["nodes"][i]["rect"][3].get<float>(), list.nodes[i].rect.h);
    }
    for (size_t i = 0; i < list.edges.size(); ++i)
    {
        EXPECT_EQ(j["edges"][i]["id"], list.edges[i].id);
        EXPECT_EQ(j["edges"][i]["b"][0].get<float>(), list.edges[i].b.x);
    }
    EXPECT_EQ(j["rate_mode"], false);
    EXPECT_EQ(j["banner"], "");
}

class LayoutDumpFile : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        path_ = ::testing::TempDir() + "layout_dump_test_" + std::to_string(::getpid()) + ".json";
    }
    void TearDown() override { std::remove(path_.c_str()); }
    std::string path_;
};

TEST_F(LayoutDumpFile, WritesPicturesAndMergesExtraFields)
{
    DrawList a = sampleList();
    DrawList b = sampleList();
    b.picture = "timeline";
    std::string error;
    nlohmann::json extra = {{"cursor", {{"position", 31}}}, {"pictures", "ignored"}};
    ASSERT_TRUE(writeLayoutDump(path_, {&a, &b}, extra, error)) << error;

    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str());
    ASSERT_TRUE(j["pictures"].is_array());
    ASSERT_EQ(j["pictures"].size(), 2u);
    EXPECT_EQ(j["pictures"][0]["picture"], "architecture");
    EXPECT_EQ(j["pictures"][1]["picture"], "timeline");
    EXPECT_EQ(j["cursor"]["position"], 31);
}

TEST_F(LayoutDumpFile, ReportsAPathThatCannotBeWritten)
{
    DrawList a = sampleList();
    std::string error;
    EXPECT_FALSE(writeLayoutDump("/nonexistent-dir/x/dump.json", {&a}, nullptr, error));
    EXPECT_NE(error.find("/nonexistent-dir/x/dump.json"), std::string::npos) << error;
    EXPECT_FALSE(writeLayoutDump(path_, {&a}, nlohmann::json::array(), error));
}

}  // namespace
}  // namespace rscope::viewer
