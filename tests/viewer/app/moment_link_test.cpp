// Links to a moment: what a blog post's link opens (the start options), and the link the View
// menu makes from the moment on screen.
#include "viewer/app/moment_link.h"

#include <gtest/gtest.h>

#include "viewer/app/viewer_options.h"

namespace rscope::viewer
{
namespace
{

TEST(MomentLink, TheIssuesExampleOpensEvent21OnTheSequencePicture)
{
    std::vector<std::string> problems;
    Moment m = parseMomentQuery("?trace=traces/article.jsonl&event=21&picture=sequence", problems);
    EXPECT_TRUE(problems.empty());
    ViewerOptions o;
    applyMoment(m, o);
    EXPECT_EQ(o.replayPath, "traces/article.jsonl");
    ASSERT_TRUE(o.atEvent.has_value());
    EXPECT_EQ(*o.atEvent, 20) << "#21 in the event log is index 20";
    EXPECT_EQ(o.picture, "sequence");
}

TEST(MomentLink, ATutorialLinkPlaysTheLessonsRecordingAtItsStep)
{
    std::vector<std::string> problems;
    Moment m = parseMomentQuery("tutorial=02-one-request&step=3&lang=zh", problems);
    ViewerOptions o;
    o.replayPath = "traces/article.jsonl";
    applyMoment(m, o);
    EXPECT_EQ(o.tutorial, "02-one-request");
    EXPECT_EQ(o.tutorialStep, 3);
    EXPECT_EQ(o.lang, "zh");
    EXPECT_TRUE(o.tutorialReplay) << "a page cannot start the lesson's server";
    EXPECT_TRUE(o.replayPath.empty()) << "the lesson opens its own recording";
}

TEST(MomentLink, PercentEncodingRoundTrips)
{
    Moment m;
    m.trace = "my traces/run #2 (zh 中文).jsonl";
    m.event = 7;
    m.session = 3;
    m.speed = 2.5;
    std::string q = formatMomentQuery(m);
    EXPECT_EQ(q.find(' '), std::string::npos) << q;
    EXPECT_EQ(q.find('#'), std::string::npos) << q;
    std::vector<std::string> problems;
    Moment back = parseMomentQuery(q, problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(back.trace, m.trace);
    EXPECT_EQ(back.event, m.event);
    EXPECT_EQ(back.session, 3);
    ASSERT_TRUE(back.speed.has_value());
    EXPECT_DOUBLE_EQ(*back.speed, 2.5);
}

TEST(MomentLink, KeysComeInAFixedOrderAndEmptyOnesAreLeftOut)
{
    Moment m;
    m.picture = "architecture";
    m.trace = "traces/article.jsonl";
    m.event = 21;
    EXPECT_EQ(formatMomentQuery(m), "trace=traces/article.jsonl&event=21&picture=architecture");
    EXPECT_EQ(formatMomentQuery(Moment{}), "");
}

TEST(MomentLink, BadValuesAreSkippedWithAReasonAndUnknownKeysIgnored)
{
    std::vector<std::string> problems;
    Moment m = parseMomentQuery(
        "event=0&picture=flame&lang=fr&step=-1&speed=1000&future_key=1&trace=a.jsonl&x", problems);
    EXPECT_EQ(m.trace, "a.jsonl") << "the good keys still count";
    EXPECT_FALSE(m.event.has_value());
    EXPECT_TRUE(m.picture.empty());
    EXPECT_TRUE(m.lang.empty());
    EXPECT_EQ(m.step, 0);
    EXPECT_FALSE(m.speed.has_value());
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_NE(problems[0].find("event=0"), std::string::npos) << problems[0];
    EXPECT_NE(problems[1].find("architecture, startup, sequence or stats"), std::string::npos);
}

TEST(MomentLink, PlusAndPercentDecodeAndAStrayPercentStays)
{
    std::vector<std::string> problems;
    Moment m = parseMomentQuery("trace=a+b%2Fc%zz.jsonl&live=1", problems);
    EXPECT_EQ(m.trace, "a b/c%zz.jsonl");
    EXPECT_TRUE(m.live);
}

}  // namespace
}  // namespace rscope::viewer
