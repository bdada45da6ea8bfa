// The per-browser bridge between /live and the trace socket (trace_bridge.h).
#include "engine/web/trace_bridge.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>

#include "engine/base/log.h"
#include "engine/base/process_globals.h"
#include "engine/format/trace_socket.h"
#include "engine/web/browser_command.h"
#include "engine/web/line_batcher.h"

namespace rscope::web
{

namespace
{
// One read's worth. With the blocking write to the browser, the bridge holds at most this plus
// one unfinished line (kMaxLineBytes): a slow browser slows the bridge's reads, and the server
// drops for a slow trace reader (trace_dropped) instead of waiting, so nothing grows here.
constexpr size_t kReadBytes = 64 * 1024;
// Commands queued between two turns of the bridge thread; a browser sending more is flooding.
constexpr size_t kMaxQueuedCommands = 256;
// RFC 6455 5.5: a control frame carries at most 125 bytes, two of them the close code.
constexpr size_t kMaxCloseReasonBytes = 123;
}  // namespace

std::string closeReason(std::string_view reason)
{
    if (reason.size() <= kMaxCloseReasonBytes) return std::string(reason);
    size_t cut = kMaxCloseReasonBytes;
    // Back off continuation bytes (10xxxxxx) so the reason stays valid UTF-8, as RFC 6455 needs.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    return std::string(reason.substr(0, cut));
}

TraceBridge::TraceBridge(BridgeOptions options, BrowserSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      commandFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      stopFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
}

TraceBridge::~TraceBridge()
{
    stop();
}

bool TraceBridge::start()
{
    if (!commandFd_.valid() || !stopFd_.valid())
    {
        RS_ERROR("web: eventfd for the bridge of {}: {}; closing its /live", options_.peer,
                 base::errnoText(errno));
        return false;
    }
    try
    {
        thread_ = std::thread([this] { run(); });
    }
    catch (const std::system_error& e)
    {
        RS_ERROR("web: thread for the bridge of {}: {}; closing its /live", options_.peer,
                 e.what());
        return false;
    }
    return true;
}

void TraceBridge::onBrowserMessage(std::string_view message, bool whole)
{
    std::optional<std::string> line;
    if (whole) line = stepCommandLine(message);
    if (!line)
    {
        if (!std::exchange(warnedRefused_, true))
            RS_WARN(
                "web: browser {}: \"{}\" is not a step command (hold, step, step N, run); "
                "dropped, as is anything else it sends",
                options_.peer, base::printableText(message));
        return;
    }
    // The server takes step commands only from loopback peers, and the bridge is loopback to
    // it: the check must be made here, on the browser's address.
    if (!options_.peerIsLoopback && !options_.allowRemoteStep)
    {
        if (!std::exchange(warnedRemote_, true))
            RS_WARN(
                "web: browser {} is not on loopback: its step commands are dropped "
                "(rscope web --allow-remote-step forwards them)",
                options_.peer);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (commands_.size() >= kMaxQueuedCommands) return;
        commands_.push_back(std::move(*line));
    }
    signal(commandFd_);
}

void TraceBridge::stop()
{
    stopping_.store(true);
    signal(stopFd_);
    if (thread_.joinable()) thread_.join();
}

void TraceBridge::signal(const base::UniqueFd& eventFd)
{
    if (!eventFd.valid()) return;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(eventFd.get(), &one, sizeof one);  // full: signalled
}

void TraceBridge::run()
{
    base::nameThread("rs-web-bridge");
    std::string error;
    int fd = tracefile::connectTraceSocket(options_.traceAddress, options_.connectTimeoutMs, &error,
                                           stopFd_.get());
    if (fd == tracefile::kConnectWoken) return;
    if (fd < 0)
    {
        RS_WARN("web: browser {}: {}; closing its /live", options_.peer, error);
        sink_.close(kCloseTraceSocket, closeReason(error));
        return;
    }
    base::UniqueFd trace(fd);
    RS_INFO("web: browser {} bridged to the trace socket {}", options_.peer, options_.traceAddress);
    forwardStream(trace.get());
    RS_INFO("web: bridge of browser {} ended; trace socket closed", options_.peer);
}

// False when the bridge ends (it has closed the WebSocket, or is being stopped).
bool TraceBridge::forwardStream(int traceFd)
{
    LineBatcher batcher;
    std::string buf(kReadBytes, '\0');
    const std::string& address = options_.traceAddress;
    for (;;)
    {
        pollfd p[3] = {
            {traceFd, POLLIN, 0}, {commandFd_.get(), POLLIN, 0}, {stopFd_.get(), POLLIN, 0}};
        if (::poll(p, 3, -1) < 0)
        {
            if (errno == EINTR) continue;
            sink_.close(kCloseTraceSocket, closeReason("poll: " + base::errnoText(errno)));
            return false;
        }
        if (p[2].revents != 0 || stopping_.load()) return false;
        if (p[1].revents != 0)
        {
            uint64_t count;
            [[maybe_unused]] ssize_t n = ::read(commandFd_.get(), &count, sizeof count);
            sendQueuedCommands(traceFd);
        }
        if (p[0].revents == 0) continue;
        ssize_t n = ::recv(traceFd, buf.data(), buf.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0)
        {
            std::string why = n == 0 ? address + ": the server closed the trace socket"
                                     : address + ": " + base::errnoText(errno);
            RS_INFO("web: browser {}: {}; closing its /live", options_.peer, why);
            sink_.close(kCloseTraceSocket, closeReason(why));
            return false;
        }
        if (!batcher.append(std::string_view(buf.data(), static_cast<size_t>(n))))
        {
            std::string why = address + ": a line longer than 1 MiB; not a trace stream";
            RS_WARN("web: browser {}: {}; closing its /live", options_.peer, why);
            sink_.close(kCloseLineTooLong, closeReason(why));
            return false;
        }
        std::string lines = batcher.takeLines();
        if (lines.empty()) continue;
        if (!sink_.sendText(lines))
        {
            if (stopping_.load() || sink_.serverStopping()) return false;
            RS_WARN(
                "web: browser {}: a {}-byte message was not taken in time (or the browser "
                "went away); closing its /live",
                options_.peer, lines.size());
            sink_.close(kCloseBrowserTooSlow, "browser too slow");
            return false;
        }
    }
}

// Commands are a few bytes and the server reads them at once; one that does not fit the socket
// now is dropped rather than held, so a stuck server cannot grow a queue here.
bool TraceBridge::sendQueuedCommands(int traceFd)
{
    std::vector<std::string> commands;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        commands.swap(commands_);
    }
    for (const std::string& line : commands)
    {
        ssize_t n = ::send(traceFd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == static_cast<ssize_t>(line.size())) continue;
        RS_WARN("web: browser {}: send(trace socket {}): {}; command \"{}\" dropped", options_.peer,
                options_.traceAddress,
                n < 0 ? base::errnoText(errno) : std::string("partial write"),
                base::printableText(line.substr(0, line.size() - 1)));
        return false;
    }
    return true;
}

}  // namespace rscope::web
