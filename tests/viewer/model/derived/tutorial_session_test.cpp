// The tutorial state machine against the article trace: a step with an action waits Ready for
// Next; live (events appended after the action ran, fed a few at a time as the socket would),
// timeouts and hints, Back / Repeat, a new recording mid-step, the cursor sent to the event that
// met each step, the step gate held and stepped until the checkpoint; replay (the recording
// scanned from where the step began, the cursor deciding what was seen, Next landing on THIS
// step's event), a checkpoint the recording never meets.
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

// Steps 1-2 walked live: step 1's action run by the first Next, step 2 entered by the second.
void walkToAccept(TutorialSession& s, const TraceStore& live)
{
    s.start(live, 0);
    s.next(live, 0);
    s.next(live, 0);
}

// Steps 1-3 walked live up to the request step's action having run at `now`.
void walkToRequestRun(TutorialSession& s, const TraceStore& live, int64_t now = 0)
{
    walkToAccept(s, live);
    s.next(live, now);  // the request step: Ready
    s.next(live, now);  // its action
}

TEST(TutorialSession, AStepWithAnActionWaitsForNextBeforeItRuns)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    EXPECT_FALSE(s.start(f.live, 0)) << "opening the lesson runs nothing";
    EXPECT_EQ(s.step(), 0u);
    EXPECT_EQ(s.status(), CheckpointStatus::Ready);
    EXPECT_TRUE(s.actionPending());
    EXPECT_TRUE(s.canAdvance()) << "Next is what runs it";
    EXPECT_STREQ(checkpointStatusName(s.status()), "ready");
    EXPECT_TRUE(s.next(f.live, 0)) << "Next runs step 1's action";
    EXPECT_EQ(s.step(), 0u) << "the step stays while its action's events come";
    EXPECT_FALSE(s.actionPending());
    EXPECT_EQ(s.status(), CheckpointStatus::None);
    EXPECT_FALSE(s.next(f.live, 0)) << "step 2 has no action";
    EXPECT_EQ(s.step(), 1u);
    EXPECT_FALSE(s.next(f.live, 0)) << "step 3 is entered Ready";
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.status(), CheckpointStatus::Ready);
    s.update(f.live, f.live.size(), 10000);
    EXPECT_EQ(s.status(), CheckpointStatus::Ready) << "no timeout before the action ran";
    EXPECT_TRUE(s.next(f.live, 0)) << "its action runs on the next Next";
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);
}

TEST(TutorialSession, LiveCountsOnlyEventsAppendedAfterTheActionOfTheStep)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    walkToAccept(s, f.live);
    s.next(f.live, 0);             // the request step: Ready
    f.feedUpTo(f.article.size());  // the whole request arrives before its action runs
    EXPECT_TRUE(s.next(f.live, 10));
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
    s.next(f.live, 0);             // step 1's action
    f.feedUpTo(f.article.size());  // it produced every event
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
    walkToRequestRun(s, f.live);
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

TEST(TutorialSession, LiveCursorFollowsTheStepsEventsThenStaysOnTheOneThatMetIt)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    EXPECT_EQ(s.takeCursorMove(f.live).kind, CursorMove::Kind::Follow)
        << "step 1 is Ready: the server as it is";
    EXPECT_EQ(s.takeCursorMove(f.live).kind, CursorMove::Kind::None) << "asked once";
    s.next(f.live, 0);
    s.next(f.live, 0);  // the accept step
    EXPECT_EQ(s.takeCursorMove(f.live).kind, CursorMove::Kind::Follow);
    f.feedUpTo(f.article.size());  // the events beyond it arrive in the same frame
    s.update(f.live, f.live.size(), 1);
    CursorMove m = s.takeCursorMove(f.live);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, kAccept) << "the accept, not the newest event";
    s.update(f.live, f.live.size(), 2);
    EXPECT_EQ(s.takeCursorMove(f.live).kind, CursorMove::Kind::None)
        << "the learner may move the cursor afterwards";
    // Entering the Ready request step keeps the accept's moment until its action runs.
    s.next(f.live, 3);
    m = s.takeCursorMove(f.live);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, kAccept);
}

