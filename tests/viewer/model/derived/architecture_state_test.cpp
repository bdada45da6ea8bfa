// ArchitectureState: the article trace step by step, the worker lifecycle, pipes and buffers under
// pressure, and ids the trace gets wrong.
#include "viewer/model/architecture_state.h"

#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using test::Ev;

class ArticleState : public testing::Test
{
  protected:
    void SetUp() override { test::loadArticle(store_); }
    // The state after the event with this seq (the article's seqs start at 1).
    ArchitectureState after(uint64_t seq) const
    {
        return test::applyFromScratch(store_, test::indexOfSeq(store_, seq) + 1);
    }

    TraceStore store_;
};

TEST_F(ArticleState, ResetShapesTablesFromTheHeader)
{
    ArchitectureState s;
    s.reset(store_.topology());
    ASSERT_EQ(s.workers().size(), 4u);
    ASSERT_EQ(s.reactors().size(), 2u);
    ASSERT_EQ(s.pipes().size(), 4u);
    EXPECT_EQ(s.workers()[2].pid, 20780);
    EXPECT_EQ(s.workers()[2].generation, 1);
    EXPECT_EQ(s.workers()[2].status, WorkerStatus::Starting);
    EXPECT_EQ(s.reactors()[1].tid, 20779);
    EXPECT_EQ(s.pipeIndex(0, 2), 2);
    EXPECT_EQ(s.pipeIndex(1, 3), 3);
    EXPECT_EQ(s.pipeIndex(1, 2), -1);  // worker 2's pipe is read by reactor 0
    EXPECT_EQ(s.pipeIndex(0, 9), -1);
    EXPECT_EQ(s.applied(), 0u);
}

TEST_F(ArticleState, AfterAllEventsOneRequestWasServedAndTheSessionIsGone)
{
    ArchitectureState s = test::applyFromScratch(store_, store_.size());
    EXPECT_EQ(s.applied(), 36u);
    EXPECT_EQ(s.nowNs(), 1747552165251);

    const WorkerState& w2 = s.workers()[2];
    EXPECT_EQ(w2.status, WorkerStatus::Idle);
    EXPECT_EQ(w2.requests, 1u);
    EXPECT_EQ(w2.received, 2u);  // CONNECT and RECV_DATA
    EXPECT_EQ(w2.bytesIn, 12u);
    EXPECT_EQ(w2.bytesOut, 35u);  // 'From TcpServer Swoole: hello world\n'
    EXPECT_EQ(w2.callbackDepth, 0);
    EXPECT_EQ(w2.callback, CallbackId::None);
    // onConnect 205670 ns + onReceive 54313 ns (onClose ran inside onReceive: counted once).
    EXPECT_EQ(w2.busyNs, 205670 + 54313);
    for (int w : {0, 1, 3})
    {
        EXPECT_EQ(s.workers()[w].status, WorkerStatus::Idle) << w;
        EXPECT_EQ(s.workers()[w].requests, 0u) << w;
    }

    const ReactorState& r0 = s.reactors()[0];
    EXPECT_EQ(r0.handoffs, 1u);
    EXPECT_EQ(r0.connections, 0);
    EXPECT_EQ(r0.reads, 1u);
    EXPECT_EQ(r0.bytesRead, 12u);
    EXPECT_EQ(r0.writes, 1u);
    EXPECT_EQ(r0.bytesWritten, 35u);
    EXPECT_EQ(r0.closes, 1u);
    EXPECT_EQ(s.reactors()[1].handoffs, 0u);

    const PipeState& p2 = s.pipes()[2];
    EXPECT_EQ(p2.toWorker, 2u);  // CONNECT, RECV_DATA
    EXPECT_EQ(p2.bytesToWorker, 48u + 60u);
    EXPECT_EQ(p2.toReactor, 2u);  // SEND_DATA, CLOSE
    EXPECT_EQ(p2.bytesToReactor, 83u + 48u);
    EXPECT_FALSE(p2.full);

    EXPECT_TRUE(s.sessions().empty());
    EXPECT_EQ(s.accepted(), 1u);
    EXPECT_EQ(s.closed(), 1u);
    EXPECT_FALSE(s.reloading());
    EXPECT_FALSE(s.shutdown());
}

