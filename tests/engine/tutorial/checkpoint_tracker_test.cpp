// CheckpointTracker: in_order as a subsequence, any_order, counts, variables, args, and events
// from before the step.
#include "engine/tutorial/checkpoint_tracker.h"

#include <gtest/gtest.h>

namespace rscope::tutorial
{
namespace
{

// An event for the tracker; kept alive by the test while observe() runs.
struct Ev
{
    std::string kind;
    std::string role = "reactor";
    int index = 0;
    std::optional<int64_t> session;
    std::optional<int64_t> worker;
    std::map<std::string, std::string> args;
    int64_t ts = 100;

    Ev& s(int64_t v) { return session = v, *this; }
    Ev& w(int64_t v) { return worker = v, *this; }
    Ev& actor(const std::string& r, int i) { return role = r, index = i, *this; }
    Ev& arg(const std::string& k, const std::string& v) { return args[k] = v, *this; }
    Ev& at(int64_t t) { return ts = t, *this; }

    EventFacts facts() const
    {
        EventFacts f;
        f.kind = kind;
        f.role = role;
        f.index = index;
        f.session = session;
        f.worker = worker;
        f.tsNs = ts;
        f.arg = [this](std::string_view key) -> std::optional<std::string>
        {
            auto it = args.find(std::string(key));
            if (it == args.end()) return std::nullopt;
            return it->second;
        };
        return f;
    }
};

Ev ev(const std::string& kind)
{
    Ev e;
    e.kind = kind;
    return e;
}

Matcher m(const std::string& kind)
{
    Matcher x;
    x.kinds = {kind};
    return x;
}

MatchValue lit(const std::string& t)
{
    MatchValue v;
    v.text = t;
    return v;
}

MatchValue var(const std::string& name)
{
    MatchValue v;
    v.variable = name;
    return v;
}

Checkpoint checkpoint(std::vector<Matcher> events, bool inOrder = true)
{
    Checkpoint c;
    c.events = std::move(events);
    c.inOrder = inOrder;
    return c;
}

TEST(CheckpointTracker, InOrderIsASubsequenceWithGaps)
{
    Checkpoint c = checkpoint({m("read"), m("dispatch"), m("worker_receive")});
    CheckpointTracker t(c);
    EXPECT_EQ(t.total(), 3u);
    EXPECT_FALSE(t.observe(ev("accept").facts()));
    EXPECT_FALSE(t.observe(ev("read").facts()));
    EXPECT_FALSE(t.observe(ev("pipe_write").facts()));  // unrelated events in between are fine
    EXPECT_FALSE(t.observe(ev("dispatch").facts()));
    EXPECT_EQ(t.satisfied(), 2u);
    EXPECT_TRUE(t.observe(ev("worker_receive").facts()));
    EXPECT_TRUE(t.met());
}

TEST(CheckpointTracker, InOrderIgnoresEventsThatComeTooEarly)
{
    Checkpoint c = checkpoint({m("read"), m("dispatch")});
    CheckpointTracker t(c);
    t.observe(ev("dispatch").facts());  // before its predecessor: does not count
    t.observe(ev("read").facts());
    EXPECT_EQ(t.satisfied(), 1u);
    EXPECT_FALSE(t.met());
    EXPECT_TRUE(t.observe(ev("dispatch").facts()));
}

TEST(CheckpointTracker, PendingNamesTheFirstMatcherStillAwaited)
{
    Checkpoint inOrder = checkpoint({m("read"), m("dispatch")});
    CheckpointTracker a(inOrder);
    EXPECT_EQ(a.pending(), 0u);
    a.observe(ev("read").facts());
    EXPECT_EQ(a.pending(), 1u);
    a.observe(ev("dispatch").facts());
    EXPECT_EQ(a.pending(), 2u);  // met: total()
    Checkpoint anyOrder = checkpoint({m("read"), m("dispatch")}, false);
    CheckpointTracker b(anyOrder);
    b.observe(ev("read").facts());
    EXPECT_EQ(b.pending(), 1u);
}

TEST(CheckpointTracker, AnyOrderTakesEventsInEveryOrder)
{
    Checkpoint c = checkpoint({m("read"), m("dispatch")}, false);
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("dispatch").facts()));
    EXPECT_EQ(t.satisfied(), 1u);
    EXPECT_TRUE(t.observe(ev("read").facts()));
}

