// The sequence diagram's data: the article's lifelines, every hop in order with its function,
// label and delta; the window around an event on a long session; several sessions at once.
#include "viewer/model/sequence_model.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/session_index.h"

namespace rscope::viewer
{
namespace
{

struct Article
{
    TraceStore store;
    SessionIndex index;
    Article()
    {
        test::loadArticle(store);
        index.extend(store);
    }
    size_t at(uint64_t seq) const { return test::indexOfSeq(store, seq); }
};

// "from -> to: fn | label" for a readable comparison.
std::string hop(const SequenceModel& m, const SequenceMessage& msg)
{
    return m.lifelines[msg.from].id + " -> " + m.lifelines[msg.to].id + ": " + msg.fn + " | " +
           msg.label;
}

TEST(SequenceModelTest, ArticleLifelinesInTravelOrder)
{
    Article a;
    std::vector<int64_t> sessions{1};
    SequenceModel m = buildSequence(a.store, a.index, sessions, a.at(36), 200);
    std::vector<std::string> ids;
    for (const SequenceLifeline& l : m.lifelines) ids.push_back(l.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"client[1]", "main_reactor", "reactor[0]",
                                             "pipe[0->2]", "worker[2]"}));
    EXPECT_EQ(m.lifelines[0].subtitle, "127.0.0.1:33002  fd 30");
    EXPECT_EQ(m.lifelines[1].subtitle, "master pid 20769 tid 20769");
    EXPECT_EQ(m.lifelines[2].subtitle, "pid 20769 tid 20776");
    EXPECT_EQ(m.lifelines[3].subtitle, "socketpair fds 9 / 8");
    EXPECT_EQ(m.lifelines[4].subtitle, "pid 20780");
    EXPECT_EQ(m.totalEvents, 23u);
    EXPECT_FALSE(m.truncatedBefore());
    EXPECT_FALSE(m.truncatedAfter());
}

TEST(SequenceModelTest, ArticleHopsInOrderWithFunctionsAndLabels)
{
    Article a;
    std::vector<int64_t> sessions{1};
    SequenceModel m = buildSequence(a.store, a.index, sessions, a.at(36), 200);
    std::vector<std::string> hops;
    for (const SequenceMessage& msg : m.messages) hops.push_back(hop(m, msg));
    std::vector<std::string> expected{
        "client[1] -> main_reactor: swServer_master_onAccept | accept fd 30",
        "main_reactor -> main_reactor: swServer_master_onAccept | fd 30 % 2 = reactor 0",
        "main_reactor -> reactor[0]: swReactorEpoll_add | INCOMING 48B",
        "reactor[0] -> reactor[0]: swServer_master_onAccept | epoll add fd 30",
        "reactor[0] -> reactor[0]: swFactoryProcess_notify | CONNECT for worker 2",
        "reactor[0] -> pipe[0->2]: swReactorThread_send2worker | CONNECT 48B",
        "client[1] -> reactor[0]: swReactorThread_onRead | 12B \"hello world\\n\"",
        "reactor[0] -> reactor[0]: swFactoryProcess_dispatch | fd 30 % 4 = 2",
        "reactor[0] -> pipe[0->2]: swReactorThread_send2worker | RECV_DATA 60B",
        "pipe[0->2] -> worker[2]: swWorker_onPipeReceive | CONNECT 0B",
        "worker[2] -> worker[2]: swWorker_onTask | onConnect",
        "worker[2] -> worker[2]: swWorker_onTask | onConnect returns",
        "pipe[0->2] -> worker[2]: swWorker_onPipeReceive | RECV_DATA 12B",
        "worker[2] -> worker[2]: swWorker_onTask | onReceive",
        "worker[2] -> worker[2]: swFactoryProcess_finish | send(1, 35B)",
        "worker[2] -> pipe[0->2]: swWorker_send2reactor | SEND_DATA 83B",
        "worker[2] -> worker[2]: swFactoryProcess_end | close(1)",
        "worker[2] -> worker[2]: swWorker_onTask | onClose",
        "worker[2] -> worker[2]: swWorker_onTask | onClose returns",
        "worker[2] -> pipe[0->2]: swWorker_send2reactor | CLOSE 48B",
        "worker[2] -> worker[2]: swWorker_onTask | onReceive returns",
        "pipe[0->2] -> reactor[0]: swReactorThread_onPipeReceive | SEND_DATA 83B",
        "reactor[0] -> client[1]: swReactorThread_send | 35B",
        "pipe[0->2] -> reactor[0]: swReactorThread_onPipeReceive | CLOSE 48B",
        "reactor[0] -> client[1]: swReactorThread_close | close fd 30 (server_close)",
    };
    EXPECT_EQ(hops, expected);
    ASSERT_EQ(m.messages.size(), expected.size());

    // Event indices ascend; the two pickups are derived and share their event's index.
    for (size_t i = 1; i < m.messages.size(); ++i)
        EXPECT_LE(m.messages[i - 1].eventIndex, m.messages[i].eventIndex);
    EXPECT_TRUE(m.messages[21].derived);
    EXPECT_EQ(m.messages[21].eventIndex, a.at(35));
    EXPECT_EQ(m.messages[22].eventIndex, a.at(35));
    EXPECT_TRUE(m.messages[23].derived);
    EXPECT_EQ(m.messages[24].eventIndex, a.at(36));

    // Deltas: since the session's previous event; none for the first hop and the pickups.
    EXPECT_EQ(m.messages[0].deltaNs, -1);
    EXPECT_EQ(m.messages[6].deltaNs, a.store[a.at(20)].tsNs - a.store[a.at(19)].tsNs);
    EXPECT_EQ(m.messages[21].deltaNs, -1);
    EXPECT_EQ(m.messages[22].deltaNs, a.store[a.at(35)].tsNs - a.store[a.at(34)].tsNs);
    // Callbacks open and close activations on the worker.
    EXPECT_EQ(m.messages[10].activation, 1);
    EXPECT_EQ(m.messages[11].activation, -1);
    EXPECT_EQ(m.messages[13].activation, 1);
    EXPECT_EQ(m.messages[20].activation, -1);
    for (const SequenceMessage& msg : m.messages) EXPECT_EQ(msg.session, 1);
}

