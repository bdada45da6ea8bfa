// LoadThread: connections as a small state machine on one level-triggered epoll loop; one send()
// and usually one recv() per request, buffers allocated before the first request.
#include "engine/client/load_thread.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/client/load_client.h"
#include "engine/protocol/article_words.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{

namespace
{
constexpr std::string_view kArticlePrefix = protocol::kArticleReplyPrefix;
constexpr int kMaxEvents = 256;
constexpr size_t kScratchBytes = 64 * 1024;
constexpr int64_t kMsNs = 1'000'000;
constexpr int64_t kFirstBackoffNs = 10 * kMsNs;  // doubles per failure up to kMaxBackoffNs
constexpr int64_t kMaxBackoffNs = 100 * kMsNs;
constexpr int64_t kSweepIntervalNs = 50 * kMsNs;  // how often request timeouts are checked
constexpr int64_t kFirstStallNs = 1'000 * kMsNs;  // give up sooner when nothing ever succeeded
constexpr uint32_t kRead = EPOLLIN;
constexpr uint32_t kReadWrite = EPOLLIN | EPOLLOUT;

}  // namespace

// One client connection (or, when connecting per request, one concurrency slot).
struct LoadThread::Conn
{
    // Inside Conn, not in the anonymous namespace: Conn has linkage, so a member of a type
    // with none is an error (-Wsubobject-linkage) once a unity batch includes this file.
    enum class State
    {
        Idle,  // no socket: waiting to (re)connect, or a free slot when connecting per request
        Connecting,  // nonblocking connect in progress (with a request to send if hasRequest)
        Ready,       // connected, nothing in flight
        Waiting,     // request (partly) sent, reply not complete
        AwaitClose,  // article reply verified; the request ends when the server closes
    };

    int index = 0;  // global across threads: it goes into every payload
    uint32_t slot = 0;
    uint32_t generation = 0;  // bumped per socket: events of a closed socket are stale
    base::UniqueFd fd;
    State state = Conn::State::Idle;
    uint32_t events = 0;  // the epoll interest currently registered
    bool hasRequest = false;
    bool isFree = false;  // listed in free_
    uint64_t seq = 0;
    std::unique_ptr<char[]> request;
    size_t sent = 0;
    size_t got = 0;
    int64_t sinceNs = 0;  // request start (or connect start when no request is in flight)
    int64_t retryAtNs = 0;
    int64_t backoffNs = 0;
};

LoadThread::LoadThread(const LoadOptions& options, const ThreadPlan& plan)
    : plan_(plan),
      options_(options),
      size_(options.size),
      prefixLen_(options.articleReply ? kArticlePrefix.size() : 0),
      perRequest_(options.connectPerRequest || options.articleReply),
      requestTimeoutNs_(static_cast<int64_t>(std::max(1, options.requestTimeoutMs)) * kMsNs),
      conns_(static_cast<size_t>(plan.count)),
      scratch_(kScratchBytes)
{
    for (int i = 0; i < plan.count; ++i)
    {
        conns_[i].index = plan.firstIndex + i;
        conns_[i].slot = static_cast<uint32_t>(i);
        conns_[i].request = std::make_unique<char[]>(size_);
    }
    free_.reserve(conns_.size());
}

LoadThread::~LoadThread() = default;

void LoadThread::run()
{
    try
    {
        loop();
    }
    catch (const std::exception& e)
    {
        noteError(fmt::format("load thread: {}", e.what()));
    }
    for (auto& c : conns_) c.fd.reset();
}

bool LoadThread::done(int64_t now) const
{
    return now >= plan_.endNs || (plan_.quota > 0 && started_ >= plan_.quota);
}

