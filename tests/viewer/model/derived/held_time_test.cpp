// Step mode's held time (gate_hold / gate_step / gate_release) is left out of what the viewer
// calls durations: request latency, worker busy time, hop samples and the sequence arrows.
#include "engine/format/held_time.h"

#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/sequence_model.h"
#include "viewer/model/session_index.h"
#include "viewer/model/trace_statistics.h"

namespace rscope::viewer::test
{
namespace
{

constexpr int64_t kSec = 1'000'000'000;

TEST(HeldTime, HeldFromTheHoldToAStepAndFromTheEventItLetOutToTheNext)
{
    HeldTime h;
    h.apply(EventKind::GateHold, 1000);
    h.apply(EventKind::Read, 1000);  // the thread that was running pauses after it
    h.apply(EventKind::GateStep, 5000);
    h.apply(EventKind::Dispatch, 5010);  // the server worked 10 ns
    h.apply(EventKind::GateStep, 9000);  // its thread went idle: no event, still held
    h.apply(EventKind::GateStep, 12000);
    h.apply(EventKind::PipeWrite, 12003);
    h.apply(EventKind::GateRelease, 20000);
    h.apply(EventKind::WorkerReceive, 20500);  // running freely again

    EXPECT_EQ(h.holds(), 1u);
    EXPECT_EQ(h.steps(), 3u);
    EXPECT_FALSE(h.holding());
    EXPECT_EQ(h.heldNs(0, 30000), 4000 + (12000 - 5010) + (20000 - 12003));
    EXPECT_EQ(h.activeNs(5000, 5010), 10);
    EXPECT_EQ(h.activeNs(0, 1000), 1000) << "before the hold nothing is held";
    EXPECT_EQ(h.activeNs(20000, 20500), 500) << "after the release nothing is held";
    EXPECT_EQ(h.heldNs(4000, 6000), 1000 + 990);
    EXPECT_EQ(h.activeNs(1000, 12003), 10 + 3);
    EXPECT_EQ(h.activeNs(7000, 7000), 0);
    EXPECT_EQ(h.activeNs(8000, 7000), 0);
}

TEST(HeldTime, AnOpenHoldCountsUpToTheQueryAndIsCausal)
{
    HeldTime h;
    h.apply(EventKind::GateHold, 100);
    EXPECT_EQ(h.heldNs(0, 1100), 1000) << "still holding: held up to the moment asked";
    h.apply(EventKind::GateStep, 2000);
    // Until the step's event arrives the step's moment is still held: what was known at 1100
    // does not change when later events come.
    EXPECT_EQ(h.heldNs(0, 1100), 1000);
    h.apply(EventKind::Accept, 2100);
    EXPECT_EQ(h.heldNs(0, 1100), 1000);
    EXPECT_EQ(h.heldNs(0, 3100), 1900 + 1000);
    h.apply(EventKind::GateHold, 2500);  // a second holder takes over: the same hold
    EXPECT_EQ(h.holds(), 1u);
    EXPECT_TRUE(h.holding());
}

// A request walked through with the gate held, a step at each whole second.
struct SteppedRequest
{
    TraceStore store;
    SteppedRequest()
    {
        store.setTopology(makeTopology(1, 1));
        auto flow = [](Ev ev)
        {
            ev.e.flow = 7;
            return ev.session(1).reactor(0);
        };
        append(store, Ev(EventKind::Accept, Role::Master).session(1).fd(20), 1000);
        append(store, Ev(EventKind::GateHold, Role::Master), 2000);
        append(store, flow(Ev(EventKind::Read, Role::Reactor, 0).bytes(12)), 3000);
        append(store, Ev(EventKind::GateStep, Role::Master), 1 * kSec);
        append(store,
               flow(Ev(EventKind::Dispatch, Role::Reactor, 0).worker(0).type(PipeType::RecvData)),
               1 * kSec + 500);
        append(store, Ev(EventKind::GateStep, Role::Master), 2 * kSec);
        append(store,
               flow(Ev(EventKind::CallbackEnter, Role::Worker, 0)
                        .worker(0)
                        .callback(CallbackId::OnReceive)),
               2 * kSec + 1000);
        append(store, Ev(EventKind::GateStep, Role::Master), 3 * kSec);  // nothing came out
        append(store, Ev(EventKind::GateStep, Role::Master), 4 * kSec);
        append(store,
               flow(Ev(EventKind::CallbackExit, Role::Worker, 0)
                        .worker(0)
                        .callback(CallbackId::OnReceive)),
               4 * kSec + 2000);
        append(store, Ev(EventKind::GateRelease, Role::Master), 5 * kSec);
        append(store, flow(Ev(EventKind::ReactorWrite, Role::Reactor, 0).bytes(35)),
               5 * kSec + 10000);
    }
};

TEST(HeldTime, GateEventsGoToTheHeldModelNotToTheEvents)
{
    SteppedRequest r;
    EXPECT_EQ(r.store.size(), 6u) << "the server's six events; the six gate events are not";
    EXPECT_EQ(r.store.gateEvents(), 6u);
    for (const Event& e : r.store.events()) EXPECT_FALSE(HeldTime::isGateKind(e.kind));
    EXPECT_EQ(r.store.held().steps(), 4u);
    // Worked: 500 ns after the first step, 1000 after the second, 2000 after the fourth, and
    // from the release to the write.
    EXPECT_EQ(r.store.held().activeNs(3000, 5 * kSec + 10000), 500 + 1000 + 2000 + 10000);
}

TEST(HeldTime, LatencyBusyTimeAndHopSamplesLeaveTheHeldTimeOut)
{
    SteppedRequest r;
    SessionIndex index;
    index.extend(r.store);
    const SessionSummary* s = index.find(1);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->lastLatencyNs, 13500) << "read -> reply write, not 5 s";

