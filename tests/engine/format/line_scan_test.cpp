// scanLineFields: top-level fields only, nested look-alikes ignored, broken lines refused.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/format/line_parser.h"

namespace rscope::tracefile
{
namespace
{

TEST(LineScan, FindsTopLevelTypeKindAndFlowInAnyOrder)
{
    LineFields f;
    ASSERT_TRUE(scanLineFields(
        R"({"seq":1,"args":{"kind":"x","flow":5,"s":"}{]["},"flow":281474976710657,)"
        R"("payload":"\"kind\":\"close\"","kind":"read","actor":{"role":"reactor"}})",
        &f));
    EXPECT_EQ(f.kind, "read");
    EXPECT_EQ(f.flow, 281474976710657u);
    EXPECT_EQ(f.type, "");

    ASSERT_TRUE(scanLineFields(R"( { "type" : "trace_end" , "cut_flows" : [ 1, [2] ] } )", &f));
    EXPECT_EQ(f.type, "trace_end");
    EXPECT_EQ(f.kind, "");
    EXPECT_EQ(f.flow, 0u);

    ASSERT_TRUE(scanLineFields(R"({"kind":"read","flow":-3})", &f));
    EXPECT_EQ(f.flow, 0u);  // not an unsigned integer: no flow
    ASSERT_TRUE(scanLineFields("{}", &f));
}

// Lines in the server's own shape take a one-pass parse of the envelope; a flow-like key in args
// or in the payload is not the flow, and the ids before args are.
TEST(LineScan, ServerShapedLinesTakeTheEnvelopeOnly)
{
    LineFields f;
    ASSERT_TRUE(scanLineFields(
        R"({"seq":9,"ts":100,"kind":"read","fn":"swReactorThread_onRead","actor":{"role":"reactor",)"
        R"("index":0,"pid":1,"tid":2},"session":3,"fd":30,"flow":77,"args":{"flow":5},)"
        R"("payload":","flow":6"})",
        &f));
    EXPECT_EQ(f.kind, "read");
    EXPECT_EQ(f.flow, 77u);
    ASSERT_TRUE(scanLineFields(
        R"({"seq":9,"ts":100,"kind":"close","fn":"f","actor":{"role":"master"},"args":{"flow":5}})",
        &f));
    EXPECT_EQ(f.kind, "close");
    EXPECT_EQ(f.flow, 0u);  // no top-level flow
    // Same keys, another order or spacing: the full scan still finds them.
    ASSERT_TRUE(
        scanLineFields(R"({"seq":9, "flow":8,"ts":1,"kind":"read","args":{"flow":5}})", &f));
    EXPECT_EQ(f.kind, "read");
    EXPECT_EQ(f.flow, 8u);
}

// Every line of every recording in traces/ gives what a JSON parser reads from it.
TEST(LineScan, AgreesWithAJsonParserOnEveryRecordedLine)
{
    size_t lines = 0;
    for (const auto& entry : std::filesystem::directory_iterator(RSCOPE_TRACES))
    {
        if (entry.path().extension() != ".jsonl") continue;
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line))
        {
            ++lines;
            nlohmann::json j = nlohmann::json::parse(line);
            LineFields f;
            ASSERT_TRUE(scanLineFields(line, &f)) << entry.path() << ": " << line;
            EXPECT_EQ(f.kind, j.value("kind", "")) << line;
            EXPECT_EQ(f.type, j.value("type", "")) << line;
            uint64_t flow = j.contains("flow") ? j["flow"].get<uint64_t>() : 0;
            EXPECT_EQ(f.flow, flow) << line;
        }
    }
    EXPECT_GT(lines, 5000u);  // the article and the lessons' recordings
}

TEST(LineScan, RefusesWhatIsNotOneObject)
{
    LineFields f;
    for (const char* bad :
         {"", "[1,2]", "5", R"({"seq":1,"kind":"re)", R"({"a":{"b":1})", R"({"a":1}{"b":2})",
          R"({"a":[1,2}})", R"({"a" 1})", R"({"a":1,})", "{\"a\":\"tab\there\"}"})
        EXPECT_FALSE(scanLineFields(bad, &f)) << bad;
}

}  // namespace
}  // namespace rscope::tracefile
