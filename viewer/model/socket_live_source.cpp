// SocketLiveSource: the socket thread (connect, read, batch, queue; reconnect with backoff) on the
// server's trace socket. makeLiveSource of the desktop build.
#include "viewer/model/socket_live_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>

#include "engine/base/unique_fd.h"
#include "engine/format/trace_socket.h"

namespace rscope::viewer
{

namespace
{
constexpr int kFirstRetryMs = 250;  // after a disconnect or a refused connect; doubles up to:
constexpr int kMaxRetryMs = 1000;
constexpr int kConnectTimeoutMs = 2000;
constexpr size_t kReadBytes = 256 * 1024;

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
}  // namespace

std::unique_ptr<LiveSource> makeLiveSource(std::string address)
{
    return std::make_unique<SocketLiveSource>(std::move(address));
}

SocketLiveSource::SocketLiveSource(std::string address) : LiveSource(std::move(address))
{
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd_ < 0) setLastError("eventfd: " + errnoText(errno) + "; live source disabled");
}

SocketLiveSource::~SocketLiveSource()
{
    stop();
    if (wakeFd_ >= 0) ::close(wakeFd_);
}

void SocketLiveSource::start()
{
    if (thread_.joinable() || wakeFd_ < 0) return;
    uint64_t drained;
    while (::read(wakeFd_, &drained, sizeof drained) > 0)
    {
        // a previous stop()'s wake-up, still counted
    }
    stopping_.store(false);
    status_.store(LiveStatus::Connecting);
    thread_ = std::thread(&SocketLiveSource::run, this);
}

void SocketLiveSource::stop()
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

// --- socket thread ----------------------------------------------------------------------------

void SocketLiveSource::run()
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

bool SocketLiveSource::sleepUnlessStopped(int ms)
{
    pollfd p{wakeFd_, POLLIN, 0};
    int n;
    do n = ::poll(&p, 1, ms);
    while (n < 0 && errno == EINTR);
    return !stopping_.load() && p.revents == 0;
}

void SocketLiveSource::runConnections()
{
    LineBatcher lines;
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
            SocketLiveSource& self;
            CommandFd(SocketLiveSource& s, int fd) : self(s)
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
        lines.reset();

        // Read, batch and publish until the connection ends: one lock per read, not per line.
        std::string why;
        while (why.empty())
        {
            int ready = waitFor(sock.get(), POLLIN, wakeFd_, -1);
            if (ready < 0) return;
            ssize_t n = ::read(sock.get(), buf.data(), buf.size());
            if (n < 0)
            {
                if (errno == EAGAIN || errno == EINTR) continue;
                why = "read: " + errnoText(errno);
                break;
            }
            if (n == 0)
            {
                why = lines.insideLine() ? "the server closed the trace socket inside a line"
                                         : "the server closed the trace socket";
                break;
            }
            why = lines.feed(std::string_view(buf.data(), static_cast<size_t>(n)));
            if (lines.headerRefused) retryMs = kMaxRetryMs;  // the server will not change soon
            publish(lines);
        }
        publish(lines);
        if (stopping_.load()) return;
        setLastError(address_ + ": " + why + "; retrying in " + std::to_string(retryMs) + " ms");
        status_.store(LiveStatus::Retrying);
    }
}

// --- GUI thread -------------------------------------------------------------------------------

bool SocketLiveSource::sendCommand(std::string_view line)
{
    std::string text(line);
    text += '\n';
    std::lock_guard<std::mutex> lock(commandMutex_);
    if (commandFd_ < 0) return false;
    ssize_t n = ::send(commandFd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return n == static_cast<ssize_t>(text.size());
}

}  // namespace rscope::viewer