TEST(SequenceModelTest, WindowAroundTheCenterKeepsPickupsWithTheirEvent)
{
    Article a;
    std::vector<int64_t> sessions{1};
    SequenceModel m = buildSequence(a.store, a.index, sessions, a.at(26), 10);
    ASSERT_EQ(m.messages.size(), 10u);
    // Half before the center: seq 26 is the sixth message.
    EXPECT_EQ(m.messages[5].eventIndex, a.at(26));
    EXPECT_EQ(m.messages.front().eventIndex, a.at(21));
    EXPECT_EQ(m.eventsBefore, 7u);  // seqs 14..20
    EXPECT_EQ(m.eventsAfter, 23u - 7u - 10u);
    EXPECT_TRUE(m.truncatedBefore());
    EXPECT_TRUE(m.truncatedAfter());
    // Only the lifelines the window uses (no main reactor between seq 21 and 30).
    EXPECT_EQ(m.lifelineIndex("main_reactor"), -1);
    EXPECT_EQ(m.lifelineIndex("client[1]"), 0);

    // A window ending between a pickup and its write drops the lone pickup.
    SequenceModel end = buildSequence(a.store, a.index, sessions, a.at(36), 3);
    ASSERT_FALSE(end.messages.empty());
    EXPECT_FALSE(end.messages.front().derived && end.messages.size() > 1 &&
                 end.messages[1].eventIndex != end.messages.front().eventIndex);
    EXPECT_FALSE(end.messages.back().derived);
    EXPECT_LE(end.messages.size(), 3u);
}

TEST(SequenceModelTest, LongSessionBuildsOnlyTheWindow)
{
    // Session 1 of a synthetic trace lives through thousands of events.
    TraceStore store;
    test::makeSyntheticTrace(store, 60000, 5);
    SessionIndex index;
    index.extend(store);
    const SessionSummary* longest = &index.sessions()[0];
    for (const SessionSummary& s : index.sessions())
        if (index.eventsOf(s.session).size() > index.eventsOf(longest->session).size())
            longest = &s;
    std::span<const uint32_t> ev = index.eventsOf(longest->session);
    ASSERT_GT(ev.size(), 200u);
    size_t center = ev[ev.size() / 2];
    std::vector<int64_t> sessions{longest->session};
    SequenceModel m = buildSequence(store, index, sessions, center, 40);
    ASSERT_LE(m.messages.size(), 40u);
    ASSERT_GE(m.messages.size(), 38u);
    EXPECT_EQ(m.totalEvents, ev.size());
    EXPECT_TRUE(m.truncatedBefore());
    EXPECT_TRUE(m.truncatedAfter());
    bool sawCenter = false;
    for (const SequenceMessage& msg : m.messages)
    {
        EXPECT_EQ(msg.session, longest->session);
        sawCenter |= msg.eventIndex == center;
        EXPECT_GE(msg.from, 0);
        EXPECT_LT(msg.to, static_cast<int>(m.lifelines.size()));
    }
    EXPECT_TRUE(sawCenter);
}