void LoadThread::loop()
{
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_.valid())
    {
        noteError(fmt::format("epoll_create1: {}", base::errnoText(errno)));
        return;
    }
    int64_t now = base::monotonicNs();
    lastProgressNs_ = now;
    for (auto& c : conns_)
    {
        if (perRequest_)
            offerNext(c, now);
        else
            openSocket(c, now);
    }
    epoll_event events[kMaxEvents];
    int64_t nextSweepNs = now + kSweepIntervalNs;
    for (;;)
    {
        now = base::monotonicNs();
        if (done(now) && inFlight_ == 0) break;
        // A `requests` run has no end time: it also stops when only failures happen for a
        // request timeout (one second while nothing has ever succeeded).
        int64_t stallNs =
            result_.requests > 0 ? requestTimeoutNs_ : std::min(requestTimeoutNs_, kFirstStallNs);
        bool stalled =
            plan_.endNs == INT64_MAX && result_.errors > 0 && now - lastProgressNs_ > stallNs;
        if (now >= plan_.deadlineNs || stalled)
        {
            if (inFlight_ > 0)
            {
                result_.errors += inFlight_;
                noteReason(fmt::format("{} requests unanswered at the deadline", inFlight_));
            }
            if (stalled)
                noteReason(fmt::format("only errors for {} ms; giving up", stallNs / kMsNs));
            break;
        }
        // Paced runs wake every millisecond to start requests on time; others only on events.
        int timeoutMs = paced() ? 1 : retrying_ > 0 ? 5 : 50;
        int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, timeoutMs);
        if (n < 0 && errno != EINTR)
        {
            noteError(fmt::format("epoll_wait: {}", base::errnoText(errno)));
            break;
        }
        for (int i = 0; i < n; ++i) dispatch(events[i]);
        now = base::monotonicNs();
        if (paced()) startPaced(now);
        if (retrying_ > 0 && now >= nextRetryNs_) retryDue(now);
        if (now >= nextSweepNs)
        {
            sweepTimeouts(now);
            nextSweepNs = now + kSweepIntervalNs;
        }
    }
}

void LoadThread::dispatch(const epoll_event& ev)
{
    Conn& c = conns_[static_cast<uint32_t>(ev.data.u64)];
    if (static_cast<uint32_t>(ev.data.u64 >> 32) != c.generation || !c.fd.valid()) return;
    int64_t now = base::monotonicNs();
    if (c.state == Conn::State::Connecting)
    {
        onConnectDone(c, now);
        return;
    }
    if ((ev.events & EPOLLOUT) && c.state == Conn::State::Waiting && c.sent < size_)
    {
        sendMore(c, now);
        if (!c.fd.valid()) return;
    }
    if (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) onReadable(c, now);
}

// Requests start here: reserve the slot, build the payload, send (connecting first if needed).
void LoadThread::startRequest(Conn& c, int64_t now)
{
    ++started_;
    ++inFlight_;
    c.hasRequest = true;
    c.sinceNs = now;
    fillPayload(c.request.get(), size_, c.index, c.seq++);
    frameRequest(c.request.get(), size_, options_);
    c.sent = 0;
    c.got = 0;
    if (perRequest_)
    {
        openSocket(c, now);
        return;
    }
    c.state = Conn::State::Waiting;
    sendMore(c, now);
}

// A connection that just became free: start its next request now, park it for the pacer,
// or leave it alone once the run is done.
void LoadThread::offerNext(Conn& c, int64_t now)
{
    if (done(now)) return;
    if (!paced())
    {
        startRequest(c, now);
        return;
    }
    if (!c.isFree)
    {
        c.isFree = true;
        free_.push_back(c.slot);
    }
}

// Starts as many requests as R * elapsed allows, on connections that are free.
void LoadThread::startPaced(int64_t now)
{
    double due = std::floor(plan_.rate * static_cast<double>(now - plan_.startNs) / 1e9) + 1;
    while (!free_.empty() && static_cast<double>(started_) < due && !done(now))
    {
        Conn& c = conns_[free_.back()];
        free_.pop_back();
        c.isFree = false;
        bool startable = perRequest_ ? c.state == Conn::State::Idle && c.retryAtNs == 0
                                     : c.state == Conn::State::Ready;
        if (startable) startRequest(c, now);
    }
}

