// runLoad against an in-test epoll server on 127.0.0.1:0: exact totals when the server behaves,
// errors counted when it corrupts, crosses, duplicates, withholds or refuses; every run bounded.
#include "engine/client/load_client.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>

#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "engine/base/unique_fd.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{
namespace
{

enum class Behaviour
{
    Echo,       // reply = request
    Article,    // reply = "From TcpServer Swoole: " + request, then close
    Corrupt,    // like Echo, but one byte of request kFaultAt's reply is flipped
    Stale,      // like Echo, but request kFaultAt gets the previous request's bytes
    Duplicate,  // like Echo, but request kFaultAt is answered twice
    Silent,     // reads and never replies
};

constexpr int kFaultAt = 50;

// A one-thread epoll server that cuts the stream into requests of requestBytes and answers each
// as `behaviour` says. Owner: the test; the destructor stops and joins the thread.
class TestServer
{
  public:
    TestServer(Behaviour behaviour, size_t requestBytes)
        : behaviour_(behaviour), requestBytes_(requestBytes)
    {
        const char* what = nullptr;
        int fd = reactor::bindTcp("127.0.0.1", 0, false, &what);
        EXPECT_GE(fd, 0) << what;
        listen_.reset(fd);
        EXPECT_EQ(reactor::listenFd(fd, 1024), 0);
        port_ = reactor::localPort(fd);
        epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
        watch(fd, EPOLLIN);
        thread_ = std::thread([this] { loop(); });
    }

    ~TestServer()
    {
        stop_ = true;
        thread_.join();
        for (auto& [fd, peer] : peers_) ::close(fd);
    }

    uint16_t port() const { return port_; }
    int accepted() const { return accepted_.load(); }
    int answered() const { return answered_.load(); }

  private:
    struct Peer
    {
        std::string in;
        std::string out;
        bool closeWhenFlushed = false;
    };

    void watch(int fd, uint32_t events, int op = EPOLL_CTL_ADD)
    {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(epoll_.get(), op, fd, &ev);
    }

    void loop()
    {
        epoll_event events[64];
        while (!stop_)
        {
            int n = ::epoll_wait(epoll_.get(), events, 64, 10);
            for (int i = 0; i < n; ++i)
            {
                int fd = events[i].data.fd;
                if (fd == listen_.get())
                    acceptAll();
                else if (events[i].events & EPOLLOUT)
                    flush(fd);
                else
                    readFrom(fd);
            }
        }
    }

    void acceptAll()
    {
        for (;;)
        {
            sockaddr_in peer;
            int fd = reactor::acceptConnection(listen_.get(), &peer);
            if (fd < 0) return;
            ++accepted_;
            peers_[fd] = Peer{};
            watch(fd, EPOLLIN);
        }
    }

    void readFrom(int fd)
    {
        char buf[65536];
        ssize_t n = reactor::readSome(fd, buf, sizeof buf);
        if (n == -EAGAIN) return;
        if (n <= 0)
        {
            drop(fd);
            return;
        }
        Peer& p = peers_[fd];
        if (behaviour_ == Behaviour::Silent) return;
        p.in.append(buf, static_cast<size_t>(n));
        while (p.in.size() >= requestBytes_)
        {
            std::string request = p.in.substr(0, requestBytes_);
            p.in.erase(0, requestBytes_);
            answer(p, request);
        }
        flush(fd);
    }

    void answer(Peer& p, const std::string& request)
    {
        int index = answered_++;
        std::string reply = request;
        if (behaviour_ == Behaviour::Article)
        {
            reply = "From TcpServer Swoole: " + request;
            p.closeWhenFlushed = true;
        }
        if (index == kFaultAt && behaviour_ == Behaviour::Corrupt) reply[requestBytes_ / 2] ^= 1;
        if (index == kFaultAt && behaviour_ == Behaviour::Stale) reply = previous_;
        if (index == kFaultAt && behaviour_ == Behaviour::Duplicate) reply += request;
        previous_ = request;
        p.out += reply;
    }

