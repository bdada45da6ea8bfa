// The cursor's newest event is always drawn as a hop (live, stepped, paused or replayed): its
// token stays, held at the sender while the message waits in a pipe, at the receiver once the
// receive happened; its caption says what happened in plain words; live, the teaching pace
// keeps a buffer that can be jumped over.
#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/hop_caption.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

// The article trace: seq 22 (index 21) is reactor[0]'s pipe_write RECV_DATA to worker[2],
// seq 26 (index 25) worker[2]'s worker_receive of it, seq 24 (index 23) a callback_enter.
constexpr size_t kPipeWrite = 21;
constexpr size_t kReceive = 25;
constexpr size_t kCallback = 23;

struct Article
{
    TraceStore store;
    StateTimeline timeline;
    StateCursor cursor;
    Playback playback;
    Article()
    {
        test::loadArticle(store);
        timeline.rebuild(store);
    }
    Activity activity()
    {
        cursor.moveTo(store, timeline, playback.position());
        return computeActivity(store, playback, timeline, cursor.state());
    }
    const Hop* currentToken(const Activity& act)
    {
        for (const Hop& h : act.hops)
            if (act.current.hasEdge && h.eventIndex == act.current.hopEvent) return &h;
        return nullptr;
    }
};

TEST(CurrentHop, APipeWriteWaitsAtTheSenderUntilItsReceive)
{
    TraceStore store;
    test::loadArticle(store);
    CurrentHop c = currentHop(store, kPipeWrite + 1);
    ASSERT_TRUE(c.valid);
    ASSERT_TRUE(c.hasEdge);
    EXPECT_EQ(c.eventIndex, kPipeWrite);
    EXPECT_EQ(c.hopEvent, kPipeWrite);
    EXPECT_EQ(c.edge, (EdgeKey{EdgeClass::ReactorToWorker, 0, 2}));
    EXPECT_FALSE(c.delivered) << "the worker has not read it yet";
    EXPECT_DOUBLE_EQ(c.progress, CurrentHop::kHeldAtSender);

    // At the receive: the same message, arrived.
    c = currentHop(store, kReceive + 1);
    ASSERT_TRUE(c.hasEdge);
    EXPECT_EQ(c.eventIndex, kReceive);
    EXPECT_EQ(c.hopEvent, kPipeWrite) << "worker_receive took seq 22's message (msg_id)";
    EXPECT_TRUE(c.delivered);
    EXPECT_DOUBLE_EQ(c.progress, 1.0);

    // A callback has no edge; an accept arrived by itself.
    EXPECT_FALSE(currentHop(store, kCallback + 1).hasEdge);
    c = currentHop(store, 14);  // seq 14: accept
    ASSERT_TRUE(c.hasEdge);
    EXPECT_TRUE(c.delivered);
    EXPECT_FALSE(currentHop(store, 0).valid);
}

TEST(CurrentHop, PausedLongAfterAStepItsTokenIsStillDrawnAtTheSender)
{
    Article a;
    // Paused replay: the token mid-flight, never past the sender's hold point.
    a.playback.seekEvent(a.store, kPipeWrite);
    Activity act = a.activity();
    const Hop* h = a.currentToken(act);
    ASSERT_NE(h, nullptr);
    EXPECT_LE(h->progress, CurrentHop::kHeldAtSender + 1e-9);
    // Ten seconds later (the token's flight is long over): still there.
    a.playback.seekEvent(a.store, kPipeWrite, 10.0);
    act = a.activity();
    h = a.currentToken(act);
    ASSERT_NE(h, nullptr) << "a finished flight must not hide the newest hop";
    EXPECT_DOUBLE_EQ(h->progress, CurrentHop::kHeldAtSender);
    // Without the current hop rule this event's age is past the token lifetime: no other token.
    EXPECT_EQ(act.hops.size(), 1u);
}