void LoadThread::openSocket(Conn& c, int64_t now)
{
    int fd = reactor::connectTcp(plan_.addr, true);
    if (fd < 0)
    {
        fail(c, fmt::format("connect: {}", base::errnoText(-fd)), now);
        return;
    }
    c.fd.reset(fd);
    ++c.generation;
    reactor::setNoDelay(fd);
    if (!c.hasRequest) c.sinceNs = now;
    c.state = Conn::State::Connecting;
    c.events = 0;
    // Over loopback the handshake has usually finished by now: send at once and skip the
    // EPOLLOUT round (EAGAIN means the connect is still in progress).
    if (c.hasRequest)
    {
        ssize_t n = reactor::writeSome(fd, c.request.get(), size_);
        if (n > 0)
        {
            c.sent = static_cast<size_t>(n);
            c.state = Conn::State::Waiting;
            setInterest(c, c.sent < size_ ? kReadWrite : kRead, now);
            return;
        }
        if (n != -EAGAIN)
        {
            fail(c, fmt::format("connect: {}", base::errnoText(static_cast<int>(-n))), now);
            return;
        }
    }
    setInterest(c, EPOLLOUT, now);
}

void LoadThread::onConnectDone(Conn& c, int64_t now)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0)
    {
        fail(c, fmt::format("connect: {}", base::errnoText(err)), now);
        return;
    }
    if (c.hasRequest)
    {
        c.state = Conn::State::Waiting;
        sendMore(c, now);
        return;
    }
    c.state = Conn::State::Ready;
    setInterest(c, kRead, now);
    if (c.fd.valid()) offerNext(c, now);
}

// Sends what is left of the request; EPOLLOUT stays armed only while some of it is unsent.
void LoadThread::sendMore(Conn& c, int64_t now)
{
    ssize_t n = reactor::writeSome(c.fd.get(), c.request.get() + c.sent, size_ - c.sent);
    if (n < 0 && n != -EAGAIN)
    {
        fail(c, fmt::format("send: {}", base::errnoText(static_cast<int>(-n))), now);
        return;
    }
    if (n > 0) c.sent += static_cast<size_t>(n);
    setInterest(c, c.sent < size_ ? kReadWrite : kRead, now);
}

void LoadThread::setInterest(Conn& c, uint32_t events, int64_t now)
{
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<uint64_t>(c.generation) << 32 | c.slot;
    int op = c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(epoll_.get(), op, c.fd.get(), &ev) < 0)
    {
        fail(c, fmt::format("epoll_ctl: {}", base::errnoText(errno)), now);
        return;
    }
    c.events = events;
}

void LoadThread::onReadable(Conn& c, int64_t now)
{
    ssize_t n = reactor::readSome(c.fd.get(), scratch_.data(), scratch_.size());
    if (n == -EAGAIN) return;
    if (c.state == Conn::State::Waiting)
    {
        size_t expected = prefixLen_ + size_;
        if (n <= 0)
        {
            fail(c,
                 n == 0 ? fmt::format("server closed after {} of {} reply bytes", c.got, expected)
                        : fmt::format("recv: {}", base::errnoText(static_cast<int>(-n))),
                 now);
            return;
        }
        size_t len = static_cast<size_t>(n);
        if (c.got + len > expected)
        {
            fail(c, fmt::format("reply longer than the {} bytes expected", expected), now);
            return;
        }
        if (!matches(c, scratch_.data(), len))
        {
            fail(c, "reply differs from the request's expected bytes", now);
            return;
        }
        c.got += len;
        if (c.got < expected) return;
        if (prefixLen_ == 0)
        {
            complete(c, now);
            return;
        }
        // The close usually arrives with the reply: look for it before waiting for an event.
        c.state = Conn::State::AwaitClose;
        n = reactor::readSome(c.fd.get(), scratch_.data(), scratch_.size());
        if (n == -EAGAIN) return;
    }
    if (c.state == Conn::State::AwaitClose && n == 0)
        complete(c, now);
    else if (c.state == Conn::State::AwaitClose)
        fail(c,
             n > 0 ? std::string("bytes after the reply; expected the server to close")
                   : fmt::format("recv: {}", base::errnoText(static_cast<int>(-n))),
             now);
    else
        fail(c,
             n > 0   ? std::string("bytes from the server with no request in flight")
             : n < 0 ? fmt::format("recv: {}", base::errnoText(static_cast<int>(-n)))
                     : std::string("server closed an idle connection"),
             now);
}

