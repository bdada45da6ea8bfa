// LiveSource: the socket thread (connect, read, split, decode, queue; reconnect with backoff) and
// the GUI thread's drain into the store. The queue is two vectors swapped under one mutex, so
// decoded lines and their strings are reused instead of allocated per line.
#include "viewer/model/live_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>

#include "engine/base/unique_fd.h"
#include "engine/format/trace_socket.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{
constexpr int kFirstRetryMs = 250;  // after a disconnect or a refused connect; doubles up to:
constexpr int kMaxRetryMs = 1000;
constexpr int kConnectTimeoutMs = 2000;
constexpr size_t kReadBytes = 256 * 1024;
constexpr size_t kMaxLineBytes = 64u << 20;  // a longer line is a broken stream: reconnect

std::string errnoText(int savedErrno)
{
    char buf[128];
    return ::strerror_r(savedErrno, buf, sizeof buf);  // GNU strerror_r: thread-safe
}

// Waits for `events` on `fd` or for the wake eventfd: 1 ready, 0 timeout, -1 woken (stop).
int waitFor(int fd, short events, int wakeFd, int timeoutMs)
{
    pollfd p[2] = {{fd, events, 0}, {wakeFd, POLLIN, 0}};
    int n;
    do n = ::poll(p, 2, timeoutMs);
    while (n < 0 && errno == EINTR);
    if (n < 0) return 1;  // let the caller's syscall report the error
    if (p[1].revents != 0) return -1;
    return n == 0 ? 0 : 1;
}

// Line 1 of a connection failed to parse: a header attempt (then refused), or garbage?
bool looksLikeHeader(std::string_view line)
{
    return line.find("\"header\"") != std::string_view::npos;
}
}  // namespace

const char* liveStatusName(LiveStatus s)
{
    switch (s)
    {
        case LiveStatus::Connecting:
            return "connecting";
        case LiveStatus::Connected:
            return "connected";
        case LiveStatus::Retrying:
            return "disconnected, retrying";
        case LiveStatus::Stopped:
            return "stopped";
    }
    return "unknown";
}

LiveSource::LiveSource(std::string address) : address_(std::move(address))
{
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd_ < 0) lastError_ = "eventfd: " + errnoText(errno) + "; live source disabled";
}

LiveSource::~LiveSource()
{
    stop();
    if (wakeFd_ >= 0) ::close(wakeFd_);
}

void LiveSource::start()
{
    if (thread_.joinable() || wakeFd_ < 0) return;
    uint64_t drained;
    while (::read(wakeFd_, &drained, sizeof drained) > 0)
    {
        // a previous stop()'s wake-up, still counted
    }
    stopping_.store(false);
    status_.store(LiveStatus::Connecting);
    thread_ = std::thread(&LiveSource::run, this);
}

void LiveSource::stop()
{
    if (thread_.joinable())
    {
        stopping_.store(true);
        uint64_t one = 1;
        ssize_t n = ::write(wakeFd_, &one, sizeof one);
        (void)n;  // the counter cannot overflow with one write per stop
        thread_.join();
    }
    status_.store(LiveStatus::Stopped);
}

std::string LiveSource::lastError() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return lastError_;
}

size_t LiveSource::queued() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return queueCount_ + (pendingCount_ - pendingPos_);
}

void LiveSource::setLastError(std::string message)
{
    std::lock_guard<std::mutex> lock(mutex_);
    lastError_ = std::move(message);
}

// --- socket thread ----------------------------------------------------------------------------

void LiveSource::run()
{
    // No exception leaves the thread (STYLE.md, "Errors"): report it and stop.
    try
    {
        runConnections();
    }
    catch (const std::exception& e)
    {
        setLastError(address_ + ": live source thread: " + e.what() + "; stopped");
    }
    catch (...)
    {
        setLastError(address_ + ": live source thread: unknown exception; stopped");
    }
    status_.store(LiveStatus::Stopped);
}

bool LiveSource::sleepUnlessStopped(int ms)
{
    pollfd p{wakeFd_, POLLIN, 0};
    int n;
    do n = ::poll(&p, 1, ms);
    while (n < 0 && errno == EINTR);
    return !stopping_.load() && p.revents == 0;
}

void LiveSource::publish(std::vector<ParsedLine>& batch, size_t& count)
{
    if (count == 0) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queueCount_ == 0)
        {
            // The usual case: the GUI has taken everything; hand over the whole vector.
            queue_.swap(batch);
            queueCount_ = count;
        }
        else
        {
            // The GUI is behind: append, swapping with the queue's spares to keep capacities.
            for (size_t i = 0; i < count; ++i, ++queueCount_)
            {
                if (queueCount_ < queue_.size())
                    std::swap(queue_[queueCount_], batch[i]);
                else
                    queue_.push_back(std::move(batch[i]));
            }
        }
    }
    linesReceived_.fetch_add(count, std::memory_order_relaxed);
    count = 0;
}

