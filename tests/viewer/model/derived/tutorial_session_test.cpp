// The tutorial state machine against the article trace: live (events appended after the step
// began, fed a few at a time as the socket would), timeouts and hints, Back / Repeat, a new
// recording mid-step; replay (the recording scanned from where the step began, the cursor
// deciding what was seen, Next's seek target), a checkpoint the recording never meets.
#include "viewer/model/tutorial_session.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using tutorial::Lang;

constexpr size_t kAccept = 13;
constexpr size_t kReceiveData = 25;  // worker_receive RECV_DATA: the request reached worker[2]
constexpr size_t kClose = 35;
constexpr int kTimeoutMs = 100;

tutorial::Matcher matcher(const char* kind)
{
    tutorial::Matcher m;
    m.kinds = {kind};
    return m;
}

tutorial::Step step(const char* en, const char* zh)
{
    tutorial::Step s;
    s.text = {en, zh};
    return s;
}

tutorial::Checkpoint checkpoint(std::vector<tutorial::Matcher> events)
{
    tutorial::Checkpoint cp;
    cp.events = std::move(events);
    cp.timeoutMs = kTimeoutMs;
    cp.hint = {"send a request", "发送一个请求"};
    return cp;
}

// Four steps: read (no checkpoint, an action), an accept, the request reaching its worker, the
// close; plus, when asked, a step the article never meets (a worker exit).
tutorial::Lesson lesson(bool withExitStep = false)
{
    tutorial::Lesson l;
    l.id = "test-lesson";
    l.title = {"One request", "一个请求"};
    tutorial::Step intro = step("Read this.", "读这个。");
    intro.action = tutorial::Action{};
    intro.action->kind = "send_article";
    tutorial::Step accept = step("The master accepts.", "主线程接受连接。");
    accept.checkpoint = checkpoint({matcher("accept")});
    tutorial::Step request = step("The request reaches a worker.", "请求到达 worker。");
    tutorial::Matcher dispatch = matcher("dispatch");
    dispatch.ids["worker"] = tutorial::MatchValue{"$w", ""};
    tutorial::Matcher receive = matcher("worker_receive");
    receive.ids["worker"] = tutorial::MatchValue{"$w", ""};
    receive.args["type"] = tutorial::MatchValue{"", "RECV_DATA"};
    request.checkpoint = checkpoint({matcher("read"), dispatch, receive});
    request.action = tutorial::Action{};
    request.action->kind = "send_article";
    tutorial::Step close = step("The server closes.", "服务器关闭连接。");
    close.checkpoint = checkpoint({matcher("close")});
    l.steps = {intro, accept, request, close};
    if (withExitStep)
    {
        tutorial::Step exit = step("A worker exits.", "一个 worker 退出。");
        exit.checkpoint = checkpoint({matcher("worker_exit")});
        l.steps.insert(l.steps.begin() + 2, exit);
    }
    return l;
}

// A live store fed from the article, as the socket would: the header, then events on demand.
struct LiveFeed
{
    TraceStore article;
    TraceStore live;
    size_t fed = 0;
    LiveFeed()
    {
        test::loadArticle(article);
        live.setTopology(article.topology());
    }
    void feedUpTo(size_t end)  // events [fed, end) of the article
    {
        for (; fed < end && fed < article.size(); ++fed)
        {
            Event e = article[fed];
            e.actor = live.internActor(article.actorOf(e));
            live.append(e, article.args(article[fed]), article.payload(article[fed]));
        }
    }
};

TEST(TutorialSession, LiveCountsOnlyEventsAppendedAfterTheActionOfTheStep)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    EXPECT_TRUE(s.start(f.live, 0)) << "step 1 has an action to run";
    EXPECT_EQ(s.status(), CheckpointStatus::None);
    EXPECT_TRUE(s.canAdvance());
    EXPECT_FALSE(s.next(f.live, 0)) << "step 2 has no action";
    f.feedUpTo(f.article.size());  // the whole request arrives before step 3's action
    EXPECT_TRUE(s.next(f.live, 10)) << "step 3 runs its action";
    EXPECT_EQ(s.stepBegin(), f.article.size());
    s.update(f.live, f.live.size(), 20);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);
    EXPECT_FALSE(s.canAdvance());
    EXPECT_EQ(s.metEvent(), -1);
}

TEST(TutorialSession, LiveStepWithoutActionSharesTheWindowOfTheStepBefore)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    f.feedUpTo(f.article.size());  // step 1's action produced every event
    s.next(f.live, 1);
    EXPECT_EQ(s.stepBegin(), 0u);
    s.update(f.live, f.live.size(), 2);
    EXPECT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
}