// Whether data (reply bytes from offset c.got) equals the expected reply at that offset.
bool LoadThread::matches(const Conn& c, const char* data, size_t len) const
{
    size_t offset = c.got;
    if (offset < prefixLen_)
    {
        size_t k = std::min(len, prefixLen_ - offset);
        if (std::memcmp(data, kArticlePrefix.data() + offset, k) != 0) return false;
        data += k;
        len -= k;
        offset += k;
    }
    return std::memcmp(data, c.request.get() + (offset - prefixLen_), len) == 0;
}

void LoadThread::complete(Conn& c, int64_t now)
{
    result_.latency.record(static_cast<uint64_t>(now - c.sinceNs));
    ++result_.requests;
    result_.lastReplyNs = now;
    lastProgressNs_ = now;
    --inFlight_;
    c.hasRequest = false;
    c.backoffNs = 0;
    if (perRequest_)
        closeSocket(c);
    else
        c.state = Conn::State::Ready;
    offerNext(c, now);
}

void LoadThread::closeSocket(Conn& c)
{
    c.fd.reset();  // close() also removes it from the epoll set
    c.events = 0;
    c.state = Conn::State::Idle;
}

// One error: count it, close the socket, retry after a backoff that doubles per failure.
void LoadThread::fail(Conn& c, const std::string& why, int64_t now)
{
    noteError(why);
    if (c.hasRequest)
    {
        c.hasRequest = false;
        --inFlight_;
    }
    else if (plan_.quota > 0 && started_ < plan_.quota)
    {
        ++started_;  // a failure outside a request still uses an attempt, so runs end
    }
    closeSocket(c);
    c.backoffNs = c.backoffNs == 0 ? kFirstBackoffNs : std::min(2 * c.backoffNs, kMaxBackoffNs);
    c.retryAtNs = now + c.backoffNs;
    nextRetryNs_ = retrying_ == 0 ? c.retryAtNs : std::min(nextRetryNs_, c.retryAtNs);
    ++retrying_;
}

void LoadThread::retryDue(int64_t now)
{
    int64_t next = INT64_MAX;
    for (auto& c : conns_)
    {
        if (c.retryAtNs == 0) continue;
        if (c.retryAtNs > now)
        {
            next = std::min(next, c.retryAtNs);
            continue;
        }
        c.retryAtNs = 0;
        --retrying_;
        if (done(now)) continue;
        if (perRequest_)
            offerNext(c, now);
        else
            openSocket(c, now);
        if (c.retryAtNs != 0) next = std::min(next, c.retryAtNs);
    }
    nextRetryNs_ = next;
}

void LoadThread::sweepTimeouts(int64_t now)
{
    for (auto& c : conns_)
    {
        bool busy = c.hasRequest || c.state == Conn::State::Connecting;
        if (busy && c.fd.valid() && now - c.sinceNs > requestTimeoutNs_)
            fail(c, fmt::format("no reply within {} ms", requestTimeoutNs_ / kMsNs), now);
    }
}

void LoadThread::noteError(const std::string& why)
{
    ++result_.errors;
    noteReason(why);
}

void LoadThread::noteReason(const std::string& why)
{
    if (result_.firstError.empty()) result_.firstError = why;
}

}  // namespace rscope::client