void LiveSource::runConnections()
{
    LineParser parser;
    std::vector<ParsedLine> batch;
    size_t count = 0;
    std::vector<char> buf(kReadBytes);
    int retryMs = kFirstRetryMs;
    for (bool firstAttempt = true; !stopping_.load(); firstAttempt = false)
    {
        if (!firstAttempt)
        {
            if (!sleepUnlessStopped(retryMs)) return;
            retryMs = std::min(retryMs * 2, kMaxRetryMs);
        }

        std::string error;
        int fd = tracefile::connectTraceSocket(address_, kConnectTimeoutMs, &error, wakeFd_);
        if (fd == tracefile::kConnectWoken) return;  // stop()
        base::UniqueFd sock(fd);
        if (!sock.valid())
        {
            setLastError(error + "; retrying in " + std::to_string(retryMs) + " ms");
            status_.store(LiveStatus::Retrying);
            continue;
        }
        // Unpublished on every way out of this connection (sock closes after the guard).
        struct CommandFd
        {
            LiveSource& self;
            CommandFd(LiveSource& s, int fd) : self(s)
            {
                std::lock_guard<std::mutex> lock(self.commandMutex_);
                self.commandFd_ = fd;
            }
            ~CommandFd()
            {
                std::lock_guard<std::mutex> lock(self.commandMutex_);
                self.commandFd_ = -1;
            }
        } commandFd(*this, sock.get());
        status_.store(LiveStatus::Connected);
        retryMs = kFirstRetryMs;
        setLastError("");

        // Read, split and decode until the connection ends. Each read's lines are published
        // together: one lock per read, not per line.
        uint64_t lineNo = 0;
        size_t used = 0;
        std::string why;
        while (why.empty())
        {
            int ready = waitFor(sock.get(), POLLIN, wakeFd_, -1);
            if (ready < 0) return;
            ssize_t n = ::read(sock.get(), buf.data() + used, buf.size() - used);
            if (n < 0)
            {
                if (errno == EAGAIN || errno == EINTR) continue;
                why = "read: " + errnoText(errno);
                break;
            }
            if (n == 0)
            {
                why = used == 0 ? "the server closed the trace socket"
                                : "the server closed the trace socket inside a line";
                break;
            }
            used += static_cast<size_t>(n);
            size_t start = 0;
            while (const char* nl = static_cast<const char*>(
                       std::memchr(buf.data() + start, '\n', used - start)))
            {
                std::string_view line(buf.data() + start,
                                      static_cast<size_t>(nl - buf.data()) - start);
                start = static_cast<size_t>(nl - buf.data()) + 1;
                ++lineNo;
                if (count == batch.size()) batch.emplace_back();
                ParsedLine& pl = batch[count++];
                parser.parse(line, pl);
                if (pl.type != ParsedLine::Type::Error) continue;
                // An error line's event is unused: it carries the line number to drain().
                pl.event.seq = lineNo;
                if (lineNo == 1 && looksLikeHeader(line))
                {
                    why = "header refused: " + pl.error;
                    retryMs = kMaxRetryMs;  // the server will not change its version soon
                    break;
                }
            }
            if (start > 0)
            {
                std::memmove(buf.data(), buf.data() + start, used - start);
                used -= start;
            }
            else if (used == buf.size())
            {
                if (buf.size() >= kMaxLineBytes)
                {
                    why = "a line longer than " + std::to_string(kMaxLineBytes >> 20) + " MB";
                    break;
                }
                buf.resize(buf.size() * 2);
            }
            publish(batch, count);
        }
        publish(batch, count);
        if (stopping_.load()) return;
        setLastError(address_ + ": " + why + "; retrying in " + std::to_string(retryMs) + " ms");
        status_.store(LiveStatus::Retrying);
    }
}

// --- GUI thread -------------------------------------------------------------------------------

bool LiveSource::sendCommand(std::string_view line)
{
    std::string text(line);
    text += '\n';
    std::lock_guard<std::mutex> lock(commandMutex_);
    if (commandFd_ < 0) return false;
    ssize_t n = ::send(commandFd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n == static_cast<ssize_t>(text.size());
}

size_t LiveSource::drain(TraceStore& store, size_t maxLines, bool& headerSeen)
{
    headerSeen = false;
    size_t taken = 0;
    while (taken < maxLines)
    {
        if (pendingPos_ == pendingCount_)
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queueCount_ == 0) break;
            // Our used-up lines become the socket thread's spares.
            pending_.swap(queue_);
            pendingCount_ = queueCount_;
            pendingPos_ = 0;
            queueCount_ = 0;
        }
        ParsedLine& line = pending_[pendingPos_++];
        ++taken;
        switch (line.type)
        {
            case ParsedLine::Type::Header:
                // A new stream (server restart or reconnect): a new recording.
                store.clear();
                store.setTopology(std::move(line.topology));
                headerSeen = true;
                break;
            case ParsedLine::Type::Event:
            {
                line.event.actor = store.internActor(line.actor);
                if (line.event.kind == EventKind::TraceDropped)
                    store.addDroppedByServer(line.droppedCount);
                uint64_t lastSeq = store.size() ? store.events().back().seq : 0;
                if (!store.append(line.event, line.args, line.payload))
                    store.addError({address_, 0,
                                    "seq " + std::to_string(line.event.seq) + " is not after seq " +
                                        std::to_string(lastSeq) + "; event skipped"});
                break;
            }
            case ParsedLine::Type::UnknownKind:
                store.addUnknownKind();
                break;
            case ParsedLine::Type::End:
                break;
            case ParsedLine::Type::Error:
                store.addError({address_, line.event.seq, line.error});
                break;
        }
    }
    return taken;
}

}  // namespace rscope::viewer