TEST_F(ArticleState, WorkerStartsIdleWithItsPid)
{
    ArchitectureState s = after(13);
    for (int w = 0; w < 4; ++w) EXPECT_EQ(s.workers()[w].status, WorkerStatus::Idle) << w;
    EXPECT_EQ(s.workers()[3].pid, 20783);
    EXPECT_EQ(after(10).workers()[0].status, WorkerStatus::Starting);
}

TEST_F(ArticleState, WorkerIsBusyInsideOnReceive)
{
    ArchitectureState s = after(27);  // callback_enter onReceive
    const WorkerState& w2 = s.workers()[2];
    EXPECT_EQ(w2.status, WorkerStatus::Busy);
    EXPECT_EQ(w2.callback, CallbackId::OnReceive);
    EXPECT_EQ(w2.session, 1);
    EXPECT_EQ(w2.busySinceNs, 1747550899849);
    EXPECT_EQ(w2.requests, 0u);
    EXPECT_EQ(after(26).workers()[2].status, WorkerStatus::Idle);  // worker_receive only
}

TEST_F(ArticleState, OnCloseNestedInOnReceiveKeepsTheWorkerBusy)
{
    ArchitectureState inClose = after(31);
    EXPECT_EQ(inClose.workers()[2].callback, CallbackId::OnClose);
    EXPECT_EQ(inClose.workers()[2].callbackDepth, 2);

    ArchitectureState closeReturned = after(32);
    const WorkerState& w2 = closeReturned.workers()[2];
    EXPECT_EQ(w2.status, WorkerStatus::Busy);
    EXPECT_EQ(w2.callback, CallbackId::OnReceive);
    EXPECT_EQ(w2.callbackDepth, 1);
    EXPECT_EQ(w2.busyNs, 205670);  // only onConnect so far

    ArchitectureState receiveReturned = after(34);
    EXPECT_EQ(receiveReturned.workers()[2].status, WorkerStatus::Idle);
    EXPECT_EQ(receiveReturned.workers()[2].requests, 1u);
}

TEST_F(ArticleState, SessionGoesThroughItsStages)
{
    ArchitectureState accepted = after(14);
    ASSERT_EQ(accepted.sessions().count(1), 1u);
    const SessionState& a = accepted.sessions().at(1);
    EXPECT_EQ(a.stage, SessionState::Stage::Accepted);
    EXPECT_EQ(a.fd, 30);
    EXPECT_EQ(a.reactor, -1);
    EXPECT_EQ(a.openedNs, 1747549326572);
    EXPECT_EQ(accepted.accepted(), 1u);

    ArchitectureState assigned = after(15);
    EXPECT_EQ(assigned.sessions().at(1).reactor, 0);
    EXPECT_EQ(assigned.reactors()[0].handoffs, 0u);
    EXPECT_EQ(after(16).reactors()[0].handoffs, 1u);  // the INCOMING pipe_write
    EXPECT_EQ(after(16).reactors()[0].connections, 0);

    ArchitectureState registered = after(17);
    EXPECT_EQ(registered.sessions().at(1).stage, SessionState::Stage::Open);
    EXPECT_EQ(registered.reactors()[0].connections, 1);

    EXPECT_EQ(after(18).sessions().at(1).worker, 2);  // connect_notify
    EXPECT_EQ(after(18).sessions().at(1).requests, 0u);
    EXPECT_EQ(after(21).sessions().at(1).requests, 1u);                         // dispatch
    EXPECT_EQ(after(30).sessions().at(1).stage, SessionState::Stage::Closing);  // close_request
    EXPECT_EQ(after(35).reactors()[0].connections, 1);
    EXPECT_EQ(after(36).reactors()[0].connections, 0);
}