TEST(CheckpointTracker, CountNeedsThatManyEvents)
{
    Matcher ws = m("worker_start");
    ws.count = 3;
    Checkpoint c = checkpoint({ws, m("listen")});
    CheckpointTracker t(c);
    t.observe(ev("worker_start").facts());
    t.observe(ev("worker_start").facts());
    t.observe(ev("listen").facts());  // the count is not reached: listen is not yet expected
    EXPECT_EQ(t.satisfied(), 0u);
    t.observe(ev("worker_start").facts());
    EXPECT_EQ(t.satisfied(), 1u);
    EXPECT_TRUE(t.observe(ev("listen").facts()));
}

TEST(CheckpointTracker, ListOfKindsMatchesAnyOfThem)
{
    Matcher end;
    end.kinds = {"close", "discard"};
    Checkpoint c = checkpoint({end});
    CheckpointTracker t(c);
    EXPECT_TRUE(t.observe(ev("discard").facts()));
}

TEST(CheckpointTracker, ActorRoleAndIndexMustMatch)
{
    Matcher start = m("worker_start");
    start.actorRole = "worker";
    start.actorIndex = 2;
    Checkpoint c = checkpoint({start});
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("worker_start").actor("worker", 1).facts()));
    EXPECT_FALSE(t.observe(ev("worker_start").actor("reactor", 2).facts()));
    EXPECT_TRUE(t.observe(ev("worker_start").actor("worker", 2).facts()));
}

TEST(CheckpointTracker, TaskWorkerIsItsOwnRole)
{
    // A task worker's worker_start must not satisfy an event worker's matcher, nor the reverse.
    Matcher start = m("worker_start");
    start.actorRole = "task_worker";
    Checkpoint c = checkpoint({start});
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("worker_start").actor("worker", 2).facts()));
    EXPECT_TRUE(t.observe(ev("worker_start").actor("task_worker", 2).facts()));
}

TEST(CheckpointTracker, VariableBindsOnFirstMatchAndConstrainsLaterOnes)
{
    Matcher dispatch = m("dispatch");
    dispatch.ids["worker"] = var("$w");
    Matcher receive = m("worker_receive");
    receive.ids["worker"] = var("$w");
    Checkpoint c = checkpoint({dispatch, receive});
    CheckpointTracker t(c);
    t.observe(ev("dispatch").s(1).w(2).facts());
    EXPECT_EQ(t.bindings().at("$w"), "2");
    EXPECT_FALSE(t.observe(ev("worker_receive").w(3).facts()));  // another worker: no
    EXPECT_FALSE(t.observe(ev("worker_receive").facts()));       // no worker id at all: no
    EXPECT_TRUE(t.observe(ev("worker_receive").w(2).facts()));
}

TEST(CheckpointTracker, VariableIsNotBoundByAnEventThatFailsAnotherTest)
{
    Matcher receive = m("worker_receive");
    receive.ids["worker"] = var("$w");
    receive.args["type"] = lit("RECV_DATA");
    Checkpoint c = checkpoint({receive});
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("worker_receive").w(1).arg("type", "CONNECT").facts()));
    EXPECT_TRUE(t.bindings().empty());
    EXPECT_TRUE(t.observe(ev("worker_receive").w(3).arg("type", "RECV_DATA").facts()));
    EXPECT_EQ(t.bindings().at("$w"), "3");
}

TEST(CheckpointTracker, SameVariableTwiceInOneMatcherMustAgree)
{
    Matcher own = m("send_request");
    own.ids["worker"] = var("$x");
    own.args["pipe"] = var("$x");
    Checkpoint c = checkpoint({own});
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("send_request").w(2).arg("pipe", "0").facts()));
    EXPECT_TRUE(t.bindings().empty());
    EXPECT_TRUE(t.observe(ev("send_request").w(2).arg("pipe", "2").facts()));
}

