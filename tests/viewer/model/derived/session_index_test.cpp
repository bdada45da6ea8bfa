// SessionIndex on the article trace (one server-closed session) and on hand-made traces:
// interleaved sessions, a client close, fd reuse, slices extended one by one, the list filter,
// the sessions around the cursor and the memory budget.
#include "viewer/model/session_index.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"

namespace rscope::viewer
{
namespace
{

using test::Ev;

// test::append with args and a payload (accept's peer, a read's preview).
void appendWith(TraceStore& store, const Ev& ev, int64_t tsNs, std::string_view args,
                std::string_view payload = "")
{
    Event e = ev.e;
    e.tsNs = tsNs;
    e.seq = store.size() + 1;
    Actor actor = ev.actor;
    if (actor.role == Role::Worker) actor.tid = actor.pid;
    e.actor = store.internActor(actor);
    ASSERT_TRUE(store.append(e, args, payload));
}

Ev accept(int64_t s, int fd)
{
    return Ev(EventKind::Accept, Role::Master).session(s).fd(fd);
}
Ev reg(int64_t s, int fd, int r)
{
    return Ev(EventKind::ReactorRegister, Role::Reactor, r).session(s).fd(fd).reactor(r);
}
Ev read(int64_t s, int fd, int r, int bytes, uint64_t flow)
{
    Ev ev = Ev(EventKind::Read, Role::Reactor, r).session(s).fd(fd).reactor(r).bytes(bytes);
    ev.e.flow = flow;
    return ev;
}
Ev dispatch(int64_t s, int fd, int r, int w, uint64_t flow)
{
    Ev ev = Ev(EventKind::Dispatch, Role::Reactor, r)
                .session(s)
                .fd(fd)
                .reactor(r)
                .worker(w)
                .type(PipeType::RecvData)
                .bytes(12);
    ev.e.flow = flow;
    return ev;
}
Ev write(int64_t s, int fd, int r, int bytes, uint64_t flow)
{
    Ev ev = Ev(EventKind::ReactorWrite, Role::Reactor, r).session(s).fd(fd).reactor(r).bytes(bytes);
    ev.e.flow = flow;
    return ev;
}
Ev closeEv(int64_t s, int fd, int r, trace::Cause cause)
{
    Ev ev = Ev(EventKind::Close, Role::Reactor, r).session(s).fd(fd).reactor(r);
    ev.e.cause = static_cast<uint8_t>(cause);
    return ev;
}
Ev peerClose(int64_t s, int fd, int r, trace::Cause cause)
{
    Ev ev = Ev(EventKind::PeerClose, Role::Reactor, r).session(s).fd(fd).reactor(r);
    ev.e.cause = static_cast<uint8_t>(cause);
    return ev;
}

std::string peerArgs(int port)
{
    return R"({"listen_fd":3,"peer_ip":"10.0.0.7","peer_port":)" + std::to_string(port) + "}";
}

TEST(SessionIndexTest, ArticleHasOneSessionClosedByTheServer)
{
    TraceStore store;
    test::loadArticle(store);
    SessionIndex index;
    index.extend(store);
    EXPECT_EQ(index.indexed(), store.size());
    ASSERT_EQ(index.sessions().size(), 1u);
    const SessionSummary& s = index.sessions()[0];
    EXPECT_EQ(s.session, 1);
    EXPECT_EQ(s.fd, 30);
    EXPECT_EQ(s.reactor, 0);
    EXPECT_EQ(s.worker, 2);
    EXPECT_EQ(s.peer, "127.0.0.1:33002");
    EXPECT_EQ(s.closer, Closer::Server);
    EXPECT_EQ(s.requests, 1u);
    EXPECT_EQ(s.bytesIn, 12u);
    EXPECT_EQ(s.bytesOut, 35u);
    EXPECT_EQ(s.firstEvent, test::indexOfSeq(store, 14));
    EXPECT_EQ(s.acceptEvent, test::indexOfSeq(store, 14));
    EXPECT_EQ(s.registerEvent, test::indexOfSeq(store, 17));
    EXPECT_EQ(s.closingEvent, test::indexOfSeq(store, 30));  // close_request
    EXPECT_EQ(s.closeEvent, test::indexOfSeq(store, 36));
    EXPECT_EQ(s.lastEvent, test::indexOfSeq(store, 36));
    EXPECT_EQ(s.openedNs, store[test::indexOfSeq(store, 14)].tsNs);
    EXPECT_EQ(s.closedNs, store[test::indexOfSeq(store, 36)].tsNs);
    // Latency: the read (seq 20) to the reactor_write of the same flow (seq 35), from the file.
    int64_t latency =
        store[test::indexOfSeq(store, 35)].tsNs - store[test::indexOfSeq(store, 20)].tsNs;
    EXPECT_EQ(latency, 1747552156204 - 1747549506414);
    EXPECT_EQ(s.lastLatencyNs, latency);
    EXPECT_EQ(s.maxLatencyNs, latency);

    std::span<const uint32_t> events = index.eventsOf(1);
    ASSERT_EQ(events.size(), 23u);  // seqs 14..36 all carry session 1
    for (size_t i = 0; i < events.size(); ++i)
        EXPECT_EQ(store[events[i]].seq, 14 + i) << "event " << i;
    EXPECT_TRUE(index.eventsOf(2).empty());
    EXPECT_EQ(index.find(2), nullptr);
    ASSERT_NE(index.find(1), nullptr);
    EXPECT_EQ(index.find(1)->fd, 30);
}

TEST(SessionIndexTest, ArticleStatesFollowTheCursor)
{
    TraceStore store;
    test::loadArticle(store);
    SessionIndex index;
    index.extend(store);
    const SessionSummary& s = index.sessions()[0];
    auto after = [&](uint64_t seq) { return test::indexOfSeq(store, seq) + 1; };  // position
    EXPECT_STREQ(SessionIndex::stateAt(s, 0), "future");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(13)), "future");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(14)), "accepted");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(16)), "accepted");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(17)), "open");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(29)), "open");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(30)), "closing");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(35)), "closing");
    EXPECT_STREQ(SessionIndex::stateAt(s, after(36)), "closed");
}

