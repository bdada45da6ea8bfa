// checkLessonOnRecording: the window rule over a recording, and formatStepReport's lines.
#include "engine/tutorial/lesson_check.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace rscope::tutorial
{
namespace
{

std::string eventLine(uint64_t seq, const std::string& kind, int session)
{
    return "{\"seq\":" + std::to_string(seq) + ",\"ts\":" + std::to_string(seq * 1'000'000) +
           ",\"kind\":\"" + kind +
           "\",\"fn\":\"f\",\"actor\":{\"role\":\"master\",\"index\":-1,\"pid\":1,\"tid\":1},"
           "\"session\":" +
           std::to_string(session) + ",\"args\":{}}";
}

Step step(bool withAction, std::vector<std::string> kinds)
{
    Step s;
    s.text = {"en", "zh"};
    if (withAction)
    {
        s.action = Action();
        s.action->kind = "send_article";
    }
    if (kinds.empty()) return s;
    Checkpoint c;
    for (const std::string& k : kinds)
    {
        Matcher m;
        m.kinds = {k};
        c.events.push_back(m);
    }
    c.hint = {"no " + kinds[0], "没有 " + kinds[0]};
    s.checkpoint = c;
    return s;
}

class RecordingCheck : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        path_ = "/tmp/rscope-lesson-check-test-" + std::to_string(::getpid()) + ".jsonl";
        std::ofstream out(path_);
        out << "{\"type\":\"header\",\"format\":\"reactorscope-trace\",\"version\":\"1.0\"}\n"
            << eventLine(1, "accept", 1) << "\n"
            << eventLine(2, "close", 1) << "\n"
            << eventLine(3, "accept", 2) << "\n"
            << "{\"type\":\"trace_end\",\"events\":3,\"dropped\":0,\"cut_flows\":[]}\n";
        lesson_.id = "05-test";
    }
    void TearDown() override { std::remove(path_.c_str()); }

    LessonOutcome check(std::vector<StepReport>& reports)
    {
        LessonHooks hooks;
        hooks.onStep = [&](const StepReport& r) { reports.push_back(r); };
        return checkLessonOnRecording(lesson_, path_, Lang::Zh, hooks);
    }

    std::string path_;
    Lesson lesson_;
};

TEST_F(RecordingCheck, StepWithActionStartsAfterTheEventThatMetThePreviousStep)
{
    lesson_.steps = {step(true, {"accept"}), step(true, {"accept"}), step(true, {"accept"})};
    std::vector<StepReport> reports;
    LessonOutcome outcome = check(reports);
    // Step 2 takes the second accept (seq 3); step 3 has none left after it.
    EXPECT_FALSE(outcome.ok);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_TRUE(reports[0].ok);
    EXPECT_TRUE(reports[1].ok);
    EXPECT_EQ(reports[1].elapsedMs, 1);  // from seq 2 (the window's first event) to seq 3
    EXPECT_FALSE(reports[2].ok);
    EXPECT_EQ(formatStepReport(lesson_, reports[2]),
              "05-test step 3/3: FAILED: 没有 accept; matched 0 of 1");
}

TEST_F(RecordingCheck, StepWithoutActionSharesThePreviousWindow)
{
    // Both steps see the whole recording: the close of step 1 does not hide the first accept.
    lesson_.steps = {step(true, {"close"}), step(false, {"accept", "close"}), step(false, {})};
    std::vector<StepReport> reports;
    LessonOutcome outcome = check(reports);
    EXPECT_TRUE(outcome.ok);
    EXPECT_EQ(outcome.stepsRun, 3u);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(formatStepReport(lesson_, reports[1]), "05-test step 2/3: ok (1 ms)");
    EXPECT_EQ(formatStepReport(lesson_, reports[2]), "05-test step 3/3: ok (no checkpoint)");
}

TEST_F(RecordingCheck, LessonStopsAtTheFirstFailedStep)
{
    lesson_.steps = {step(true, {"listen"}), step(true, {"accept"})};
    std::vector<StepReport> reports;
    LessonOutcome outcome = check(reports);
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.stepsRun, 1u);
    EXPECT_EQ(reports.size(), 1u);
}

TEST_F(RecordingCheck, RestartMovesOnToTheNextRunsFile)
{
    std::string run2 = recordingPathForRun(path_, 2);
    {
        std::ofstream out(run2);
        out << "{\"type\":\"header\",\"format\":\"reactorscope-trace\",\"version\":\"1.0\"}\n"
            << eventLine(1, "listen", 0) << "\n";
    }
    Step restart = step(false, {"listen"});
    restart.action = Action();
    restart.action->kind = "restart_server";
    // listen is only in run 2; close only in run 1.
    lesson_.steps = {step(true, {"close"}), restart};
    std::vector<StepReport> reports;
    EXPECT_TRUE(check(reports).ok);
    lesson_.steps.push_back(step(false, {"close"}));
    reports.clear();
    EXPECT_FALSE(check(reports).ok);
    std::remove(run2.c_str());
    reports.clear();
    LessonOutcome missing = check(reports);
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find(run2 + ": cannot open the recording of run 2"), std::string::npos)
        << missing.error;
}

TEST(DescribeMatcher, NamesKindsActorIdsArgsAndBoundValues)
{
    Matcher m;
    m.kinds = {"close", "discard"};
    m.actorRole = "worker";
    m.actorIndex = 2;
    m.ids["session"].variable = "$s";
    m.ids["worker"].variable = "$w";
    m.args["type"].text = "RECV_DATA";
    m.count = 3;
    EXPECT_EQ(describeMatcher(m, {{"$s", "7"}}),
              "close|discard actor=worker[2] session=$s(=7) worker=$w args.type=RECV_DATA x3");
}

TEST_F(RecordingCheck, FailedStepSaysWhichMatcherItWaitsFor)
{
    Step s = step(true, {"accept", "listen"});
    s.checkpoint->events[0].ids["session"].variable = "$s";
    lesson_.steps = {s};
    std::vector<StepReport> reports;
    EXPECT_FALSE(check(reports).ok);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].waitingFor, "listen");
    EXPECT_EQ(reports[0].matched, 1u);
}

TEST(RecordingPathForRun, FirstRunIsTheReplayFileOthersAreNumbered)
{
    EXPECT_EQ(recordingPathForRun("traces/lesson-03-x.jsonl", 1), "traces/lesson-03-x.jsonl");
    EXPECT_EQ(recordingPathForRun("traces/lesson-03-x.jsonl", 2), "traces/lesson-03-x-run2.jsonl");
    EXPECT_EQ(recordingPathForRun("out", 3), "out-run3");
}

TEST_F(RecordingCheck, MissingRecordingIsAnError)
{
    lesson_.steps = {step(true, {"accept"})};
    LessonOutcome outcome = checkLessonOnRecording(lesson_, path_ + ".none", Lang::En, {});
    EXPECT_FALSE(outcome.ok);
    EXPECT_NE(outcome.error.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace rscope::tutorial
