// LiveSource against a tiny in-test trace server on 127.0.0.1 port 0 (and a unix socket): lines
// arrive in the store, a closed connection turns into Retrying, a reconnect's header starts a new
// recording, a refused connect retries, stop() is prompt, and 200k events/s are kept up with.
// Every wait is bounded by a deadline.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "viewer/model/socket_live_source.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

using base::UniqueFd;
using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(10);

std::vector<std::string> articleLines()
{
    std::ifstream in(std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The batcher both live sources share (the socket thread's reads, the WebSocket's messages):
// lines cut anywhere come out whole and in order.
TEST(LineBatcher, LinesCutAtEveryByteComeOutWholeAndDecoded)
{
    std::string stream;
    for (const std::string& l : articleLines()) stream += l + "\n";
    for (size_t cut : {size_t{1}, size_t{7}, size_t{300}, stream.size()})
    {
        LineBatcher b;
        for (size_t at = 0; at < stream.size(); at += cut)
            EXPECT_EQ(b.feed(std::string_view(stream).substr(at, cut)), "") << "cut " << cut;
        ASSERT_EQ(b.count, articleLines().size()) << "cut " << cut;
        EXPECT_EQ(b.batch[0].type, ParsedLine::Type::Header);
        EXPECT_EQ(b.batch[1].type, ParsedLine::Type::Event);
        EXPECT_FALSE(b.insideLine());
    }
}

TEST(LineBatcher, ARefusedHeaderAndAnEndlessLineBreakTheStream)
{
    LineBatcher refused;
    std::string why = refused.feed(
        "{\"type\":\"header\",\"format\":\"reactorscope-trace\",\"version\":\"99.0\"}\n");
    EXPECT_NE(why.find("header refused"), std::string::npos) << why;
    EXPECT_TRUE(refused.headerRefused);

    LineBatcher endless;
    std::string chunk(64 * 1024, 'x');
    std::string broke;
    for (int i = 0; i < 20 && broke.empty(); ++i) broke = endless.feed(chunk);
    EXPECT_NE(broke.find("not a trace stream"), std::string::npos) << broke;
    endless.reset();
    EXPECT_FALSE(endless.insideLine()) << "a new connection starts clean";
    EXPECT_EQ(endless.feed(articleLines()[0] + "\n"), "");
}

// A listening socket for the source to connect to; accept() waits at most `kDeadline`.
class TestServer
{
  public:
    TestServer()
    {
        listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(listen_.get(), 4), 0);
        socklen_t len = sizeof a;
        ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len);
        address_ = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    }
    explicit TestServer(const std::string& unixPath)
    {
        listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", unixPath.c_str());
        ::unlink(unixPath.c_str());
        EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(listen_.get(), 4), 0);
        address_ = "unix:" + unixPath;
    }

    const std::string& address() const { return address_; }

    UniqueFd accept()
    {
        pollfd p{listen_.get(), POLLIN, 0};
        int ms = static_cast<int>(std::chrono::milliseconds(kDeadline).count());
        if (::poll(&p, 1, ms) != 1) return UniqueFd();
        return UniqueFd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }

  private:
    UniqueFd listen_;
    std::string address_;
};