TEST(SessionIndexTest, FilterMatchesIdsPeerAndState)
{
    TraceStore store;
    test::loadArticle(store);
    SessionIndex index;
    index.extend(store);
    const SessionSummary& s = index.sessions()[0];
    size_t end = store.size();
    size_t mid = test::indexOfSeq(store, 20) + 1;
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "", end));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "1", end));      // session id
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "30", end));     // fd
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "33002", end));  // peer port
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "2", end));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "r0", end));
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "r1", end));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "W2", end));
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "w3", end));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "127.0.0", end));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "clos", end));
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "clos", mid));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "OPEN", mid));
    EXPECT_TRUE(SessionIndex::sessionMatches(s, "server", end));  // the closer
    EXPECT_TRUE(SessionIndex::sessionMatches(s, " r0  w2 open ", mid));
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "r0 w1", mid));
    EXPECT_FALSE(SessionIndex::sessionMatches(s, "10.0.0", end));
}

// Two sessions interleaved; the second closes from the client side (peer_close eof).
TEST(SessionIndexTest, InterleavedSessionsAndClientClose)
{
    TraceStore store;
    store.setTopology(test::makeTopology(2, 4));
    int64_t ts = 1000;
    appendWith(store, accept(1, 21), ts += 10, peerArgs(40001));
    appendWith(store, accept(2, 22), ts += 10, peerArgs(40002));
    appendWith(store, reg(1, 21, 1), ts += 10, "{}");
    appendWith(store, reg(2, 22, 0), ts += 10, "{}");
    appendWith(store, read(2, 22, 0, 5, 77), ts += 10, "{}", "abcde");
    appendWith(store, read(1, 21, 1, 7, 88), ts += 10, "{}", "1234567");
    appendWith(store, dispatch(1, 21, 1, 1, 88), ts += 10, "{}");
    appendWith(store, dispatch(2, 22, 0, 2, 77), ts += 10, "{}");
    appendWith(store, write(1, 21, 1, 3, 88), ts += 100, "{}");  // 1: 120 ns after its read
    appendWith(store, write(2, 22, 0, 4, 77), ts += 500, "{}");  // 2: 630 ns after its read
    appendWith(store, peerClose(2, 22, 0, trace::Cause::Eof), ts += 10, "{}");
    appendWith(store, closeEv(2, 22, 0, trace::Cause::Eof), ts += 10, "{}");

    SessionIndex index;
    index.extend(store);
    ASSERT_EQ(index.sessions().size(), 2u);
    const SessionSummary& a = index.sessions()[0];
    const SessionSummary& b = index.sessions()[1];
    EXPECT_EQ(a.session, 1);
    EXPECT_EQ(b.session, 2);
    EXPECT_EQ(a.peer, "10.0.0.7:40001");
    EXPECT_EQ(b.peer, "10.0.0.7:40002");
    EXPECT_EQ(a.reactor, 1);
    EXPECT_EQ(b.reactor, 0);
    EXPECT_EQ(a.worker, 1);
    EXPECT_EQ(b.worker, 2);
    EXPECT_EQ(a.lastLatencyNs, 120);
    EXPECT_EQ(b.lastLatencyNs, 630);
    EXPECT_EQ(a.closer, Closer::None);
    EXPECT_EQ(a.closeEvent, SessionSummary::kNone);
    EXPECT_EQ(a.closedNs, -1);
    EXPECT_EQ(b.closer, Closer::Client);
    EXPECT_EQ(b.closingEvent, 10u);
    EXPECT_EQ(b.closeEvent, 11u);
    EXPECT_EQ(a.bytesIn, 7u);
    EXPECT_EQ(b.bytesOut, 4u);
    EXPECT_EQ(std::vector<uint32_t>(index.eventsOf(1).begin(), index.eventsOf(1).end()),
              (std::vector<uint32_t>{0, 2, 5, 6, 8}));
    EXPECT_EQ(std::vector<uint32_t>(index.eventsOf(2).begin(), index.eventsOf(2).end()),
              (std::vector<uint32_t>{1, 3, 4, 7, 9, 10, 11}));
    EXPECT_STREQ(SessionIndex::stateAt(b, 11), "closing");
    EXPECT_STREQ(SessionIndex::stateAt(b, 12), "closed");

    // Around the end: session 1 is still open, 2 is closed.
    std::vector<int64_t> around;
    index.sessionsActiveAround(store, store.size(), 4, around);
    EXPECT_EQ(around, (std::vector<int64_t>{1}));
    // Before session 2's write both are connected, the newest first.
    index.sessionsActiveAround(store, 9, 4, around);
    EXPECT_EQ(around, (std::vector<int64_t>{1, 2}));
    index.sessionsActiveAround(store, 9, 1, around);
    EXPECT_EQ(around, (std::vector<int64_t>{1}));
    index.sessionsActiveAround(store, 0, 4, around);
    EXPECT_TRUE(around.empty());
}