class HandMadeState : public testing::Test
{
  protected:
    void SetUp() override
    {
        store_.setTopology(test::makeTopology(2, 4));
        state_.reset(store_.topology());
    }
    void apply(const Ev& ev, int64_t tsNs)
    {
        test::append(store_, ev, tsNs);
        const Event& e = store_[store_.size() - 1];
        state_.apply(e, &store_.actorOf(e));
    }

    TraceStore store_;
    ArchitectureState state_;
};

TEST_F(HandMadeState, WorkerExitRestartAndStart)
{
    apply(Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1), 10);
    EXPECT_EQ(state_.workers()[1].pid, 301);
    apply(Ev(EventKind::WorkerExit, Role::Worker, 1).worker(1), 20);
    EXPECT_EQ(state_.workers()[1].status, WorkerStatus::Exited);
    EXPECT_EQ(state_.workers()[1].exitedAtNs, 20);

    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(1), 30);
    const WorkerState& restarted = state_.workers()[1];
    EXPECT_EQ(restarted.status, WorkerStatus::Exited);  // red until the successor starts
    EXPECT_EQ(restarted.exitedAtNs, 20);
    EXPECT_EQ(restarted.restarts, 1u);
    EXPECT_EQ(restarted.generation, 2);
    EXPECT_EQ(restarted.pid, 0);  // known at its worker_start
    EXPECT_EQ(state_.managerRestarts(), 1u);

    apply(Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1).pid(4190), 40);
    EXPECT_EQ(state_.workers()[1].status, WorkerStatus::Idle);
    EXPECT_EQ(state_.workers()[1].pid, 4190);
    EXPECT_EQ(state_.workers()[1].generation, 2);
}

TEST_F(HandMadeState, KilledWorkerIsExitedFromItsRestartUntilItsSuccessorStarts)
{
    // kill -9 leaves no worker_exit: the manager's worker_restart is the first sign.
    apply(Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1), 10);
    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(1), 30);
    EXPECT_EQ(state_.workers()[1].status, WorkerStatus::Exited);
    EXPECT_TRUE(state_.workers()[1].killed);
    EXPECT_STREQ(workerStateName(state_.workers()[1]), "killed");
    EXPECT_EQ(state_.workers()[1].exitedAtNs, 30);
    apply(Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1).pid(4191).generation(2), 40);
    EXPECT_EQ(state_.workers()[1].status, WorkerStatus::Idle);
    EXPECT_FALSE(state_.workers()[1].killed);
    EXPECT_EQ(state_.workers()[1].generation, 2);
}

// Issue 13: the manager forks the successor before it emits worker_restart, so the successor's
// worker_start may come first. Either order ends with a live generation-2 worker.
TEST_F(HandMadeState, KilledWorkerSuccessorStartingBeforeItsRestartStaysLive)
{
    for (bool withGeneration : {true, false})
    {
        SCOPED_TRACE(withGeneration ? "args.generation known" : "no args.generation");
        SetUp();
        apply(Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1).generation(1), 10);
        Ev successor = Ev(EventKind::WorkerStart, Role::Worker, 1).worker(1).pid(4192);
        if (withGeneration) successor.generation(2);
        apply(successor, 40);
        apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(1), 41);
        const WorkerState& w = state_.workers()[1];
        EXPECT_EQ(w.status, WorkerStatus::Idle);
        EXPECT_FALSE(w.killed);
        EXPECT_STREQ(workerStateName(w), "idle");
        EXPECT_EQ(w.pid, 4192);
        EXPECT_EQ(w.generation, 2);
        EXPECT_EQ(w.restarts, 1u);
        EXPECT_EQ(w.startsAhead, 0);
        EXPECT_EQ(state_.managerRestarts(), 1u);
        // The successor works on as usual.
        apply(Ev(EventKind::CallbackEnter, Role::Worker, 1)
                  .pid(4192)
                  .worker(1)
                  .session(3)
                  .callback(CallbackId::OnReceive),
              50);
        EXPECT_EQ(state_.workers()[1].status, WorkerStatus::Busy);
    }
}