TEST(TutorialSession, LiveGateIsHeldAndSteppedUntilTheCheckpointThenLeftHeld)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    EXPECT_EQ(s.gateCommand(0, false, 0), GateCommand::Hold) << "held from the start";
    EXPECT_EQ(s.gateCommand(0, true, 1000), GateCommand::None) << "Ready: nothing runs";
    s.next(f.live, 0);
    s.next(f.live, 0);  // the accept step, looking for its checkpoint
    EXPECT_EQ(s.gateCommand(0, true, 1000), GateCommand::Step) << "quiet for a while: a step";
    EXPECT_EQ(s.gateCommand(0, true, 1001), GateCommand::None) << "waits for its event";
    f.feedUpTo(kAccept);
    EXPECT_EQ(s.gateCommand(f.live.size(), true, 1002), GateCommand::Step)
        << "an event arrived: the next step at once";
    EXPECT_EQ(s.gateCommand(f.live.size(), true, 1003), GateCommand::None);
    EXPECT_EQ(s.gateCommand(f.live.size(), true, 1003 + TutorialSession::kStepIdleMs),
              GateCommand::Step);
    f.feedUpTo(kAccept + 1);
    s.update(f.live, f.live.size(), 1100);
    ASSERT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.gateCommand(f.live.size() + 1, true, 5000), GateCommand::None)
        << "met: the server stays where the step ends";
    EXPECT_EQ(s.gateCommand(f.live.size(), false, 5001), GateCommand::Hold)
        << "a new connection is held again";
}

TEST(TutorialSession, LiveLoadActionRunsFreeUntilItsCheckpointThenIsHeld)
{
    LiveFeed f;
    tutorial::Lesson l = lesson();
    l.steps[2].action->kind = "send_requests";
    TutorialSession s(std::move(l), Lang::En, TutorialMode::Live);
    walkToAccept(s, f.live);
    s.next(f.live, 0);
    EXPECT_EQ(s.gateCommand(0, true, 0), GateCommand::None) << "Ready: still held";
    s.next(f.live, 0);  // the load runs
    EXPECT_EQ(s.gateCommand(0, true, 1), GateCommand::Run);
    EXPECT_EQ(s.gateCommand(0, false, 2), GateCommand::None);
    f.feedUpTo(f.article.size());
    s.update(f.live, f.live.size(), 3);
    ASSERT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_EQ(s.gateCommand(f.live.size(), false, 4), GateCommand::Hold);
}

TEST(TutorialSession, LiveTimeoutShowsTheHintAndALateMeetStillCounts)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::Zh, TutorialMode::Live);
    s.start(f.live, 1000);
    s.next(f.live, 1000);
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
    walkToRequestRun(s, f.live);  // the request step: its window begins at 0
    f.feedUpTo(f.article.size());
    s.update(f.live, f.live.size(), 1);
    ASSERT_EQ(s.status(), CheckpointStatus::Met);
    EXPECT_FALSE(s.next(f.live, 2)) << "the close step has no action: same window";
    s.update(f.live, f.live.size(), 3);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kClose));

    EXPECT_FALSE(s.back(f.live, 4)) << "Back never runs the action again";
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.stepBegin(), 0u);
    EXPECT_EQ(s.status(), CheckpointStatus::DoneEarlier) << "not Ready: its action ran";
    EXPECT_TRUE(s.canAdvance());
    s.update(f.live, f.live.size(), 5);
    EXPECT_EQ(s.status(), CheckpointStatus::Met) << "the same window meets it again";
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    CursorMove m = s.takeCursorMove(f.live);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, kReceiveData) << "Back shows that step's moment again";

    EXPECT_TRUE(s.repeat(f.live, 6)) << "Repeat runs the action again, in a new window";
    EXPECT_EQ(s.stepBegin(), f.live.size());
    s.update(f.live, f.live.size(), 7);
    EXPECT_EQ(s.status(), CheckpointStatus::Waiting);

    // The accept step was met before: Back re-checks its window and meets it again.
    s.back(f.live, 8);
    EXPECT_EQ(s.step(), 1u);
    s.update(f.live, f.live.size(), 9);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
}

