// Load generator: one epoll loop per thread; each connection has one request in flight.
#include "engine/client/load_client.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/unique_fd.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{

namespace
{
constexpr char kArticlePrefix[] = "From TcpServer: ";
constexpr int64_t kDrainGraceNs = 2'000'000'000;
constexpr int64_t kReconnectDelayNs = 10'000'000;

enum class ConnState
{
    Idle,        // no socket: waiting for its (re)connect time
    Connecting,  // nonblocking connect in progress
    Ready,       // connected, no request in flight
    Waiting,     // request sent, reply not complete
    AwaitClose,  // article mode: reply complete, waiting for the server's close
};

struct Conn
{
    int index = 0;
    base::UniqueFd fd;
    ConnState state = ConnState::Idle;
    uint64_t seq = 0;
    std::string request;
    std::string expected;
    std::vector<char> received;
    size_t got = 0;
    int64_t sentNs = 0;
    int64_t retryAtNs = 0;
};

// Requests allowed to start so far, shared by the threads of one run.
struct Budget
{
    std::atomic<uint64_t> started{0};
};

class LoadThread
{
  public:
    LoadThread(const LoadOptions& options, int firstIndex, int count, Budget* budget,
               int64_t startNs, int64_t endNs)
        : options_(options),
          budget_(budget),
          startNs_(startNs),
          endNs_(endNs),
          epoll_(::epoll_create1(EPOLL_CLOEXEC))
    {
        reactor::makeAddress(options.host, options.port, &addr_);
        conns_.resize(static_cast<size_t>(count));
        for (int i = 0; i < count; ++i)
        {
            conns_[i].index = firstIndex + i;
            conns_[i].received.resize(options.size + sizeof kArticlePrefix + 1);
        }
    }

    void run()
    {
        for (auto& c : conns_) openConnection(c);
        epoll_event events[256];
        for (;;)
        {
            int64_t now = base::monotonicNs();
            if (stopping(now) && inFlight() == 0) break;
            if (now > endNs_ + kDrainGraceNs)
            {
                summary_.errors += inFlight();  // never answered
                if (summary_.firstError.empty() && inFlight() > 0)
                    summary_.firstError = "requests still unanswered at the deadline";
                break;
            }
            bool paced = options_.rate > 0;
            int timeoutMs = paced || pendingRetries_ > 0 ? 1 : 50;
            int n = ::epoll_wait(epoll_.get(), events, 256, timeoutMs);
            for (int i = 0; i < n; ++i)
            {
                Conn& c = conns_[events[i].data.u32];
                if (c.state == ConnState::Connecting)
                    onConnected(c);
                else
                    onReadable(c);
            }
            now = base::monotonicNs();
            for (auto& c : conns_)
            {
                if (c.state == ConnState::Idle && c.retryAtNs <= now && !stopping(now))
                    openConnection(c);
                else if (c.state == ConnState::Ready)
                    trySend(c, now);
            }
        }
        for (auto& c : conns_) c.fd.reset();
    }

    LoadSummary& summary() { return summary_; }

  private:
    bool stopping(int64_t now) const
    {
        if (options_.requests > 0) return budget_->started.load() >= options_.requests;
        return now >= endNs_;
    }

    uint64_t inFlight() const
    {
        uint64_t n = 0;
        for (auto& c : conns_)
            n += c.state == ConnState::Waiting || c.state == ConnState::AwaitClose;
        return n;
    }

    bool reserveRequest(int64_t now)
    {
        if (stopping(now)) return false;
        uint64_t limit = options_.requests > 0 ? options_.requests : UINT64_MAX;
        if (options_.rate > 0)
        {
            double elapsedS = static_cast<double>(now - startNs_) / 1e9;
            limit = std::min<uint64_t>(limit, static_cast<uint64_t>(options_.rate * elapsedS) + 1);
        }
        uint64_t cur = budget_->started.load(std::memory_order_relaxed);
        while (cur < limit)
            if (budget_->started.compare_exchange_weak(cur, cur + 1)) return true;
        return false;
    }

    void fail(Conn& c, const std::string& why)
    {
        ++summary_.errors;
        if (summary_.firstError.empty()) summary_.firstError = why;
        dropConnection(c, kReconnectDelayNs);
    }

    void dropConnection(Conn& c, int64_t delayNs)
    {
        c.fd.reset();
        c.state = ConnState::Idle;
        c.retryAtNs = base::monotonicNs() + delayNs;
        if (delayNs > 0) ++pendingRetries_;
    }

    void openConnection(Conn& c)
    {
        if (c.retryAtNs > 0 && pendingRetries_ > 0) --pendingRetries_;
        c.retryAtNs = 0;
        int fd = reactor::connectTcp(addr_, true);
        if (fd < 0)
        {
            fail(c, fmt::format("connect: {}", std::strerror(-fd)));
            return;
        }
        c.fd.reset(fd);
        reactor::setNoDelay(fd);
        c.state = ConnState::Connecting;
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
    }

    void onConnected(Conn& c)
    {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0)
        {
            fail(c, fmt::format("connect: {}", std::strerror(err)));
            return;
        }
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
        c.state = ConnState::Ready;
        trySend(c, base::monotonicNs());
    }