TEST(SessionIndexTest, ErrorCloseAndFdReuseGiveSeparateSessions)
{
    TraceStore store;
    store.setTopology(test::makeTopology(2, 4));
    int64_t ts = 1000;
    appendWith(store, accept(5, 25), ts += 10, peerArgs(50000));
    appendWith(store, reg(5, 25, 1), ts += 10, "{}");
    appendWith(store, peerClose(5, 25, 1, trace::Cause::Reset), ts += 10, "{}");
    appendWith(store, closeEv(5, 25, 1, trace::Cause::Reset), ts += 10, "{}");
    // The kernel hands out fd 25 again: a new session id.
    appendWith(store, accept(6, 25), ts += 10, peerArgs(50001));
    appendWith(store, reg(6, 25, 1), ts += 10, "{}");
    appendWith(store, closeEv(6, 25, 1, trace::Cause::ServerClose), ts += 10, "{}");

    SessionIndex index;
    index.extend(store);
    ASSERT_EQ(index.sessions().size(), 2u);
    const SessionSummary& a = *index.find(5);
    const SessionSummary& b = *index.find(6);
    EXPECT_EQ(a.fd, 25);
    EXPECT_EQ(b.fd, 25);
    EXPECT_EQ(a.closer, Closer::Error);
    EXPECT_EQ(b.closer, Closer::Server);  // a bare close decides by its cause
    EXPECT_EQ(a.peer, "10.0.0.7:50000");
    EXPECT_EQ(b.peer, "10.0.0.7:50001");
    EXPECT_EQ(index.eventsOf(5).size(), 4u);
    EXPECT_EQ(index.eventsOf(6).size(), 3u);
    EXPECT_EQ(b.closingEvent, SessionSummary::kNone);
    EXPECT_STREQ(SessionIndex::stateAt(b, 6), "open");
    EXPECT_STREQ(SessionIndex::stateAt(b, 7), "closed");
    EXPECT_EQ(a.lastLatencyNs, -1);
}

TEST(SessionIndexTest, HeaderConnectionsGiveFdAndPeerWithoutAccept)
{
    TraceStore store;
    Topology t = test::makeTopology(2, 4);
    t.connections.push_back({9, 31, 1, "192.168.1.5:6000"});
    store.setTopology(t);
    appendWith(store, read(9, 31, 1, 3, 5), 100, "{}");
    SessionIndex index;
    index.extend(store);
    ASSERT_NE(index.find(9), nullptr);
    EXPECT_EQ(index.find(9)->peer, "192.168.1.5:6000");
    EXPECT_EQ(index.find(9)->fd, 31);
    EXPECT_STREQ(SessionIndex::stateAt(*index.find(9), 1), "open");
}

