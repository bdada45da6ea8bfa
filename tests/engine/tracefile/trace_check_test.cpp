// checkTrace: the flow rule with and without trace_end, unknown kinds, and the summary line.
#include "engine/tracefile/trace_check.h"

#include <gtest/gtest.h>

#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using nlohmann::json;
using testing::Collected;
using testing::kReactor0;
using testing::kWorker0;
using testing::TraceBuilder;
using testing::writeTrace;

CheckSummary check(const std::string& text, Collected* problems)
{
    return checkTrace(writeTrace(text), [&](const Problem& p) { problems->add(p); });
}

// A request flow that stops at the worker: pipe_write to the worker is its last event.
void openFlow(TraceBuilder& b, uint64_t flow, int64_t t0)
{
    json ids = {{"session", 2}, {"flow", flow}};
    b.event("read", t0, kReactor0, ids);
    b.event("dispatch", t0 + 1000, kReactor0, ids);
    b.event("pipe_write", t0 + 2000, kReactor0, ids);
}

TEST(TraceCheck, ValidTracePasses)
{
    TraceBuilder b;
    b.request(1, 1'000'000).request(2, 2'000'000).end();
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_TRUE(problems.warnings.empty()) << problems.describe();
    EXPECT_EQ(s.events, 18u);
    EXPECT_EQ(s.kinds, 8u);
    EXPECT_EQ(s.flows, 2u);
    EXPECT_EQ(s.toString(), s.path +
                                ": 18 events, 8 kinds, 2 flows (0 cut), 0 errors, 0 warnings, 0 "
                                "unknown-kind events skipped");
}

TEST(TraceCheck, OpenFlowWithoutTraceEndIsAnErrorAtItsLastEvent)
{
    TraceBuilder b;
    openFlow(b, 7, 1'000'000);              // lines 2-4
    b.request(1, 1'000'000 + 500'000'000);  // 500 ms later: the trace goes on
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_FALSE(s.ok());
    ASSERT_EQ(problems.errors.size(), 1u) << problems.describe();
    EXPECT_EQ(problems.errors[0].where.line, 4u);
    EXPECT_NE(problems.errors[0].where.message.find("flow 7 never closed"), std::string::npos)
        << problems.describe();
    EXPECT_EQ(s.cutFlows, 0u);
}

TEST(TraceCheck, OpenFlowInTheLast100MsWithoutTraceEndIsAWarning)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    openFlow(b, 7, 1'000'000 + 50'000'000);
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_EQ(s.cutFlows, 1u);
    ASSERT_EQ(problems.warnings.size(), 2u) << problems.describe();  // + "no trace_end"
    EXPECT_NE(problems.warnings[1].where.message.find("flow 7 cut without trace_end"),
              std::string::npos)
        << problems.describe();
}

TEST(TraceCheck, OpenFlowListedInCutFlowsIsOk)
{
    TraceBuilder b;
    openFlow(b, 7, 1'000'000);
    b.request(1, 1'000'000 + 500'000'000);
    b.end(0, {7});
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_TRUE(problems.warnings.empty()) << problems.describe();
    EXPECT_EQ(s.flows, 2u);
    EXPECT_EQ(s.cutFlows, 1u);
}

TEST(TraceCheck, OpenFlowMissingFromCutFlowsIsAnError)
{
    TraceBuilder b;
    openFlow(b, 7, 1'000'000);
    openFlow(b, 8, 1'100'000);
    b.end(0, {8, 1});
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_FALSE(s.ok());
    ASSERT_EQ(problems.errors.size(), 1u) << problems.describe();
    EXPECT_EQ(problems.errors[0].where.line, 4u);
    EXPECT_NE(problems.errors[0].where.message.find("flow 7 is open"), std::string::npos);
    ASSERT_EQ(problems.warnings.size(), 1u) << problems.describe();  // flow 1 does not exist
    EXPECT_NE(problems.warnings[0].where.message.find("flow 1, which no event carries"),
              std::string::npos);
}

TEST(TraceCheck, UnknownKindIsAcceptedAndCounted)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    b.event("future_kind", 1'020'000, kWorker0, {{"flow", 1}});
    b.end();
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_EQ(s.unknownKinds, 1u);
    EXPECT_EQ(s.events, 10u);
    EXPECT_NE(s.toString().find("1 unknown-kind events skipped"), std::string::npos);
}

TEST(TraceCheck, SchemaErrorsAreCountedInTheSummary)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    b.event("read", 1'100'000, kReactor0, {{"seq", "10"}});
    b.end();
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.errors, 1u) << problems.describe();
    EXPECT_EQ(problems.errors.at(0).where.line, 11u);
}

TEST(TraceCheck, NewerMajorIsRefusedWithOneError)
{
    TraceBuilder b("2.0");
    b.request(1, 1'000'000).end();
    Collected problems;
    CheckSummary s = check(b.text(), &problems);
    EXPECT_FALSE(s.readable);
    EXPECT_EQ(s.errors, 1u);
    EXPECT_EQ(s.events, 0u);
}

}  // namespace
}  // namespace rscope::tracefile