TEST_F(HandMadeState, GracefulExitSuccessorStartingBeforeItsRestartStaysLive)
{
    apply(Ev(EventKind::WorkerStart, Role::Worker, 2).worker(2).generation(1), 10);
    apply(Ev(EventKind::WorkerExit, Role::Worker, 2).worker(2).cause(trace::Cause::MaxRequest), 20);
    apply(Ev(EventKind::WorkerStart, Role::Worker, 2).worker(2).pid(5000).generation(2), 30);
    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(2), 31);
    const WorkerState& w = state_.workers()[2];
    EXPECT_EQ(w.status, WorkerStatus::Idle);
    EXPECT_EQ(w.pid, 5000);
    EXPECT_EQ(w.generation, 2);
    // The predecessor's exit, should it arrive late, is not the successor's.
    apply(Ev(EventKind::WorkerExit, Role::Worker, 2).worker(2).cause(trace::Cause::MaxRequest), 32);
    EXPECT_EQ(state_.workers()[2].status, WorkerStatus::Idle);
}

TEST_F(HandMadeState, GracefulExitIsNotDrawnAsAKill)
{
    // Shutdown (sigterm), max_request and reload all send worker_exit before the process ends.
    for (trace::Cause reason : {trace::Cause::Sigterm, trace::Cause::MaxRequest})
    {
        SetUp();
        apply(Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0), 10);
        apply(Ev(EventKind::WorkerExit, Role::Worker, 0).worker(0).cause(reason), 20);
        const WorkerState& w = state_.workers()[0];
        EXPECT_EQ(w.status, WorkerStatus::Exited);
        EXPECT_FALSE(w.killed);
        EXPECT_EQ(w.exitReason, static_cast<uint8_t>(reason));
        EXPECT_STREQ(workerStateName(w), "exited");
        // Its restart (max_request, reload) keeps it grey until the successor starts.
        apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(0), 30);
        EXPECT_FALSE(state_.workers()[0].killed);
        EXPECT_STREQ(workerStateName(state_.workers()[0]), "exited");
    }
    // A kill is told apart: no worker_exit before the restart.
    apply(Ev(EventKind::WorkerStart, Role::Worker, 3).worker(3), 40);
    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(3), 50);
    EXPECT_STREQ(workerStateName(state_.workers()[3]), "killed");
}

TEST_F(HandMadeState, CrashInsideACallbackEndsTheBusySpell)
{
    apply(Ev(EventKind::CallbackEnter, Role::Worker, 0)
              .worker(0)
              .session(5)
              .callback(CallbackId::OnReceive),
          100);
    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(0), 200);
    EXPECT_EQ(state_.workers()[0].callbackDepth, 0);
    apply(Ev(EventKind::WorkerStart, Role::Worker, 0).worker(0).pid(999), 300);
    // An exit without its enter (a trace cut inside a callback) makes it idle, adds no time.
    apply(Ev(EventKind::CallbackExit, Role::Worker, 0).worker(0).callback(CallbackId::OnClose),
          400);
    EXPECT_EQ(state_.workers()[0].status, WorkerStatus::Idle);
    EXPECT_EQ(state_.workers()[0].busyNs, 0);
}

TEST_F(HandMadeState, PipePressureAndBufferPressure)
{
    apply(Ev(EventKind::PipeFull, Role::Reactor, 1).worker(3).direction(Direction::ToWorker), 10);
    EXPECT_TRUE(state_.pipes()[3].full);
    EXPECT_EQ(state_.pipes()[3].queuedBytes, 0);  // no args.queued_bytes: unknown, left as it was
    apply(Ev(EventKind::PipeDrain, Role::Reactor, 1).worker(3).direction(Direction::ToWorker), 20);
    EXPECT_FALSE(state_.pipes()[3].full);
    EXPECT_EQ(state_.pipes()[3].queuedBytes, 0);

    // A session this state never saw has nowhere to keep its count (its close could not take it
    // back out of the sum): it adds nothing.
    apply(Ev(EventKind::BufferFull, Role::Reactor, 0).reactor(0).session(1).queued(8390000), 30);
    EXPECT_EQ(state_.reactors()[0].bytesQueued, 0);
    apply(Ev(EventKind::BufferDrain, Role::Reactor, 0).reactor(0).session(1).queued(0), 40);
    EXPECT_EQ(state_.reactors()[0].bytesQueued, 0);
}