TEST(SequenceModelTest, SeveralSessionsShareOneDiagram)
{
    TraceStore store;
    test::makeSyntheticTrace(store, 3000, 9);
    SessionIndex index;
    index.extend(store);
    ASSERT_GE(index.sessions().size(), 3u);
    std::vector<int64_t> sessions{index.sessions()[1].session, index.sessions()[0].session};
    size_t center = index.sessions()[1].firstEvent + 20;
    SequenceModel m = buildSequence(store, index, sessions, center, 120);
    int c0 = m.lifelineIndex(lifelineIdClient(index.sessions()[0].session));
    int c1 = m.lifelineIndex(lifelineIdClient(index.sessions()[1].session));
    ASSERT_GE(c0, 0);
    ASSERT_GE(c1, 0);
    EXPECT_LT(c0, c1);  // clients in session order, leftmost
    bool seen[2] = {false, false};
    for (const SequenceMessage& msg : m.messages)
    {
        ASSERT_TRUE(msg.session == sessions[0] || msg.session == sessions[1]);
        seen[msg.session == sessions[0] ? 0 : 1] = true;
        // A message touching a client lifeline touches its own session's client.
        for (int line : {msg.from, msg.to})
            if (m.lifelines[line].kind == LifelineKind::Client)
            {
                EXPECT_EQ(m.lifelines[line].session, msg.session);
            }
    }
    EXPECT_TRUE(seen[0]);
    EXPECT_TRUE(seen[1]);
    for (size_t i = 1; i < m.messages.size(); ++i)
        EXPECT_LE(m.messages[i - 1].eventIndex, m.messages[i].eventIndex);
}

TEST(SequenceModelTest, ClientCloseSequence)
{
    // The synthetic trace's client closes: FIN, CLOSE to the worker, onClose, CLOSE back, close.
    TraceStore store;
    test::makeSyntheticTrace(store, 5000, 2);
    SessionIndex index;
    index.extend(store);
    const SessionSummary* closed = nullptr;
    for (const SessionSummary& s : index.sessions())
        if (s.closer == Closer::Client && s.closeEvent != SessionSummary::kNone) closed = &s;
    ASSERT_NE(closed, nullptr);
    std::vector<int64_t> sessions{closed->session};
    SequenceModel m = buildSequence(store, index, sessions, closed->closeEvent, 400);
    std::vector<std::string> tail;
    for (const SequenceMessage& msg : m.messages)
        if (msg.eventIndex >= closed->closingEvent) tail.push_back(msg.label);
    std::vector<std::string> expected{"FIN",
                                      "CLOSE for worker " + std::to_string(closed->worker),
                                      "CLOSE 48B",
                                      "CLOSE 0B",
                                      "onClose",
                                      "onClose returns",
                                      "CLOSE 48B",
                                      "CLOSE 48B",
                                      "close fd " + std::to_string(closed->fd) + " (none)"};
    EXPECT_EQ(tail, expected);
    const SequenceMessage& fin = m.messages[m.messages.size() - tail.size()];
    EXPECT_EQ(m.lifelines[fin.from].id, lifelineIdClient(closed->session));
    EXPECT_EQ(m.lifelines[fin.to].id, lifelineIdReactor(closed->reactor));
    const SequenceMessage& pickup = m.messages[m.messages.size() - 2];
    EXPECT_TRUE(pickup.derived);
    EXPECT_EQ(m.lifelines[pickup.to].id, lifelineIdReactor(closed->reactor));
}

TEST(SequenceModelTest, BaseModeWorkersDoTheReactorsWork)
{
    // SWOOLE_BASE: no reactor threads; a worker reads, runs the callback and writes back.
    TraceStore store;
    Topology t = test::makeTopology(1, 2);  // (the fixture needs a reactor to place pipes)
    t.mode = "base";
    t.reactorNum = 0;
    t.pipes.clear();
    store.setTopology(t);
    int64_t ts = 100;
    test::append(store, test::Ev(EventKind::Read, Role::Worker, 1).session(4).fd(12).bytes(5),
                 ts += 10);
    test::append(store,
                 test::Ev(EventKind::CallbackEnter, Role::Worker, 1)
                     .session(4)
                     .worker(1)
                     .callback(CallbackId::OnReceive),
                 ts += 10);
    test::append(store,
                 test::Ev(EventKind::ReactorWrite, Role::Worker, 1).session(4).fd(12).bytes(5),
                 ts += 10);
    SessionIndex index;
    index.extend(store);
    std::vector<int64_t> sessions{4};
    SequenceModel m = buildSequence(store, index, sessions, 0, 50);
    std::vector<std::string> hops;
    for (const SequenceMessage& msg : m.messages) hops.push_back(hop(m, msg));
    EXPECT_EQ(hops, (std::vector<std::string>{
                        "client[4] -> worker[1]: swReactorThread_onRead | 5B",
                        "worker[1] -> worker[1]: swWorker_onTask | onReceive",
                        "worker[1] -> client[4]: swReactorThread_send | 5B",
                    }));
}

}  // namespace
}  // namespace rscope::viewer
