// scanLineFields: top-level fields only, nested look-alikes ignored, broken lines refused.
#include "engine/tracefile/line_scan.h"

#include <gtest/gtest.h>

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