    TraceStatistics stats;
    stats.reset(r.store.topology());
    stats.extend(r.store);
    ASSERT_EQ(stats.workers().size(), 1u);
    EXPECT_EQ(stats.workers()[0].busyNs, 2000) << "onReceive ran 2 us, held 2 s";
    int64_t readToDispatch = -1;
    for (const HopSample& h : stats.samples())
        if (h.hop == RequestHop::ReadToDispatch) readToDispatch = h.ns;
    EXPECT_EQ(readToDispatch, 500) << "the hop sample: read, held ~1 s, a step, 500 ns";

    StateTimeline timeline;
    timeline.rebuild(r.store);
    ArchitectureState state;
    timeline.stateAt(r.store, r.store.size(), state);
    ASSERT_EQ(state.workers().size(), 1u);
    EXPECT_EQ(state.workers()[0].busyNs, 2000);
    // Mid-callback (after callback_enter): the running callback's time so far, held left out.
    timeline.stateAt(r.store, 4, state);
    EXPECT_EQ(state.busyNs(state.workers()[0], 4 * kSec + 1000), 1000)
        << "the step at 4 s let it go; 1 us since";
    EXPECT_EQ(state.busyNs(state.workers()[0], 3 * kSec + 500), 0) << "held since it entered";
}

TEST(HeldTime, SequenceArrowsShowTheServersTimeAndTheHeldTimeApart)
{
    SteppedRequest r;
    SessionIndex index;
    index.extend(r.store);
    std::vector<int64_t> sessions{1};
    SequenceModel m = buildSequence(r.store, index, sessions, r.store.size() - 1, 200);
    const SequenceMessage* exit = nullptr;
    const SequenceMessage* write = nullptr;
    for (const SequenceMessage& msg : m.messages)
    {
        if (msg.derived) continue;
        if (msg.kind == EventKind::CallbackExit) exit = &msg;
        if (msg.kind == EventKind::ReactorWrite) write = &msg;
    }
    ASSERT_NE(exit, nullptr);
    ASSERT_NE(write, nullptr);
    EXPECT_EQ(exit->deltaNs, 2000);
    EXPECT_EQ(exit->heldNs, 2 * kSec - 1000);
    EXPECT_EQ(write->deltaNs, 10000);
    EXPECT_EQ(write->heldNs, kSec - 2000);
}

}  // namespace
}  // namespace rscope::viewer::test