bool sendAll(int fd, const std::string& text)
{
    size_t sent = 0;
    while (sent < text.size())
    {
        ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

std::string joinLines(const std::vector<std::string>& lines, size_t from, size_t to)
{
    std::string text;
    for (size_t i = from; i < to && i < lines.size(); ++i) text += lines[i] + "\n";
    return text;
}

// Drains into `store` until `done()` or the deadline; counts the headers seen.
bool drainUntil(LiveSource& source, TraceStore& store, const std::function<bool()>& done,
                int* headers = nullptr)
{
    auto until = Clock::now() + kDeadline;
    while (Clock::now() < until)
    {
        bool headerSeen = false;
        source.drain(store, 100000, headerSeen);
        if (headerSeen && headers != nullptr) ++*headers;
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

bool waitStatus(const LiveSource& source, LiveStatus status)
{
    auto until = Clock::now() + kDeadline;
    while (Clock::now() < until)
    {
        if (source.status() == status) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

TEST(LiveSource, DrainsHeaderAndEventsThenResetsOnAReconnectsHeader)
{
    std::vector<std::string> lines = articleLines();
    ASSERT_EQ(lines.size(), 38u);
    TestServer server;
    SocketLiveSource source(server.address());
    source.start();
    TraceStore store;
    int headers = 0;
    {
        UniqueFd conn = server.accept();
        ASSERT_TRUE(conn.valid());
        ASSERT_TRUE(waitStatus(source, LiveStatus::Connected));
        ASSERT_TRUE(sendAll(conn.get(), joinLines(lines, 0, 37)));  // header + 36 events
        ASSERT_TRUE(drainUntil(
            source, store, [&] { return store.size() == 36; }, &headers));
        EXPECT_EQ(headers, 1);
        ASSERT_TRUE(store.hasHeader());
        EXPECT_EQ(store.topology().threads.size(), 8u);
        EXPECT_EQ(store[35].kind, EventKind::Close);
        EXPECT_EQ(store.errorCount(), 0u);
        EXPECT_EQ(source.linesReceived(), 37u);
        EXPECT_EQ(source.queued(), 0u);
    }  // the server closes the connection

    ASSERT_TRUE(waitStatus(source, LiveStatus::Retrying)) << liveStatusName(source.status());
    EXPECT_NE(source.lastError().find("closed"), std::string::npos) << source.lastError();

    // The reconnect: a new header, three events and a broken line (line 5 of this connection).
    UniqueFd conn = server.accept();
    ASSERT_TRUE(conn.valid());
    std::string text = joinLines(lines, 0, 4) + "{\"seq\":4,\"ts\":\n";
    ASSERT_TRUE(sendAll(conn.get(), text));
    ASSERT_TRUE(drainUntil(
        source, store, [&] { return headers == 2 && store.size() == 3 && store.errorCount() == 1; },
        &headers));
    EXPECT_EQ(store[0].seq, 1u);
    EXPECT_TRUE(store.hasHeader());
    ASSERT_EQ(store.errors().size(), 1u);
    EXPECT_EQ(store.errors()[0].text().rfind(server.address() + ":5: invalid JSON", 0), 0u)
        << store.errors()[0].text();
    EXPECT_EQ(source.status(), LiveStatus::Connected);
    source.stop();
    EXPECT_EQ(source.status(), LiveStatus::Stopped);
}

// Step-mode commands go up the same connection the events come down.
TEST(LiveSource, SendCommandReachesTheServerOnlyWhileConnected)
{
    TestServer server;
    SocketLiveSource source(server.address());
    EXPECT_FALSE(source.sendCommand("hold")) << "not connected yet";
    source.start();
    UniqueFd conn = server.accept();
    ASSERT_TRUE(conn.valid());
    ASSERT_TRUE(waitStatus(source, LiveStatus::Connected));
    EXPECT_TRUE(source.sendCommand("hold"));
    EXPECT_TRUE(source.sendCommand("step 3"));
    std::string got;
    auto until = Clock::now() + kDeadline;
    while (got.size() < 12 && Clock::now() < until)
    {
        pollfd p{conn.get(), POLLIN, 0};
        if (::poll(&p, 1, 100) != 1) continue;
        char buf[64];
        ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
    }
    EXPECT_EQ(got, "hold\nstep 3\n");
    conn.reset();  // the server goes away: commands fail until a reconnect
    ASSERT_TRUE(waitStatus(source, LiveStatus::Retrying));
    EXPECT_FALSE(source.sendCommand("step"));
    source.stop();
}

TEST(LiveSource, RefusedConnectRetriesAndStopIsPrompt)
{
    // A port with nothing listening: bound, never listened on, so nobody else takes it meanwhile.
    UniqueFd placeholder(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(placeholder.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(placeholder.get(), reinterpret_cast<sockaddr*>(&a), &len);

    SocketLiveSource source("127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
    source.start();
    ASSERT_TRUE(waitStatus(source, LiveStatus::Retrying));
    EXPECT_NE(source.lastError().find("Connection refused"), std::string::npos)
        << source.lastError();
    auto start = Clock::now();
    source.stop();
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(200));
    EXPECT_EQ(source.status(), LiveStatus::Stopped);
}

TEST(LiveSource, NewerMajorVersionHeaderIsRecordedAsAnError)
{
    std::vector<std::string> lines = articleLines();
    std::string header = lines[0];
    size_t at = header.find("\"version\":\"1.0\"");
    ASSERT_NE(at, std::string::npos);
    header.replace(at, 15, "\"version\":\"9.0\"");
    TestServer server;
    SocketLiveSource source(server.address());
    source.start();
    UniqueFd conn = server.accept();
    ASSERT_TRUE(conn.valid());
    ASSERT_TRUE(sendAll(conn.get(), header + "\n" + joinLines(lines, 1, 5)));
    TraceStore store;
    ASSERT_TRUE(drainUntil(source, store, [&] { return store.errorCount() == 1; }));
    EXPECT_NE(store.errors()[0].message.find("version 9.0 is newer"), std::string::npos);
    EXPECT_FALSE(store.hasHeader());
    ASSERT_TRUE(waitStatus(source, LiveStatus::Retrying));
    EXPECT_NE(source.lastError().find("header refused"), std::string::npos) << source.lastError();
    EXPECT_EQ(store.size(), 0u);  // nothing after a refused header is decoded
}

TEST(LiveSource, UnixSocketAddress)
{
    std::string path = ::testing::TempDir() + "rs_live_" + std::to_string(::getpid()) + ".sock";
    std::vector<std::string> lines = articleLines();
    {
        TestServer server(path);
        SocketLiveSource source(server.address());
        source.start();
        UniqueFd conn = server.accept();
        ASSERT_TRUE(conn.valid());
        ASSERT_TRUE(sendAll(conn.get(), joinLines(lines, 0, 11)));
        TraceStore store;
        ASSERT_TRUE(drainUntil(source, store, [&] { return store.size() == 10; }));
        EXPECT_TRUE(store.hasHeader());
    }
    ::unlink(path.c_str());
}

// 200,000 events as fast as the socket takes them: every one arrives, in order.
TEST(LiveSource, KeepsUpWith200kEventsPerSecond)
{
    constexpr uint64_t kEvents = 200000;
    std::vector<std::string> lines = articleLines();
    std::string text = lines[0] + "\n";
    text.reserve(kEvents * 230);
    for (uint64_t seq = 1; seq <= kEvents; ++seq)
        text += "{\"seq\":" + std::to_string(seq) + ",\"ts\":" + std::to_string(1000000 + seq * 5) +
                ",\"kind\":\"read\",\"fn\":\"swReactorThread_onRead\",\"actor\":{\"role\":"
                "\"reactor\",\"index\":0,\"pid\":10865,\"tid\":10870},\"session\":" +
                std::to_string(seq % 100 + 1) +
                ",\"fd\":30,\"reactor\":0,\"flow\":" + std::to_string(1099511627776 + seq) +
                ",\"args\":{\"bytes\":12,\"buffered_total\":0},\"payload\":\"hello world\\\\n\"}\n";

    TestServer server;
    SocketLiveSource source(server.address());
    source.start();
    UniqueFd conn = server.accept();
    ASSERT_TRUE(conn.valid());
    auto start = Clock::now();
    std::thread writer([&] { sendAll(conn.get(), text); });
    TraceStore store;
    // The GUI's pattern: one drain per frame with a budget (here 60k lines every 2 ms at most).
    bool done = false;
    auto until = start + kDeadline;
    while (!done && Clock::now() < until)
    {
        bool headerSeen = false;
        source.drain(store, 60000, headerSeen);
        done = store.size() == kEvents;
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    writer.join();
    ASSERT_EQ(store.size(), kEvents);
    EXPECT_EQ(store.errorCount(), 0u);
    EXPECT_EQ(store.events().back().seq, kEvents);
    EXPECT_EQ(store.payload(store[0]), "hello world\\\\n");
    std::printf("[   INFO   ] %llu events in %.3f s: %.0f events/s\n",
                static_cast<unsigned long long>(kEvents), seconds, kEvents / seconds);
    // 200k events in at most 1 s is the target; twice that here so a loaded machine running the
    // suite in parallel does not fail it (the figure above is what to compare). Only optimised,
    // uninstrumented builds are timed.
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    EXPECT_LT(seconds, 2.0) << "cannot keep up with 200,000 events/s";
#endif
}

}  // namespace
}  // namespace rscope::viewer