// Back-pressure, visible: a reactor's queued bytes are the sum of its connections' latest
// args.queued (reactor_write, buffer_full, buffer_drain), a closed one's leave the sum; a pipe's
// come from pipe_full's queued_bytes. The keyframed timeline gives the same numbers.
TEST_F(HandMadeState, QueuedBytesOfConnectionsReactorsAndPipesAtEachStep)
{
    struct Step
    {
        int64_t reactorQueued;  // reactor[1].bytesQueued
        int64_t session1;       // session 1's queued, -1 when closed
        int64_t session3;
        int64_t pipeQueued;  // pipe[3].queuedBytes (worker 3's pipe, read by reactor 1)
    };
    std::vector<Step> steps;
    auto queuedOf = [this](int64_t session) -> int64_t
    {
        auto it = state_.sessions().find(session);
        return it == state_.sessions().end() ? -1 : it->second.queued;
    };
    auto expectStep = [&](const Step& want)
    {
        steps.push_back(want);
        EXPECT_EQ(state_.reactors()[1].bytesQueued, want.reactorQueued)
            << "after event " << steps.size();
        EXPECT_EQ(queuedOf(1), want.session1) << "after event " << steps.size();
        EXPECT_EQ(queuedOf(3), want.session3) << "after event " << steps.size();
        EXPECT_EQ(state_.pipes()[3].queuedBytes, want.pipeQueued) << "after event " << steps.size();
        EXPECT_EQ(state_.reactors()[0].bytesQueued, 0);
    };
    auto open = [&](int64_t session, int64_t tsNs, const Step& want)
    {
        apply(Ev(EventKind::Accept, Role::Master).session(session).fd(20 + session), tsNs);
        expectStep(want);
        apply(Ev(EventKind::ReactorRegister, Role::Reactor, 1)
                  .session(session)
                  .fd(20 + session)
                  .reactor(1),
              tsNs + 1);
        expectStep(want);
    };
    auto conn = [](EventKind kind, int64_t session)
    { return Ev(kind, Role::Reactor, 1).session(session).fd(20 + session).reactor(1); };

    open(1, 10, {0, 0, -1, 0});
    open(3, 20, {0, 0, 0, 0});
    apply(conn(EventKind::ReactorWrite, 1).bytes(1000).queued(5000), 30);
    expectStep({5000, 5000, 0, 0});
    apply(conn(EventKind::ReactorWrite, 3).bytes(10).queued(1000), 40);
    expectStep({6000, 5000, 1000, 0});
    apply(conn(EventKind::BufferFull, 1).queued(70000), 50);
    expectStep({71000, 70000, 1000, 0});
    apply(Ev(EventKind::PipeFull, Role::Reactor, 1)
              .worker(3)
              .direction(Direction::ToWorker)
              .queued(300000),
          60);
    expectStep({71000, 70000, 1000, 300000});
    EXPECT_TRUE(state_.pipes()[3].full);
    apply(conn(EventKind::BufferDrain, 1).queued(0), 70);
    expectStep({1000, 0, 1000, 300000});
    apply(Ev(EventKind::PipeDrain, Role::Reactor, 1)
              .worker(3)
              .direction(Direction::ToWorker)
              .queued(0),
          80);
    expectStep({1000, 0, 1000, 0});
    EXPECT_FALSE(state_.pipes()[3].full);
    apply(conn(EventKind::ReactorWrite, 3).bytes(10), 90);  // no args.queued: the count stays
    expectStep({1000, 0, 1000, 0});
    apply(conn(EventKind::Close, 3), 100);  // a closed connection's queued bytes leave the sum
    expectStep({0, 0, -1, 0});
    apply(conn(EventKind::ReactorWrite, 1).bytes(10).queued(42), 110);
    expectStep({42, 42, -1, 0});
    ASSERT_EQ(steps.size(), store_.size());

    // The same numbers from keyframes (every 3 events, so some fall between a buffer_full and its
    // drain) as from a linear replay, at every prefix.
    StateTimeline timeline(3);
    timeline.rebuild(store_);
    EXPECT_GT(timeline.keyframes(), 3u);
    for (size_t n = 1; n <= store_.size(); ++n)
    {
        ArchitectureState fromKeyframes;
        timeline.stateAt(store_, n, fromKeyframes);
        EXPECT_TRUE(test::sameState(fromKeyframes, test::applyFromScratch(store_, n)))
            << "after " << n << " events";
        const Step& want = steps[n - 1];
        EXPECT_EQ(fromKeyframes.reactors()[1].bytesQueued, want.reactorQueued) << n;
        EXPECT_EQ(fromKeyframes.pipes()[3].queuedBytes, want.pipeQueued) << n;
        auto s1 = fromKeyframes.sessions().find(1);
        ASSERT_NE(s1, fromKeyframes.sessions().end());
        EXPECT_EQ(s1->second.queued, want.session1) << n;
    }
}