TEST(CheckpointTracker, LiteralIdsAndArgsMustBeEqual)
{
    Matcher close = m("close");
    close.ids["session"] = lit("7");
    close.args["cause"] = lit("server_close");
    Checkpoint c = checkpoint({close});
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("close").s(7).arg("cause", "eof").facts()));
    EXPECT_FALSE(t.observe(ev("close").s(8).arg("cause", "server_close").facts()));
    EXPECT_FALSE(t.observe(ev("close").s(7).facts()));  // arg absent
    EXPECT_TRUE(t.observe(ev("close").s(7).arg("cause", "server_close").facts()));
}

TEST(CheckpointTracker, AnyOrderBindsVariablesAcrossMatchers)
{
    Matcher exitW = m("worker_exit");
    exitW.ids["worker"] = var("$w");
    Matcher restart = m("worker_restart");
    restart.ids["worker"] = var("$w");
    Checkpoint c = checkpoint({exitW, restart}, false);
    CheckpointTracker t(c);
    t.observe(ev("worker_restart").w(1).facts());  // binds $w = 1 first
    EXPECT_FALSE(t.observe(ev("worker_exit").w(0).facts()));
    EXPECT_TRUE(t.observe(ev("worker_exit").w(1).facts()));
}

TEST(CheckpointTracker, EventsBeforeTheStepDoNotCount)
{
    Checkpoint c = checkpoint({m("accept"), m("close")});
    CheckpointTracker t(c, 1000);
    t.observe(ev("accept").at(999).facts());
    EXPECT_EQ(t.satisfied(), 0u);
    t.observe(ev("accept").at(1000).facts());
    EXPECT_EQ(t.satisfied(), 1u);
    EXPECT_FALSE(t.observe(ev("close").at(10).facts()));
    EXPECT_TRUE(t.observe(ev("close").at(2000).facts()));
}

TEST(CheckpointTracker, VariableIsNotStuckWithTheFirstEventThatCouldBindIt)
{
    // The first connection never sends; the checkpoint holds for the second one.
    Matcher accept = m("accept");
    accept.ids["session"] = var("$s");
    Matcher read = m("read");
    read.ids["session"] = var("$s");
    Checkpoint c = checkpoint({accept, read});
    CheckpointTracker t(c);
    t.observe(ev("accept").s(1).facts());
    t.observe(ev("accept").s(2).facts());
    EXPECT_EQ(t.satisfied(), 1u);
    EXPECT_TRUE(t.observe(ev("read").s(2).facts()));
    EXPECT_EQ(t.bindings().at("$s"), "2");
}

TEST(CheckpointTracker, AnyOrderTriesEveryMatcherAnEventFits)
{
    // A greedy choice would give the close to the first matcher and then have no place for the
    // discard.
    Matcher end;
    end.kinds = {"close", "discard"};
    Checkpoint c = checkpoint({end, m("close")}, false);
    CheckpointTracker t(c);
    EXPECT_FALSE(t.observe(ev("close").facts()));
    EXPECT_TRUE(t.observe(ev("discard").facts()));
}

TEST(CheckpointTracker, PartialMatchesStayBoundedAndTheEarliestSurvive)
{
    Matcher accept = m("accept");
    accept.ids["session"] = var("$s");
    Matcher close = m("close");
    close.ids["session"] = var("$s");
    Checkpoint c = checkpoint({accept, close});
    CheckpointTracker t(c);
    for (int s = 1; s <= 3000; ++s) t.observe(ev("accept").s(s).facts());
    EXPECT_LE(t.partialCount(), CheckpointTracker::kMaxPartials);
    EXPECT_FALSE(t.observe(ev("close").s(2999).facts()));  // dropped: too many before it
    EXPECT_TRUE(t.observe(ev("close").s(5).facts()));
    EXPECT_EQ(t.bindings().at("$s"), "5");
}

TEST(CheckpointTracker, StaysMetAfterMoreEvents)
{
    Checkpoint c = checkpoint({m("listen")});
    CheckpointTracker t(c);
    EXPECT_TRUE(t.observe(ev("listen").facts()));
    EXPECT_TRUE(t.observe(ev("accept").facts()));
    EXPECT_EQ(t.satisfied(), 1u);
}

}  // namespace
}  // namespace rscope::tutorial