    void flush(int fd)
    {
        Peer& p = peers_[fd];
        while (!p.out.empty())
        {
            ssize_t n = reactor::writeSome(fd, p.out.data(), p.out.size());
            if (n == -EAGAIN) break;
            if (n <= 0)
            {
                drop(fd);
                return;
            }
            p.out.erase(0, static_cast<size_t>(n));
        }
        if (p.out.empty() && p.closeWhenFlushed)
        {
            drop(fd);
            return;
        }
        watch(fd, p.out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
    }

    void drop(int fd)
    {
        peers_.erase(fd);
        ::close(fd);
    }

    const Behaviour behaviour_;
    const size_t requestBytes_;
    base::UniqueFd listen_;
    base::UniqueFd epoll_;
    uint16_t port_ = 0;
    std::unordered_map<int, Peer> peers_;  // server thread only
    std::string previous_;                 // server thread only
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::atomic<int> answered_{0};
    std::thread thread_;
};

LoadOptions requestsRun(uint16_t port, uint64_t requests, int connections)
{
    LoadOptions o;
    o.port = port;
    o.requests = requests;
    o.connections = connections;
    o.deadlineS = 30;  // a safety net far above what any test needs
    return o;
}

double secondsSince(int64_t startNs)
{
    return static_cast<double>(base::monotonicNs() - startNs) / 1e9;
}

TEST(LoadClientTest, EchoServerAnswersEveryRequestWithoutErrors)
{
    TestServer server(Behaviour::Echo, 64);
    LoadSummary s = runLoad(requestsRun(server.port(), 300, 4));
    EXPECT_EQ(s.requests, 300u);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
    EXPECT_EQ(s.latency.count(), 300u);
    EXPECT_GT(s.requestsPerSec, 0);
    EXPECT_EQ(server.accepted(), 4);
    EXPECT_EQ(server.answered(), 300);
}

TEST(LoadClientTest, ThreadsSplitConnectionsAndMergeTotals)
{
    TestServer server(Behaviour::Echo, 100);
    LoadOptions o = requestsRun(server.port(), 301, 5);
    o.size = 100;
    o.threads = 2;
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 301u);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
    EXPECT_EQ(s.latency.count(), 301u);
    EXPECT_EQ(server.accepted(), 5);
}

TEST(LoadClientTest, CorruptedByteIsCountedAndTheClientReconnects)
{
    TestServer server(Behaviour::Corrupt, 64);
    LoadSummary s = runLoad(requestsRun(server.port(), 300, 1));
    EXPECT_EQ(s.errors, 1u);
    EXPECT_EQ(s.requests, 299u);
    EXPECT_EQ(server.accepted(), 2);  // the one connection failed, reconnected and went on
    EXPECT_NE(s.firstError.find("differs"), std::string::npos) << s.firstError;
}

TEST(LoadClientTest, ReplyCrossedBetweenRequestsIsAnError)
{
    TestServer server(Behaviour::Stale, 64);
    LoadSummary s = runLoad(requestsRun(server.port(), 300, 4));
    EXPECT_EQ(s.errors, 1u);
    EXPECT_EQ(s.requests, 299u);
}

TEST(LoadClientTest, ExtraReplyBytesAreAnError)
{
    TestServer server(Behaviour::Duplicate, 64);
    LoadSummary s = runLoad(requestsRun(server.port(), 300, 4));
    EXPECT_GE(s.errors, 1u);
    EXPECT_EQ(s.requests + s.errors, 300u);
}

TEST(LoadClientTest, ConnectPerRequestOpensOneConnectionPerRequest)
{
    TestServer server(Behaviour::Echo, 64);
    LoadOptions o = requestsRun(server.port(), 300, 5);
    o.connectPerRequest = true;
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 300u);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
    EXPECT_EQ(server.accepted(), 300);
}

TEST(LoadClientTest, ArticleReplyModeExpectsPrefixAndClose)
{
    TestServer server(Behaviour::Article, 64);
    LoadOptions o = requestsRun(server.port(), 300, 5);
    o.articleReply = true;
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 300u);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
    EXPECT_EQ(server.accepted(), 300);
}

TEST(LoadClientTest, EchoReplyInArticleModeIsAnError)
{
    TestServer server(Behaviour::Echo, 64);
    LoadOptions o = requestsRun(server.port(), 20, 4);
    o.articleReply = true;
    o.requestTimeoutMs = 2000;
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 0u);
    EXPECT_EQ(s.errors, 20u);
}

TEST(LoadClientTest, LargeRequestsSurvivePartialWrites)
{
    constexpr size_t kBytes = 4 * 1024 * 1024;
    TestServer server(Behaviour::Echo, kBytes);
    LoadOptions o = requestsRun(server.port(), 6, 2);
    o.size = kBytes;
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 6u);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
}

TEST(LoadClientTest, DurationRunIsPacedByRate)
{
    TestServer server(Behaviour::Echo, 64);
    LoadOptions o;
    o.port = server.port();
    o.connections = 4;
    o.durationS = 1.0;
    o.rate = 200;
    int64_t start = base::monotonicNs();
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.errors, 0u) << s.firstError;
    EXPECT_LE(s.requests, 201u);  // R * elapsed + 1, never more
    EXPECT_GE(s.requests, 100u);  // generous: the machine may be busy
    EXPECT_LT(secondsSince(start), 1.0 + 2.5);
}

TEST(LoadClientTest, RefusedConnectionsAreBoundedErrors)
{
    // A bound socket that never listens: every connect to it is refused.
    const char* what = nullptr;
    base::UniqueFd closed(reactor::bindTcp("127.0.0.1", 0, false, &what));
    ASSERT_TRUE(closed.valid()) << what;
    int64_t start = base::monotonicNs();
    LoadSummary s = runLoad(requestsRun(reactor::localPort(closed.get()), 50, 5));
    EXPECT_EQ(s.requests, 0u);
    EXPECT_GT(s.errors, 0u);
    EXPECT_NE(s.firstError.find("refused"), std::string::npos) << s.firstError;
    EXPECT_LT(secondsSince(start), 5.0);
}

TEST(LoadClientTest, SilentServerTimesOutInsteadOfHanging)
{
    TestServer server(Behaviour::Silent, 64);
    LoadOptions o = requestsRun(server.port(), 10, 2);
    o.requestTimeoutMs = 200;
    int64_t start = base::monotonicNs();
    LoadSummary s = runLoad(o);
    EXPECT_EQ(s.requests, 0u);
    EXPECT_GE(s.errors, 2u);
    EXPECT_LT(secondsSince(start), 5.0);
}

TEST(LoadClientTest, PayloadsDifferPerConnectionAndRequest)
{
    char a[64];
    char b[64];
    char c[64];
    fillPayload(a, sizeof a, 1, 7);
    fillPayload(b, sizeof b, 2, 7);
    fillPayload(c, sizeof c, 1, 8);
    EXPECT_NE(std::memcmp(a, b, sizeof a), 0);
    EXPECT_NE(std::memcmp(a, c, sizeof a), 0);
    EXPECT_EQ(a[63], '\n');
    EXPECT_EQ(std::memchr(a, '\n', 63), nullptr);
    char again[64];
    fillPayload(again, sizeof again, 1, 7);
    EXPECT_EQ(std::memcmp(a, again, sizeof a), 0);
}

}  // namespace
}  // namespace rscope::client
