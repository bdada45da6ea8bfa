// The article's client, with a deadline on every step so it never hangs. stdout carries exactly
// what the article's PHP client prints; the reasons of failures go to stderr.
#include "engine/client/article_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/unique_fd.h"
#include "engine/format/step_hold_probe.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{

namespace
{
// A server that keeps the connection open after replying (echo) gets this long to send more.
constexpr int64_t kAfterReplyMs = 300;

int remainingMs(int64_t deadlineMs)
{
    int64_t left = deadlineMs - base::monotonicMs();
    return left > 0 ? static_cast<int>(left) : 0;
}

// How long a server's trace socket is asked about its gate before the client takes it as not held.
constexpr int kProbeTimeoutMs = 1000;

// The client's deadline. Without a trace socket it is fixed; with one, a deadline that comes
// while a step client holds the server moves on by the whole timeout (held time is the
// learner's, not the server's).
class Deadline
{
  public:
    Deadline(int timeoutMs, const std::string& traceFrom)
        : timeoutMs_(timeoutMs), atMs_(base::monotonicMs() + timeoutMs)
    {
        auto colon = traceFrom.rfind(':');
        if (colon == std::string::npos) return;
        int port = std::atoi(traceFrom.c_str() + colon + 1);
        hasTrace_ =
            port > 0 && port < 65536 &&
            reactor::makeAddress(traceFrom.substr(0, colon), static_cast<uint16_t>(port), &trace_);
    }
    int64_t atMs() const { return atMs_; }
    // Called when a wait reached the deadline: true (deadline moved) while the server is held.
    bool extendIfHeld()
    {
        if (!hasTrace_ || !tracefile::traceSaysHeld(trace_, kProbeTimeoutMs)) return false;
        atMs_ = base::monotonicMs() + timeoutMs_;
        return true;
    }

  private:
    int timeoutMs_;
    int64_t atMs_;
    bool hasTrace_ = false;
    sockaddr_in trace_{};
};

// poll() one fd until the deadline, or for a quiet window of quietMs (0 = none), whichever ends
// first; true when `events` (or an error/hangup) is reported. Either running out while the server
// is held starts over: the held server cannot answer until the learner steps it.
bool waitFor(int fd, short events, Deadline& deadline, int64_t quietMs = 0)
{
    int64_t quietEnd = quietMs > 0 ? base::monotonicMs() + quietMs : INT64_MAX;
    for (;;)
    {
        int64_t end = std::min(deadline.atMs(), quietEnd);
        pollfd pfd{fd, events, 0};
        int n = ::poll(&pfd, 1, remainingMs(end));
        if (n > 0) return true;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (base::monotonicMs() < end) continue;  // woke early: wait the rest
        if (!deadline.extendIfHeld()) return false;
        if (quietMs > 0) quietEnd = base::monotonicMs() + quietMs;
    }
}

// PHP: echo "Received: ".$data."\n";
void printReply(const std::string& reply)
{
    std::fputs("Received: ", stdout);
    std::fwrite(reply.data(), 1, reply.size(), stdout);
    std::fputc('\n', stdout);
}

// The article's other words: var_dump($client->connect(...)) and the error / close callbacks.
void printConnectStarted(bool started)
{
    std::fputs(started ? "bool(true)\n" : "bool(false)\n", stdout);
    std::fflush(stdout);
}
void printConnectFailed()
{
    std::fputs("Connect failed\n", stdout);
    std::fflush(stdout);
}
void printClosed()
{
    std::fputs("Connection close\n", stdout);
    std::fflush(stdout);
}
}  // namespace

int runArticleClient(const std::string& host, uint16_t port, const std::string& message,
                     int timeoutMs, const std::string& traceFrom)
{
    Deadline deadline(timeoutMs, traceFrom);
    sockaddr_in addr;
    if (!reactor::makeAddress(host, port, &addr))
    {
        std::fprintf(stderr, "client: not an IPv4 address: %s\n", host.c_str());
        return 1;
    }
    std::string target = reactor::addressText(addr);
    int fd = reactor::connectTcp(addr, true);
    // An asynchronous connect returns true once started; the outcome comes in a callback.
    printConnectStarted(fd >= 0);
    if (fd < 0)
    {
        std::fprintf(stderr, "client: connect(%s): %s\n", target.c_str(),
                     base::errnoText(fd).c_str());
        return 1;
    }
    base::UniqueFd sock(fd);
    int err = 0;
    socklen_t len = sizeof err;
    if (!waitFor(fd, POLLOUT, deadline))
    {
        std::fprintf(stderr, "client: connect(%s): no answer within %d ms\n", target.c_str(),
                     timeoutMs);
        printConnectFailed();
        return 1;
    }
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0)
    {
        std::fprintf(stderr, "client: connect(%s): %s\n", target.c_str(),
                     base::errnoText(err).c_str());
        printConnectFailed();
        return 1;
    }
    reactor::setNoDelay(fd);

    for (size_t sent = 0; sent < message.size();)
    {
        if (!waitFor(fd, POLLOUT, deadline))
        {
            std::fprintf(stderr, "client: send(%s): timed out after %zu of %zu bytes\n",
                         target.c_str(), sent, message.size());
            printClosed();
            return 1;
        }
        ssize_t n = reactor::writeSome(fd, message.data() + sent, message.size() - sent);
        if (n < 0 && n != -EAGAIN)
        {
            std::fprintf(stderr, "client: send(%s): %s\n", target.c_str(),
                         base::errnoText(static_cast<int>(n)).c_str());
            printClosed();
            return 1;
        }
        if (n > 0) sent += static_cast<size_t>(n);
    }

    // Read until the server closes; once a reply is in, a silent open connection also ends it.
    // end: 0 = closed by the server, -EAGAIN = still open when the wait ended, else -errno.
    std::string reply;
    ssize_t end = -EAGAIN;
    char buf[65536];
    for (;;)
    {
        if (!waitFor(fd, POLLIN, deadline, reply.empty() ? 0 : kAfterReplyMs)) break;
        ssize_t n = reactor::readSome(fd, buf, sizeof buf);
        if (n == -EAGAIN) continue;
        if (n <= 0)
        {
            end = n;
            break;
        }
        reply.append(buf, static_cast<size_t>(n));
    }
    if (reply.empty() && end != 0)
    {
        std::fprintf(stderr, "client: recv(%s): %s\n", target.c_str(),
                     end == -EAGAIN ? fmt::format("no reply within {} ms", timeoutMs).c_str()
                                    : base::errnoText(static_cast<int>(end)).c_str());
        printClosed();
        return 1;
    }
    if (!reply.empty()) printReply(reply);
    int status = reply.empty() ? 1 : 0;
    if (end == -EAGAIN)
        std::fprintf(stderr, "client: %s kept the connection open after the reply; closing it\n",
                     target.c_str());
    else if (end != 0)
    {
        std::fprintf(stderr, "client: recv(%s): %s\n", target.c_str(),
                     base::errnoText(static_cast<int>(end)).c_str());
        status = 1;
    }
    // onClose runs however the connection ended (the server closed it, or we did).
    printClosed();
    return status;
}

}  // namespace rscope::client