TEST_F(HandMadeState, ReplyOnAnotherWorkersPipeCountsOnThatPipe)
{
    // Worker 1 answers a session of reactor 0 through worker 2's pipe (process model 3.7).
    apply(Ev(EventKind::PipeWrite, Role::Worker, 1)
              .reactor(0)
              .worker(2)
              .direction(Direction::ToReactor)
              .type(PipeType::SendData)
              .bytes(76),
          10);
    EXPECT_EQ(state_.pipes()[2].toReactor, 1u);
    EXPECT_EQ(state_.pipes()[1].toReactor, 0u);
    apply(Ev(EventKind::PipeWrite, Role::Worker, 1)
              .worker(3)
              .direction(Direction::ToWorkerForward)
              .type(PipeType::Close)
              .bytes(48),
          20);
    EXPECT_EQ(state_.pipes()[3].toWorker, 1u);
}

TEST_F(HandMadeState, ReloadAndShutdownFlags)
{
    apply(Ev(EventKind::ReloadBegin, Role::Manager), 10);
    EXPECT_TRUE(state_.reloading());
    apply(Ev(EventKind::ReloadEnd, Role::Manager), 20);
    EXPECT_FALSE(state_.reloading());
    apply(Ev(EventKind::Shutdown, Role::Master), 30);
    EXPECT_TRUE(state_.shutdown());
}

TEST_F(HandMadeState, PeerCloseMarksClosingAndCountsOnTheReactor)
{
    apply(Ev(EventKind::Accept, Role::Master).session(7).fd(27), 10);
    apply(Ev(EventKind::ReactorRegister, Role::Reactor, 1).session(7).fd(27).reactor(1), 20);
    apply(Ev(EventKind::PeerClose, Role::Reactor, 1).session(7).fd(27).reactor(1), 30);
    EXPECT_EQ(state_.sessions().at(7).stage, SessionState::Stage::Closing);
    EXPECT_EQ(state_.reactors()[1].peerCloses, 1u);
    apply(Ev(EventKind::Close, Role::Reactor, 1).session(7).fd(27).reactor(1), 40);
    EXPECT_TRUE(state_.sessions().empty());
    EXPECT_EQ(state_.reactors()[1].connections, 0);
}