TEST(TutorialSession, LiveMeetsAtTheEventThatCompletesTheCheckpointFedInSlices)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    s.next(f.live, 0);
    EXPECT_TRUE(s.next(f.live, 0)) << "step 3 runs its action";
    // Three events per frame, as a slow socket would deliver them.
    while (f.fed < f.article.size() && s.status() != CheckpointStatus::Met)
    {
        f.feedUpTo(f.fed + 3);
        s.update(f.live, f.live.size(), 1);
        if (f.fed <= kReceiveData)
        {
            EXPECT_NE(s.status(), CheckpointStatus::Met) << f.fed;
        }
    }
    EXPECT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    EXPECT_EQ(s.satisfied(), 3u);
    EXPECT_EQ(s.total(), 3u);
    EXPECT_TRUE(s.canAdvance());
}

TEST(TutorialSession, LiveTimeoutShowsTheHintAndALateMeetStillCounts)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::Zh, TutorialMode::Live);
    s.start(f.live, 1000);
    s.next(f.live, 1000);
    s.update(f.live, 0, 1000 + kTimeoutMs);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting) << "not past the timeout yet";
    s.update(f.live, 0, 1000 + kTimeoutMs + 1);
    EXPECT_EQ(s.status(), CheckpointStatus::TimedOut);
    EXPECT_EQ(s.hint(), "发送一个请求");
    EXPECT_EQ(s.text(), "主线程接受连接。");
    EXPECT_EQ(s.elapsedMs(1000 + 2500), 2500);
    f.feedUpTo(f.article.size());
    s.update(f.live, f.live.size(), 5000);
    EXPECT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
    s.setLang(Lang::En);
    EXPECT_EQ(s.hint(), "send a request");
    EXPECT_EQ(s.title(), "One request");
}

TEST(TutorialSession, LiveBackReChecksTheStepsWindowAndRepeatOpensANewOne)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    s.next(f.live, 0);
    s.next(f.live, 0);  // the request step: its window begins at 0
    f.feedUpTo(f.article.size());
    s.update(f.live, f.live.size(), 1);
    ASSERT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_FALSE(s.next(f.live, 2)) << "the close step has no action: same window";
    s.update(f.live, f.live.size(), 3);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kClose));

    EXPECT_FALSE(s.back(f.live, 4)) << "Back never runs the action again";
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.stepBegin(), 0u);
    EXPECT_EQ(s.status(), CheckpointStatus::DoneEarlier);
    EXPECT_TRUE(s.canAdvance());
    s.update(f.live, f.live.size(), 5);
    EXPECT_EQ(s.status(), CheckpointStatus::Met) << "the same window meets it again";
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));

    EXPECT_TRUE(s.repeat(f.live, 6)) << "Repeat runs the action again, in a new window";
    EXPECT_EQ(s.stepBegin(), f.live.size());
    s.update(f.live, f.live.size(), 7);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);

    // The accept step was skipped unmet: Back re-checks its window and meets it.
    s.back(f.live, 8);
    EXPECT_EQ(s.step(), 1u);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);
    s.update(f.live, f.live.size(), 9);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
}

TEST(TutorialSession, LiveActionRunLateRestartsTheWindow)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    f.feedUpTo(kAccept + 1);
    s.restartWindow(f.live.size(), 1);  // the action waited for the socket and ran now
    EXPECT_EQ(s.stepBegin(), kAccept + 1);
    s.next(f.live, 2);
    f.feedUpTo(f.article.size());
    s.update(f.live, f.live.size(), 3);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting) << "the accept came before the action";
}

TEST(TutorialSession, LiveNewRecordingCountsFromItsFirstEvent)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    s.next(f.live, 0);
    f.feedUpTo(20);
    s.next(f.live, 0);  // the request step begins at 20: its read (19) was before
    s.update(f.live, f.live.size(), 1);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);
    // The server restarted: a new header, the store refilled from its first event.
    f.live.clear();
    f.live.setTopology(f.article.topology());
    f.fed = 0;
    s.storeReset(2);
    EXPECT_EQ(s.stepBegin(), 0u);
    f.feedUpTo(kReceiveData + 1);
    s.update(f.live, f.live.size(), 3);
    EXPECT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
}

