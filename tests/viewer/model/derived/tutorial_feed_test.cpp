// Store events as tutorial facts: ids as the article trace carries them (absent ones nullopt),
// the actor's role and index, args decoded from the args text on demand; and the feed driving
// the real CheckpointTracker over the article's request.
#include "viewer/model/tutorial_feed.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

constexpr size_t kServerStart = 0;
constexpr size_t kDispatch = 20;        // reactor[0] -> worker[2], RECV_DATA, session 1
constexpr size_t kReceiveData = 25;     // worker_receive RECV_DATA in worker[2]
constexpr size_t kConnectReceive = 22;  // worker_receive CONNECT in worker[2]

TEST(EventFactsFeed, CarriesTheIdsKindAndActorOfTheEvent)
{
    TraceStore store;
    test::loadArticle(store);
    EventFactsFeed feed;
    const tutorial::EventFacts& f = feed.facts(store, kDispatch);
    EXPECT_EQ(f.kind, "dispatch");
    EXPECT_EQ(f.role, "reactor");
    EXPECT_EQ(f.index, 0);
    EXPECT_EQ(f.session, 1);
    EXPECT_EQ(f.fd, 30);
    EXPECT_EQ(f.reactor, 0);
    EXPECT_EQ(f.worker, 2);
    EXPECT_EQ(f.msgId, 1099511627779ull);
    ASSERT_TRUE(f.arg);
    EXPECT_EQ(f.arg("type"), "RECV_DATA");
    EXPECT_EQ(f.arg("len"), "12");
    EXPECT_EQ(f.arg("mode"), "2");
    EXPECT_EQ(f.arg("nothing"), std::nullopt);
}

TEST(EventFactsFeed, AbsentIdsAreNulloptAndTheSameFactsObjectFollowsTheEvent)
{
    TraceStore store;
    test::loadArticle(store);
    EventFactsFeed feed;
    const tutorial::EventFacts& a = feed.facts(store, kServerStart);
    EXPECT_EQ(a.kind, "server_start");
    EXPECT_EQ(a.role, "master");
    EXPECT_EQ(a.index, -1);
    EXPECT_FALSE(a.session || a.fd || a.reactor || a.worker || a.msgId);
    EXPECT_EQ(a.arg("base_mode"), "false");
    EXPECT_EQ(a.arg("worker_num"), "4");
    // The facts are re-pointed, not rebuilt: the callback answers for the newest event.
    const tutorial::EventFacts& b = feed.facts(store, kConnectReceive);
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(b.arg("type"), "CONNECT");
    EXPECT_EQ(feed.facts(store, kReceiveData).arg("type"), "RECV_DATA");
    EXPECT_EQ(b.arg("worker_num"), std::nullopt);
}

TEST(EventFactsFeed, ArgTextSpellsScalarsAsMatchersWriteThem)
{
    const char* json = R"({"s":"a\"b","i":-3,"u":18446744073709551615,"t":true,"d":1.5,)"
                       R"("o":{"x":1},"l":[1],"n":null})";
    EXPECT_EQ(argText(json, "s"), "a\"b");
    EXPECT_EQ(argText(json, "i"), "-3");
    EXPECT_EQ(argText(json, "u"), "18446744073709551615");
    EXPECT_EQ(argText(json, "t"), "true");
    EXPECT_EQ(argText(json, "d"), "1.5");
    EXPECT_EQ(argText(json, "o"), std::nullopt);
    EXPECT_EQ(argText(json, "l"), std::nullopt);
    EXPECT_EQ(argText(json, "n"), std::nullopt);
    EXPECT_EQ(argText(json, "missing"), std::nullopt);
    EXPECT_EQ(argText("", "s"), std::nullopt);
    EXPECT_EQ(argText("{broken", "s"), std::nullopt);
}

TEST(EventFactsFeed, DrivesTheCheckpointTrackerOverTheArticleRequest)
{
    TraceStore store;
    test::loadArticle(store);
    // read, then a dispatch to some worker $w, then that worker receiving the data.
    tutorial::Checkpoint cp;
    tutorial::Matcher read;
    read.kinds = {"read"};
    tutorial::Matcher dispatch;
    dispatch.kinds = {"dispatch"};
    dispatch.ids["worker"] = tutorial::MatchValue{"$w", ""};
    tutorial::Matcher receive;
    receive.kinds = {"worker_receive"};
    receive.ids["worker"] = tutorial::MatchValue{"$w", ""};
    receive.args["type"] = tutorial::MatchValue{"", "RECV_DATA"};
    cp.events = {read, dispatch, receive};
    tutorial::CheckpointTracker tracker(cp);
    EventFactsFeed feed;
    size_t metAt = store.size();
    for (size_t i = 0; i < store.size(); ++i)
        if (tracker.observe(feed.facts(store, i)))
        {
            metAt = i;
            break;
        }
    // The CONNECT message (22) reaches the same worker first: the args matcher skips it.
    EXPECT_EQ(metAt, kReceiveData);
    EXPECT_EQ(tracker.bindings().at("$w"), "2");
}

}  // namespace
}  // namespace rscope::viewer