TEST(TutorialSession, LiveActionRunLateRestartsTheWindow)
{
    LiveFeed f;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    s.start(f.live, 0);
    s.next(f.live, 0);
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
    walkToAccept(s, f.live);
    f.feedUpTo(20);
    s.next(f.live, 0);
    s.next(f.live, 0);  // the request step's action runs at 20: its read (19) was before
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

TEST(TutorialSession, ReplayNextLandsOnThisStepsEventNotThePreviousOne)
{
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(lesson(), Lang::En, TutorialMode::Replay);
    EXPECT_FALSE(s.start(store, 0)) << "a replay runs no actions";
    EXPECT_EQ(s.status(), CheckpointStatus::Ready);
    CursorMove m = s.takeCursorMove(store);
    EXPECT_NE(m.kind, CursorMove::Kind::Follow) << "a recording is not followed";
    EXPECT_LT(m.event, kAccept) << "Ready: before the step's first event";
    EXPECT_FALSE(s.next(store, 0)) << "Next 'runs' the recorded action: nothing to run";
    EXPECT_FALSE(s.next(store, 0));
    EXPECT_EQ(s.stepBegin(), 0u);
    s.update(store, 0, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kAccept));
    m = s.takeCursorMove(store);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, kAccept) << "the accept step lands on the accept";
    EXPECT_EQ(s.status(), CheckpointStatus::Ahead) << "until the cursor got there";
    s.update(store, kAccept, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Ahead) << "position 13: event 13 has not happened";
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Met);

    s.next(store, 0);
    EXPECT_EQ(s.status(), CheckpointStatus::Ready);
    EXPECT_EQ(s.stepBegin(), kAccept + 1)
        << "a step with an action begins after the event that met the one before";
    m = s.takeCursorMove(store);
    EXPECT_EQ(m.event, kAccept) << "Ready: the previous step's moment";
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.metEvent(), -1) << "nothing is looked for before Next";
    s.next(store, 0);
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    m = s.takeCursorMove(store);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, kReceiveData) << "Next lands on THIS step's event";
    s.next(store, 0);
    s.update(store, kReceiveData + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kClose));
    EXPECT_EQ(s.takeCursorMove(store).event, kClose);

    // Back re-scans the previous step from where it began: the same recording, the same event.
    s.back(store, 0);
    EXPECT_EQ(s.step(), 2u);
    EXPECT_EQ(s.stepBegin(), kAccept + 1);
    s.update(store, kAccept + 1, 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
    EXPECT_EQ(s.takeCursorMove(store).event, kReceiveData);
}

TEST(TutorialSession, ReplayReadyFirstStepShowsTheEndOfTheReplayedStartup)
{
    TraceStore store;
    test::loadArticle(store);
    Topology t = store.topology();
    t.liveFromSeq = store[4].seq;  // events 0..3 were replayed to the recorder
    store.setTopology(t);
    TutorialSession s(lesson(), Lang::En, TutorialMode::Replay);
    s.start(store, 0);
    CursorMove m = s.takeCursorMove(store);
    EXPECT_EQ(m.kind, CursorMove::Kind::Event);
    EXPECT_EQ(m.event, 3u);

    tutorial::Lesson starts = lesson();
    starts.steps[0].action->kind = "start_server";
    TutorialSession s2(std::move(starts), Lang::En, TutorialMode::Replay);
    s2.start(store, 0);
    EXPECT_EQ(s2.takeCursorMove(store).kind, CursorMove::Kind::Start)
        << "a step that starts the server begins before any event";

    // Live on a server that runs already (--connect): its startup is what Next shows.
    tutorial::Lesson live = lesson();
    live.steps[0].action->kind = "start_server";
    live.steps[0].checkpoint = checkpoint({matcher("accept")});
    TutorialSession s3(std::move(live), Lang::En, TutorialMode::Live);
    s3.start(store, 0);
    EXPECT_EQ(s3.takeCursorMove(store).kind, CursorMove::Kind::Start);
    s3.next(store, 0);
    EXPECT_EQ(s3.stepBegin(), 0u) << "the replayed startup counts";
    s3.update(store, 0, 1);
    EXPECT_EQ(s3.metEvent(), static_cast<int64_t>(kAccept));
}

TEST(TutorialSession, ReplayScanIsBoundedPerUpdate)
{
    TraceStore store;
    test::loadArticle(store);
    TutorialSession s(lesson(), Lang::En, TutorialMode::Replay);
    s.start(store, 0);
    s.next(store, 0);
    s.next(store, 0);
    s.next(store, 0);  // the request step, Ready
    s.next(store, 0);  // from 0 (the accept step was skipped unmet)
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
    s.next(store, 0);
    s.update(store, store.size(), 0);
    s.next(store, 0);  // the worker-exit step: no action, the accept step's window
    ASSERT_EQ(s.text(), "A worker exits.");
    s.update(store, store.size(), 0);
    EXPECT_EQ(s.status(), CheckpointStatus::NotInRecording);
    EXPECT_FALSE(s.canAdvance());
    EXPECT_EQ(s.hint(), "send a request");
    // Skipping it: the request step's action ran after the last met event... none in this
    // window, so it is looked for from where the unmet one began (the shared window).
    s.next(store, 0);
    s.next(store, 0);
    EXPECT_EQ(s.stepBegin(), 0u);
    s.update(store, store.size(), 0);
    EXPECT_EQ(s.metEvent(), static_cast<int64_t>(kReceiveData));
}

TEST(TutorialSession, SwitchToReplayLooksForTheStepFromTheRecordingStart)
{
    TraceStore empty;
    TutorialSession s(lesson(), Lang::En, TutorialMode::Live);
    walkToAccept(s, empty);
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