TEST(TutorialSession, ReplayScansFromTheStepBeginAndTheCursorDecidesMet)
{
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(lesson(), Lang::En, TutorialMode::Replay);
    EXPECT_FALSE(s.start(store, 0)) << "a replay runs no actions";
    EXPECT_FALSE(s.next(store, 0));
    EXPECT_EQ(s.stepBegin(), 0u);
    s.update(store, 0, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Ahead);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
    EXPECT_TRUE(s.canAdvance()) << "Next moves the cursor there";
    s.update(store, kAccept, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Ahead) << "position 13: event 13 has not happened";
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.nextSeekEvent(), static_cast<int64_t>(kAccept));

    s.next(store, 0);
    EXPECT_EQ(s.stepBegin(), kAccept + 1)
        << "a step with an action begins after the event that met the one before";
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    EXPECT_EQ(s.nextSeekEvent(), static_cast<int64_t>(kReceiveData));
    s.next(store, 0);
    s.update(store, kReceiveData + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kClose));
    EXPECT_EQ(s.status(), CheckpointStatus::Ahead);

    // Back re-scans the previous step from where it began: the same recording, the same event.
    s.back(store, 0);
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.stepBegin(), kAccept + 1);
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
}

TEST(TutorialSession, ReplayScanIsBoundedPerUpdate)
{
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(lesson(), Lang::En, TutorialMode::Replay);
    s.start(store, 0);
    s.next(store, 0);
    s.next(store, 0);  // the request step from 0 (the accept step was skipped unmet)
    int updates = 0;
    while (s.metEvent() < 0 && updates < 100)
    {
        s.update(store, 0, 0, 4);  // four events per frame
        ++updates;
        if (s.metEvent() < 0)
        {
            EXPECT_EQ(s.status(), CheckpointStatus::Waiting);
        }
    }
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    EXPECT_EQ(updates, static_cast<int>(kReceiveData / 4 + 1));
}

TEST(TutorialSession, ReplayCheckpointTheRecordingNeverMeetsShowsTheHint)
{
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(lesson(true), Lang::En, TutorialMode::Replay);
    s.start(store, 0);
    s.next(store, 0);
    s.update(store, store.size(), 0);
    s.next(store, 0);  // the worker-exit step: no action, the accept step's window
    ASSERT_EQ(s.text(), "A worker exits.");
    s.update(store, store.size(), 0);
    EXPECT_EQ(s.status(), CheckpointStatus::NotInRecording);
    EXPECT_FALSE(s.canAdvance());
    EXPECT_EQ(s.hint(), "send a request");
    EXPECT_EQ(s.nextSeekEvent(), -1);
    // Skipping it: the request step's action ran after the last met event... none in this
    // window, so it is looked for from where the unmet one began (the shared window).
    s.next(store, 0);
    EXPECT_EQ(s.stepBegin(), 0u);
    s.update(store, store.size(), 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
}

TEST(TutorialSession, SwitchToReplayLooksForTheStepFromTheRecordingStart)
{
    TraceStore empty;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(empty, 0);
    s.next(empty, 0);
    TraceStore store;
    test::loadArticle(store);
    s.switchToReplay(store, 0);
    EXPECT_EQ(s.mode(), TutorialMode::Replay);
    EXPECT_EQ(s.step(), 1u);
    s.update(store, 0, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
}

TEST(TutorialSession, HighlightsNameTheObjectsTheCheckpointsBound)
{
    tutorial::Lesson l = lesson();
    l.steps[2].highlight.nodes = {"worker[$w]", "reactor[$r]", "master"};
    l.steps[2].highlight.edges = {"pipe[0->$w]"};
    l.steps[3].highlight.nodes = {"worker[$w]"};
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(std::move(l), Lang::En, TutorialMode::Replay);
    s.start(store, 0);
    s.next(store, 0);
    s.next(store, 0);
    EXPECT_EQ(s.highlightNodes(), (std::vector<std::string>{"master"}))
        << "nothing bound yet: the ids naming variables wait for the events";
    s.update(store, store.size(), 0);
    ASSERT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    EXPECT_EQ(s.highlightNodes(), (std::vector<std::string>{"worker[2]", "master"}))
        << "$r is bound by no checkpoint of this lesson";
    EXPECT_EQ(s.highlightEdges(), (std::vector<std::string>{"pipe[0->2]"}));
    // The close step binds nothing: the request step's $w still names worker[2].
    s.next(store, 0);
    EXPECT_EQ(s.highlightNodes(), (std::vector<std::string>{"worker[2]"}));
}

}  // namespace
}  // namespace rscope::viewer