TEST_F(HandMadeState, IdsOutOfRangeAreIgnored)
{
    ArchitectureState before = state_;
    apply(Ev(EventKind::CallbackEnter, Role::Worker, 0).worker(99).callback(CallbackId::OnReceive),
          1);
    apply(Ev(EventKind::WorkerStart, Role::Worker, 0).worker(-1), 2);
    apply(Ev(EventKind::Read, Role::Reactor, 0).reactor(7).session(3).bytes(10), 3);
    apply(Ev(EventKind::ReactorWrite, Role::Reactor, 0).reactor(-1).bytes(10), 4);
    apply(Ev(EventKind::PipeWrite, Role::Reactor, 0).worker(12).direction(Direction::ToWorker), 5);
    apply(Ev(EventKind::PipeFull, Role::Reactor, 0).worker(-1), 6);
    apply(Ev(EventKind::ReactorAssign, Role::Master).reactor(5).session(3), 7);
    apply(Ev(EventKind::Dispatch, Role::Reactor, 0).reactor(0).worker(1).session(3), 8);
    apply(Ev(EventKind::WorkerRestart, Role::Manager).worker(300), 9);
    // A close of a session never accepted: counted, no connection goes below zero.
    apply(Ev(EventKind::Close, Role::Reactor, 0).reactor(0).session(3), 10);

    EXPECT_EQ(state_.applied(), 10u);
    EXPECT_EQ(state_.closed(), 1u);
    EXPECT_EQ(state_.managerRestarts(), 1u);
    EXPECT_EQ(state_.reactors()[0].connections, 0);
    EXPECT_EQ(state_.reactors()[0].closes, 1u);
    EXPECT_TRUE(state_.sessions().empty());
    for (size_t w = 0; w < state_.workers().size(); ++w)
        EXPECT_EQ(state_.workers()[w].status, WorkerStatus::Starting) << w;
    for (size_t p = 0; p < state_.pipes().size(); ++p)
    {
        EXPECT_EQ(state_.pipes()[p].toWorker, 0u) << p;
        EXPECT_FALSE(state_.pipes()[p].full) << p;
    }
    EXPECT_EQ(state_.reactors()[0].handoffs + state_.reactors()[1].handoffs, 0u);
    EXPECT_EQ(state_.reactors()[0].reads + state_.reactors()[1].reads, 0u);
}

TEST(WorkerStatusName, NamesEveryStatus)
{
    EXPECT_STREQ(workerStatusName(WorkerStatus::Starting), "starting");
    EXPECT_STREQ(workerStatusName(WorkerStatus::Idle), "idle");
    EXPECT_STREQ(workerStatusName(WorkerStatus::Busy), "busy");
    EXPECT_STREQ(workerStatusName(WorkerStatus::Exited), "exited");
    WorkerState killed;
    killed.status = WorkerStatus::Exited;
    killed.killed = true;
    EXPECT_STREQ(workerStateName(killed), "killed");
}

// The limit of model 3.8 reaches the state from the header, or from a buffer_full's watermark
// (decoded into Event::bytes) when an older header has none; a session is in overflow from
// buffer_full to buffer_drain; pressure is Near from 75 % of the limit and Over at it.
TEST_F(HandMadeState, OverflowFlagLimitAndPressureOfAConnection)
{
    EXPECT_EQ(state_.socketBufferSize(), 0);  // makeTopology: an older header, no limit
    auto conn = [](EventKind kind)
    { return Ev(kind, Role::Reactor, 1).session(5).fd(25).reactor(1); };
    apply(Ev(EventKind::Accept, Role::Master).session(5).fd(25), 10);
    apply(conn(EventKind::ReactorRegister), 11);
    apply(conn(EventKind::ReactorWrite).bytes(1000).queued(70000), 20);
    const SessionState& s = state_.sessions().at(5);
    EXPECT_EQ(state_.pressureOf(s), BufferPressure::None);  // no limit known yet
    apply(conn(EventKind::BufferFull).queued(300000).bytes(262144), 30);
    EXPECT_EQ(state_.socketBufferSize(), 262144);
    EXPECT_TRUE(state_.sessions().at(5).overflow);
    EXPECT_EQ(state_.pressureOf(state_.sessions().at(5)), BufferPressure::Over);
    apply(conn(EventKind::BufferDrain).queued(0).bytes(262144), 40);
    EXPECT_FALSE(state_.sessions().at(5).overflow);
    EXPECT_EQ(state_.pressureOf(state_.sessions().at(5)), BufferPressure::None);
    apply(conn(EventKind::ReactorWrite).bytes(1000).queued(196608), 50);  // exactly 75 %
    EXPECT_EQ(state_.pressureOf(state_.sessions().at(5)), BufferPressure::Near);
    apply(conn(EventKind::ReactorWrite).bytes(1000).queued(196607), 60);
    EXPECT_EQ(state_.pressureOf(state_.sessions().at(5)), BufferPressure::None);
    apply(conn(EventKind::ReactorWrite).bytes(1000).queued(262144), 70);  // at the limit, no flag
    EXPECT_EQ(state_.pressureOf(state_.sessions().at(5)), BufferPressure::Over);

    // The header's limit, when it has one, is there from the start.
    Topology withLimit = test::makeTopology(2, 4);
    withLimit.socketBufferSize = 8 << 20;
    ArchitectureState fresh;
    fresh.reset(withLimit);
    EXPECT_EQ(fresh.socketBufferSize(), 8 << 20);

    EXPECT_EQ(bufferPressure(0, false, 0), BufferPressure::None);
    EXPECT_EQ(bufferPressure(0, true, 0), BufferPressure::Over);  // the flag wins
    EXPECT_EQ(bufferPressure(int64_t{3} << 60, false, int64_t{4} << 60), BufferPressure::Near);
}