void expectSameIndex(const SessionIndex& a, const SessionIndex& b)
{
    ASSERT_EQ(a.sessions().size(), b.sessions().size());
    for (size_t i = 0; i < a.sessions().size(); ++i)
    {
        const SessionSummary& x = a.sessions()[i];
        const SessionSummary& y = b.sessions()[i];
        SCOPED_TRACE("session " + std::to_string(x.session));
        EXPECT_EQ(x.session, y.session);
        EXPECT_EQ(x.fd, y.fd);
        EXPECT_EQ(x.reactor, y.reactor);
        EXPECT_EQ(x.worker, y.worker);
        EXPECT_EQ(x.peer, y.peer);
        EXPECT_EQ(x.firstEvent, y.firstEvent);
        EXPECT_EQ(x.lastEvent, y.lastEvent);
        EXPECT_EQ(x.registerEvent, y.registerEvent);
        EXPECT_EQ(x.closingEvent, y.closingEvent);
        EXPECT_EQ(x.closeEvent, y.closeEvent);
        EXPECT_EQ(x.closedNs, y.closedNs);
        EXPECT_EQ(x.closer, y.closer);
        EXPECT_EQ(x.requests, y.requests);
        EXPECT_EQ(x.bytesIn, y.bytesIn);
        EXPECT_EQ(x.bytesOut, y.bytesOut);
        EXPECT_EQ(x.lastLatencyNs, y.lastLatencyNs);
        EXPECT_EQ(x.maxLatencyNs, y.maxLatencyNs);
        std::span<const uint32_t> ea = a.eventsOf(x.session), eb = b.eventsOf(x.session);
        EXPECT_TRUE(std::equal(ea.begin(), ea.end(), eb.begin(), eb.end()));
    }
}

TEST(SessionIndexTest, ExtendInSlicesEqualsOneExtend)
{
    TraceStore full;
    test::makeSyntheticTrace(full, 30000, 7);
    SessionIndex whole;
    whole.extend(full);
    ASSERT_GT(whole.sessions().size(), 100u);

    // The same events appended slice by slice (a live session), the index extended after each.
    TraceStore growing;
    growing.setTopology(full.topology());
    for (const Actor& a : full.actors()) growing.internActor(a);
    SessionIndex sliced;
    std::mt19937 rng(3);
    size_t i = 0;
    while (i < full.size())
    {
        size_t n = std::min<size_t>(full.size() - i, 1 + rng() % 700);
        for (size_t k = 0; k < n; ++k, ++i)
            ASSERT_TRUE(growing.append(full[i], full.args(full[i]), full.payload(full[i])));
        sliced.extend(growing);
        EXPECT_EQ(sliced.indexed(), growing.size());
    }
    expectSameIndex(whole, sliced);

    // Every session event is in exactly one list, in ascending order.
    size_t listed = 0;
    for (const SessionSummary& s : whole.sessions())
    {
        std::span<const uint32_t> ev = whole.eventsOf(s.session);
        listed += ev.size();
        EXPECT_TRUE(std::is_sorted(ev.begin(), ev.end()));
        for (uint32_t e : ev) ASSERT_EQ(full[e].session, s.session);
    }
    size_t withSession = 0;
    for (const Event& e : full.events()) withSession += e.session != 0;
    EXPECT_EQ(listed, withSession);

    whole.clear();
    EXPECT_TRUE(whole.sessions().empty());
    EXPECT_EQ(whole.indexed(), 0u);
    whole.extend(full);
    expectSameIndex(whole, sliced);
}

// The budget is ~8 B per session event; each session adds its summary and list header once.
TEST(SessionIndexTest, MemoryStaysNearEightBytesPerEvent)
{
    // Long sessions (the 1M-event recordings: 100 connections, ~10k events each), left open so
    // their lists keep their growth slack.
    TraceStore store;
    store.setTopology(test::makeTopology(2, 4));
    constexpr int kSessions = 20;
    int64_t ts = 0;
    for (int s = 1; s <= kSessions; ++s) test::append(store, accept(s, 20 + s), ts += 10);
    for (int i = 0; i < 200000; ++i)
    {
        int s = 1 + i % kSessions;
        test::append(store, read(s, 20 + s, s % 2, 12, 1000 + i), ts += 10);
    }
    SessionIndex index;
    index.extend(store);
    double perEvent = static_cast<double>(index.memoryBytes()) / static_cast<double>(store.size());
    EXPECT_LE(perEvent, 8.0);

    // Many short sessions (the synthetic mix): 8 B per event plus a bounded cost per session.
    TraceStore mixed;
    test::makeSyntheticTrace(mixed, 200000, 11);
    SessionIndex short_;
    short_.extend(mixed);
    EXPECT_LE(short_.memoryBytes(), 8 * mixed.size() + 256 * short_.sessions().size())
        << short_.sessions().size() << " sessions, sizeof(SessionSummary) "
        << sizeof(SessionSummary);
}

}  // namespace
}  // namespace rscope::viewer