TEST(CurrentHop, LiveAndSteppedTheNewestEventKeepsItsToken)
{
    // A live store that stops at the pipe_write, as a held server does after a step.
    TraceStore full;
    test::loadArticle(full);
    TraceStore store;
    store.setTopology(full.topology());
    for (size_t i = 0; i <= kPipeWrite; ++i)
        store.append(full[i], full.args(full[i]), full.payload(full[i]));
    StateTimeline timeline;
    timeline.rebuild(store);
    StateCursor cursor;
    Playback playback;
    playback.goLive();
    for (int frame = 0; frame < 600; ++frame) playback.advance(store, 1.0 / 60);  // 10 s
    cursor.moveTo(store, timeline, playback.position());
    Activity act = computeActivity(store, playback, timeline, cursor.state());
    EXPECT_EQ(playback.position(), store.size());
    ASSERT_TRUE(act.current.hasEdge);
    ASSERT_EQ(act.hops.size(), 1u) << "only the current hop: every other token has landed";
    EXPECT_EQ(act.hops[0].eventIndex, kPipeWrite);
    EXPECT_DOUBLE_EQ(act.hops[0].progress, CurrentHop::kHeldAtSender);

    // The step that follows: the worker took it; the token is at the worker at once.
    for (size_t i = kPipeWrite + 1; i <= kReceive; ++i)
        store.append(full[i], full.args(full[i]), full.payload(full[i]));
    timeline.extend(store);
    playback.advance(store, 1.0 / 60);
    cursor.moveTo(store, timeline, playback.position());
    act = computeActivity(store, playback, timeline, cursor.state());
    ASSERT_TRUE(act.current.hasEdge);
    EXPECT_EQ(act.current.hopEvent, kPipeWrite);
    bool found = false;
    for (const Hop& h : act.hops)
        if (h.eventIndex == kPipeWrite)
        {
            found = true;
            EXPECT_DOUBLE_EQ(h.progress, 1.0);
        }
    EXPECT_TRUE(found);
}

TEST(HopCaption, PlainWordsInEnglishAndChinese)
{
    TraceStore store;
    test::loadArticle(store);
    EXPECT_EQ(hopCaption(store, kPipeWrite, CaptionLang::En),
              "reactor[0] put RECV_DATA (60 B) into worker[2]'s pipe");
    EXPECT_EQ(hopCaption(store, kPipeWrite, CaptionLang::Zh),
              "reactor[0] 把 RECV_DATA（60 B）放进 worker[2] 的管道");
    EXPECT_EQ(hopCaption(store, kReceive, CaptionLang::En),
              "worker[2] took RECV_DATA (12 B) from its pipe");
    EXPECT_EQ(hopCaption(store, kCallback, CaptionLang::En),
              "worker[2] runs onConnect for session 1");
    EXPECT_EQ(hopCaption(store, 13, CaptionLang::En),
              "main reactor accepted a connection: session 1, fd 30");
    EXPECT_EQ(hopCaption(store, 13, CaptionLang::Zh), "主 reactor 接受了一个连接：会话 1，fd 30");
    EXPECT_EQ(hopCaption(store, 35, CaptionLang::En), "reactor[0] closed fd 30 (session 1)");
    EXPECT_EQ(hopCaption(store, store.size(), CaptionLang::En), "");
    // Every event of the trace has a caption with no placeholder left.
    for (size_t i = 0; i < store.size(); ++i)
        for (CaptionLang lang : {CaptionLang::En, CaptionLang::Zh})
        {
            std::string text = hopCaption(store, i, lang);
            EXPECT_FALSE(text.empty()) << i;
            EXPECT_EQ(text.find('{'), std::string::npos) << text;
        }
}

// Back-pressure captions say what the limit does, with the limit (buffer_full's watermark) and
// the bytes a full pipe queues.
TEST(HopCaption, BackPressureNamesTheLimitAndTheQueue)
{
    TraceStore store;
    store.setTopology(test::makeTopology(1, 1));
    test::append(store,
                 test::Ev(EventKind::BufferFull, Role::Reactor, 0)
                     .session(3)
                     .reactor(0)
                     .queued(300000)
                     .bytes(262144),
                 10);
    test::append(store,
                 test::Ev(EventKind::PipeFull, Role::Reactor, 0)
                     .worker(0)
                     .direction(Direction::ToWorker)
                     .queued(131072),
                 20);
    test::append(store, test::Ev(EventKind::BufferDrain, Role::Reactor, 0).session(3), 30);
    EXPECT_EQ(hopCaption(store, 0, CaptionLang::En),
              "reactor[0]: session 3's output buffer reached its limit (262144 B): send() to it "
              "fails until it is empty");
    EXPECT_EQ(hopCaption(store, 1, CaptionLang::En),
              "reactor[0]: the pipe is full; 131072 B wait in its queue");
    EXPECT_EQ(hopCaption(store, 1, CaptionLang::Zh), "reactor[0]：管道满了，131072 B 在队列里等待");
    EXPECT_EQ(hopCaption(store, 2, CaptionLang::En),
              "reactor[0]: session 3's output buffer is empty again: send() works");
}