// A pipe's two directions fill apart: to_worker (a reactor thread's queue, also counted on that
// reactor as its pipe queue) and to_reactor (a worker's replies wait in the worker).
TEST_F(HandMadeState, PipeQueuesPerDirectionAndOnTheReactorThatHoldsThem)
{
    auto full = [](Role role, int index, int worker, Direction d, int queued)
    { return Ev(EventKind::PipeFull, role, index).worker(worker).direction(d).queued(queued); };
    auto drain = [](Role role, int index, int worker, Direction d)
    { return Ev(EventKind::PipeDrain, role, index).worker(worker).direction(d).queued(0); };
    // Reactor 0 writes into worker 3's pipe (polled by reactor 1): its own queue.
    apply(full(Role::Reactor, 0, 3, Direction::ToWorker, 500000), 10);
    apply(full(Role::Reactor, 1, 1, Direction::ToWorker, 70000), 20);
    EXPECT_EQ(state_.reactors()[0].pipeQueued, 500000);
    EXPECT_EQ(state_.reactors()[1].pipeQueued, 70000);
    EXPECT_TRUE(state_.pipes()[3].full);
    EXPECT_FALSE(state_.pipes()[3].fullBack);
    apply(full(Role::Worker, 2, 3, Direction::ToReactor, 9000), 30);
    EXPECT_TRUE(state_.pipes()[3].fullBack);
    EXPECT_EQ(state_.pipes()[3].queuedBackBytes, 9000);
    EXPECT_EQ(state_.pipes()[3].queuedBytes, 500000);
    EXPECT_EQ(state_.reactors()[0].pipeQueued, 500000);  // a worker's queue is not the reactor's
    apply(drain(Role::Reactor, 0, 3, Direction::ToWorker), 40);
    EXPECT_EQ(state_.reactors()[0].pipeQueued, 0);
    EXPECT_FALSE(state_.pipes()[3].full);
    EXPECT_TRUE(state_.pipes()[3].fullBack);
    apply(drain(Role::Worker, 2, 3, Direction::ToReactor), 50);
    EXPECT_FALSE(state_.pipes()[3].fullBack);
    EXPECT_EQ(state_.pipes()[3].queuedBackBytes, 0);
    apply(drain(Role::Reactor, 1, 1, Direction::ToWorker), 60);
    EXPECT_EQ(state_.reactors()[1].pipeQueued, 0);
    apply(drain(Role::Reactor, 1, 1, Direction::ToWorker), 70);  // a second drain stays at 0
    EXPECT_EQ(state_.reactors()[1].pipeQueued, 0);
}

}  // namespace
}  // namespace rscope::viewer