    void trySend(Conn& c, int64_t now)
    {
        if (!reserveRequest(now)) return;
        fillPayload(&c.request, c.index, c.seq++, options_.size);
        if (options_.articleReply)
        {
            c.expected.assign(kArticlePrefix);
            c.expected.append(c.request);
        }
        else
            c.expected = c.request;
        c.got = 0;
        c.sentNs = now;
        c.state = ConnState::Waiting;
        ssize_t n = reactor::writeSome(c.fd.get(), c.request.data(), c.request.size());
        if (n != static_cast<ssize_t>(c.request.size()))
            fail(c, n < 0 ? fmt::format("send: {}", std::strerror(static_cast<int>(-n)))
                          : std::string("send: short write"));
    }

    void onReadable(Conn& c)
    {
        if (c.state == ConnState::AwaitClose)
        {
            char byte;
            ssize_t n = reactor::readSome(c.fd.get(), &byte, 1);
            if (n == -EAGAIN) return;
            if (n != 0)
            {
                fail(c, "bytes after the reply (expected the server to close)");
                return;
            }
            complete(c);
            return;
        }
        if (c.state != ConnState::Waiting)
        {
            fail(c, "unexpected data or close from the server");
            return;
        }
        size_t room = c.received.size() - c.got;
        ssize_t n = reactor::readSome(c.fd.get(), c.received.data() + c.got, room);
        if (n == -EAGAIN) return;
        if (n <= 0)
        {
            fail(c, n == 0 ? "server closed before the reply was complete"
                           : fmt::format("recv: {}", std::strerror(static_cast<int>(-n))));
            return;
        }
        c.got += static_cast<size_t>(n);
        if (c.got > c.expected.size())
        {
            fail(c, "reply longer than expected");
            return;
        }
        if (c.got < c.expected.size()) return;
        if (std::memcmp(c.received.data(), c.expected.data(), c.got) != 0)
        {
            fail(c, "reply differs from the expected bytes");
            return;
        }
        if (options_.articleReply)
        {
            c.state = ConnState::AwaitClose;
            return;
        }
        complete(c);
    }

    void complete(Conn& c)
    {
        summary_.latency.record(static_cast<uint64_t>(base::monotonicNs() - c.sentNs));
        ++summary_.requests;
        if (options_.connectPerRequest || options_.articleReply)
        {
            dropConnection(c, 0);
            if (!stopping(base::monotonicNs())) openConnection(c);
            return;
        }
        c.state = ConnState::Ready;
        trySend(c, base::monotonicNs());
    }

    const LoadOptions& options_;
    Budget* budget_;
    int64_t startNs_;
    int64_t endNs_;
    base::UniqueFd epoll_;
    sockaddr_in addr_{};
    std::vector<Conn> conns_;
    int pendingRetries_ = 0;
    LoadSummary summary_;
};
}  // namespace

void fillPayload(std::string* out, int conn, uint64_t seq, size_t size)
{
    out->resize(size);
    char head[48];
    auto r = fmt::format_to_n(head, sizeof head, "c{}r{}:", conn, seq);
    size_t n = std::min(r.size, size);
    std::memcpy(out->data(), head, n);
    uint64_t x = (static_cast<uint64_t>(conn) << 32) ^ seq ^ 0x9e3779b97f4a7c15ULL;
    for (size_t i = n; i < size; ++i)
    {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (*out)[i] = static_cast<char>('a' + x % 26);
    }
    // A trailing newline keeps the payload one line for EOF-framed servers.
    if (size > n) (*out)[size - 1] = '\n';
}

LoadSummary runLoad(const LoadOptions& options)
{
    int threads = std::max(1, std::min(options.threads, options.connections));
    Budget budget;
    int64_t start = base::monotonicNs();
    int64_t end = options.durationS > 0
                      ? start + static_cast<int64_t>(options.durationS * 1e9)
                      : start + 600'000'000'000LL;  // requests mode: a generous bound
    std::vector<std::unique_ptr<LoadThread>> loops;
    int first = 0;
    for (int t = 0; t < threads; ++t)
    {
        int count = options.connections / threads + (t < options.connections % threads);
        loops.push_back(std::make_unique<LoadThread>(options, first, count, &budget, start, end));
        first += count;
    }
    std::vector<std::thread> running;
    for (auto& loop : loops) running.emplace_back([&loop] { loop->run(); });
    for (auto& t : running) t.join();
    LoadSummary total;
    total.durationS = static_cast<double>(base::monotonicNs() - start) / 1e9;
    for (auto& loop : loops)
    {
        LoadSummary& s = loop->summary();
        total.requests += s.requests;
        total.errors += s.errors;
        total.latency.merge(s.latency);
        if (total.firstError.empty()) total.firstError = s.firstError;
    }
    // Throughput over the measured window (duration mode: the requested duration).
    double window =
        options.durationS > 0 ? std::min(total.durationS, options.durationS) : total.durationS;
    total.requestsPerSec = window > 0 ? static_cast<double>(total.requests) / window : 0;
    return total;
}

}  // namespace rscope::client