// A task's way (model section 10): task(), the TASK into the task worker's pipe, finish() and
// the FINISH back on the caller's pipe, and a sendMessage between workers.
TEST(HopCaption, TasksAndMessagesSayWhatTheyAre)
{
    TraceStore store;
    store.setTopology(test::makeTopology(1, 2));
    test::append(store, test::Ev(EventKind::TaskDispatch, Role::Worker, 0).session(1).worker(2),
                 10);
    test::append(store,
                 test::Ev(EventKind::PipeWrite, Role::Worker, 0)
                     .session(1)
                     .worker(2)
                     .bytes(120)
                     .type(PipeType::Task)
                     .direction(Direction::ToTaskWorker),
                 20);
    test::append(store,
                 test::Ev(EventKind::PipeWrite, Role::Worker, 0)
                     .session(1)
                     .worker(1)
                     .bytes(120)
                     .type(PipeType::PipeMessage)
                     .direction(Direction::ToWorkerForward),
                 30);
    test::append(store,
                 test::Ev(EventKind::PipeWrite, Role::Worker, 1)
                     .session(1)
                     .worker(0)
                     .bytes(120)
                     .type(PipeType::Finish)
                     .direction(Direction::ToWorkerForward),
                 40);
    EXPECT_EQ(hopCaption(store, 0, CaptionLang::En),
              "worker[0] called task() for session 1: task_worker[2] takes it");
    EXPECT_EQ(hopCaption(store, 1, CaptionLang::En),
              "worker[0] put a task (120 B) into task_worker[2]'s pipe");
    EXPECT_EQ(hopCaption(store, 1, CaptionLang::Zh),
              "worker[0] 把一个任务（120 B）放进 task_worker[2] 的管道");
    EXPECT_EQ(hopCaption(store, 2, CaptionLang::En),
              "worker[0] sent a message (120 B) to worker[1] (sendMessage)");
    EXPECT_EQ(hopCaption(store, 3, CaptionLang::En),
              "worker[1] sent the task's result (120 B) back to worker[0] (finish)");
}

TEST(LivePace, TheTeachingPaceBuffersLiveEventsUntilAJump)
{
    TraceStore store;
    test::loadArticle(store);  // 36 events "arrived at once"
    Playback pb;
    pb.setMode(PaceMode::EventPace);
    pb.setEventIntervalMs(100);
    pb.goLive();
    pb.advance(store, 1.0 / 60);
    EXPECT_EQ(pb.position(), store.size()) << "unpaced live: on the newest event";
    EXPECT_EQ(pb.behindLive(store), 0u);

    pb.setLivePaced(true);
    pb.seekStart();
    pb.goLive();
    for (int frame = 0; frame < 31; ++frame) pb.advance(store, 1.0 / 60);  // 0.52 s
    EXPECT_TRUE(pb.live());
    EXPECT_EQ(pb.position(), 5u) << "one event per 100 ms";
    EXPECT_EQ(pb.behindLive(store), store.size() - 5);
    EXPECT_EQ(pb.cursorNs(), store[4].tsNs);
    pb.jumpToLive(store);
    EXPECT_EQ(pb.behindLive(store), 0u);
    EXPECT_EQ(pb.position(), store.size());

    // Caught up and idle for a minute: the next event shows at once, the one after at pace
    // (the idle time is not banked as a burst).
    TraceStore live;
    live.setTopology(store.topology());
    auto feed = [&](size_t upTo)
    {
        for (size_t i = live.size(); i < upTo; ++i)
            live.append(store[i], store.args(store[i]), store.payload(store[i]));
    };
    feed(20);
    pb.jumpToLive(live);
    for (int frame = 0; frame < 3600; ++frame) pb.advance(live, 1.0 / 60);
    EXPECT_EQ(pb.position(), 20u);
    feed(23);
    pb.advance(live, 1.0 / 60);
    EXPECT_EQ(pb.position(), 21u) << "one at once, not the three";
    EXPECT_EQ(pb.behindLive(live), 2u);
    for (int frame = 0; frame < 7; ++frame) pb.advance(live, 1.0 / 60);  // 117 ms
    EXPECT_EQ(pb.position(), 22u);
}

}  // namespace
}  // namespace rscope::viewer
