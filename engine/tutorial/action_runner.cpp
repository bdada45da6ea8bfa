// ActionRunner: each action of tutorials/README.md ("Actions"). Client traffic runs in helper
// processes (`rscope client`, or a forked helper for raw socket work) so that the caller keeps
// reading the trace while it happens; signals go straight to the pids the trace reported.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/format/step_hold_probe.h"
#include "engine/tutorial/child_process.h"
#include "engine/tutorial/lesson_runner.h"

namespace rscope::tutorial
{

namespace
{
constexpr const char* kArticleMessage = "hello world\n";
constexpr int kHelperIoTimeoutMs = 5000;

// `rscope client --message` reads C escapes; a lesson's message is literal text.
std::string escapeBackslashes(const std::string& text)
{
    std::string out;
    for (char c : text)
    {
        if (c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string flagValue(const std::vector<std::pair<std::string, std::string>>& flags,
                      const std::string& name, const std::string& otherwise)
{
    for (const auto& [n, v] : flags)
        if (n == name) return v;
    return otherwise;
}

// ---- Helpers that run in a forked child: async-signal-safe calls only (child_process.h). ----
using base::sleepMs;

int connectBlocking(const sockaddr_in& addr, int rcvbufBytes, int ioTimeoutMs)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (rcvbufBytes > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbufBytes, sizeof rcvbufBytes);
    timeval tv{ioTimeoutMs / 1000, (ioTimeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0)
    {
        ::close(fd);
        return -1;
    }
    return fd;
}

// How long a helper asks the server's trace socket whether a step client holds the server.
constexpr int kHeldProbeMs = 1000;

// True when `trace` (may be null) says the server is held in step mode: the helper's timeout
// then starts over, since a held server answers only as the learner steps it.
bool heldNow(const sockaddr_in* trace)
{
    return trace != nullptr && tracefile::traceSaysHeld(*trace, kHeldProbeMs);
}

bool sendAll(int fd, const char* data, size_t size, const sockaddr_in* trace = nullptr,
             int flags = 0)
{
    size_t off = 0;
    while (off < size)
    {
        ssize_t n = ::send(fd, data + off, size - off, MSG_NOSIGNAL | flags);
        if (n < 0 && errno == EINTR) continue;
        // SO_SNDTIMEO ran out: a held reactor thread does not read, so its socket fills.
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && heldNow(trace)) continue;
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

// Reads what the server answers: until EOF, a reset, firstMs without any byte, or quietMs of
// silence after the first byte (either starts over while `trace` says the server is held).
// Returns the bytes read.
size_t readReply(int fd, int firstMs, int quietMs, const sockaddr_in* trace = nullptr)
{
    char buf[16384];
    size_t total = 0;
    for (;;)
    {
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, total == 0 ? firstMs : quietMs);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 && heldNow(trace)) continue;
        if (n <= 0) return total;
        ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return total;
        total += static_cast<size_t>(got);
    }
}

bool parseAddress(const std::string& address, sockaddr_in& out)
{
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) return false;
    out = sockaddr_in{};
    out.sin_family = AF_INET;
    out.sin_port = htons(static_cast<uint16_t>(std::atoi(address.c_str() + colon + 1)));
    return ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &out.sin_addr) == 1;
}
}  // namespace

ActionRunner::ActionRunner(LessonServer& server, std::string rscopeBinary)
    : server_(server), binary_(std::move(rscopeBinary))
{
}

ActionRunner::~ActionRunner()
{
    stopAll();
}

bool ActionRunner::spawnClient(const std::vector<std::string>& args, std::string& error)
{
    std::vector<std::string> argv = {binary_,     "client", "--host",
                                     "127.0.0.1", "--port", std::to_string(server_.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = spawnProcess(argv, "", SIGKILL, error);
    if (pid < 0) return false;
    helpers_.push_back(pid);
    return true;
}

bool ActionRunner::forkSocketHelper(const Action& action, std::string& error)
{
    sockaddr_in server{};
    sockaddr_in trace{};
    if (!parseAddress("127.0.0.1:" + std::to_string(server_.port()), server) ||
        !parseAddress(server_.traceAddress(), trace))
    {
        error = fmt::format("{}: the server's addresses are unknown", action.kind);
        return false;
    }
    const int ioMs = clientTimeoutMs_ > 0 ? clientTimeoutMs_ : kHelperIoTimeoutMs;
    // Buffers the child uses are made here, before fork.
    std::string message = action.message.empty() ? kArticleMessage : action.message;
    std::string big;
    if (action.kind == "send_big" || action.kind == "never_reads")
    {
        big.assign(static_cast<size_t>(action.bytes), 'x');
        big.back() = '\n';
    }
    std::vector<int> fds(static_cast<size_t>(std::max(action.count, 1)), -1);
    std::function<int()> body;
    if (action.kind == "send_big")
        body = [&]
        {
            int fd = connectBlocking(server, 0, ioMs);
            if (fd < 0) return 1;
            bool sent = sendAll(fd, big.data(), big.size(), &trace);
            readReply(fd, ioMs, 200, &trace);  // the reply, or the server closing it
            ::close(fd);
            return sent ? 0 : 2;  // a server close during the send is a lesson outcome too
        };
    else if (action.kind == "open_connections")
        body = [&]
        {
            for (int& fd : fds)
            {
                fd = connectBlocking(server, 0, ioMs);
                if (fd >= 0 && action.send) sendAll(fd, message.data(), message.size());
            }
            sleepMs(action.holdMs);
            for (int fd : fds)
                if (fd >= 0) ::close(fd);
            return 0;
        };
    else if (action.kind == "send_burst")
        body = [&, burst = std::max(action.count, 2)]
        {
            int fd = connectBlocking(server, 0, ioMs);
            if (fd < 0) return 1;
            // One send() per message, each but the last with MSG_MORE: the kernel holds the
            // bytes until the last one and sends them in one segment, so the server's reactor
            // thread finds every message in one read (TCP keeps no message boundaries).
            bool sent = true;
            for (int i = 0; i < burst && sent; ++i)
                sent = sendAll(fd, message.data(), message.size(), &trace,
                               i + 1 < burst ? MSG_MORE : 0);
            readReply(fd, ioMs, 200, &trace);  // the echo, in one piece or several
            ::close(fd);
            return sent ? 0 : 2;
        };
    else if (action.kind == "slow_reader")
        body = [&]
        {
            // A tiny receive buffer that is never read: the server's socket buffer fills and it
            // must drop events for this client only.
            int fd = connectBlocking(trace, 4096, ioMs);
            if (fd < 0) return 1;
            sleepMs(action.ms);
            ::close(fd);
            return 0;
        };
    else if (action.kind == "never_reads")
        body = [&]
        {
            // Sends and never reads, with a 4 KiB receive buffer: the server's replies pile up
            // in its socket buffer, then in the connection's output buffer (model 3.8). Paced,
            // 64 KiB every 5 ms: requests keep coming after the buffer is marked overflow, so
            // the worker's later send()s meet the flag. Closes after hold_ms (default 10 s).
            int fd = connectBlocking(server, 4096, ioMs);
            if (fd < 0) return 1;
            bool sent = true;
            constexpr size_t kPiece = 64 * 1024;
            for (size_t off = 0; sent && off < big.size(); off += kPiece)
            {
                sent = sendAll(fd, big.data() + off, std::min(kPiece, big.size() - off), &trace);
                sleepMs(5);
            }
            sleepMs(action.holdMs > 0 ? action.holdMs : 10000);
            ::close(fd);
            return sent ? 0 : 2;
        };
    else if (action.kind == "send_article")
        body = [&]
        {
            for (size_t i = 0; i < fds.size(); ++i)
            {
                int fd = connectBlocking(server, 0, ioMs);
                if (fd < 0) return 1;
                sendAll(fd, message.data(), message.size(), &trace);
                readReply(fd, ioMs, ioMs, &trace);  // until the server closes
                ::close(fd);
            }
            return 0;
        };
    else  // client_close
        body = [&, sendFirst = !action.message.empty()]
        {
            int fd = connectBlocking(server, 0, ioMs);
            if (fd < 0) return 1;
            // Without a message the client just hangs up: with the article's server a request
            // would make the server close first.
            if (sendFirst)
            {
                sendAll(fd, message.data(), message.size(), &trace);
                readReply(fd, ioMs, 100, &trace);
            }
            else
                sleepMs(100);  // long enough for the accept to be seen before the EOF
            ::close(fd);       // the client's own close: the server sees EOF (peer_close)
            return 0;
        };
    pid_t pid = forkHelper(body, error);
    if (pid < 0) return false;
    helpers_.push_back(pid);
    return true;
}

bool ActionRunner::run(const Action& action, const Lesson& lesson,
                       const std::function<pid_t(int worker)>& workerPid, std::string& error)
{
    const std::string& kind = action.kind;
    if (server_.attached() &&
        (kind == "start_server" || kind == "stop_server" || kind == "restart_server"))
    {
        error = fmt::format(
            "{}: the lesson runs on a server it did not start; start that server "
            "with the lesson's settings yourself",
            kind);
        return false;
    }
    if (kind == "start_server") return server_.start(lesson.server, error);
    if (kind == "stop_server")
    {
        stopAll();
        server_.stop();
        return true;
    }
    if (kind == "restart_server")
    {
        auto flags = server_.flags().empty() ? lesson.server : server_.flags();
        for (const auto& change : action.serverChange)
        {
            // Not a structured binding: clang 14 (the web build's) cannot capture one.
            const auto& name = change.first;
            const auto& value = change.second;
            auto it = std::find_if(flags.begin(), flags.end(),
                                   [&](const auto& f) { return f.first == name; });
            if (it != flags.end())
                it->second = value;
            else
                flags.emplace_back(name, value);
        }
        stopAll();
        server_.stop();
        return server_.start(flags, error);
    }
    if (!server_.running())
    {
        error = fmt::format("{}: the lesson's server is not running", kind);
        return false;
    }
    // Several article clients one after another (a lesson on fd reuse needs the second to
    // connect after the first closed): one helper runs them in turn.
    if (kind == "send_article" && action.count > 1) return forkSocketHelper(action, error);
    if (kind == "send_article" || kind == "server_close")
    {
        std::string message = action.message.empty() ? kArticleMessage : action.message;
        std::vector<std::string> args{"--message", escapeBackslashes(message)};
        if (clientTimeoutMs_ > 0)
            args.insert(args.end(), {"--timeout-ms", std::to_string(clientTimeoutMs_)});
        // The lesson's server runs with --trace-step: time a learner holds it must not end the
        // client (it asks the trace socket when its timeout runs out).
        if (!server_.traceAddress().empty())
            args.insert(args.end(), {"--trace-from", server_.traceAddress()});
        return spawnClient(args, error);
    }
    if (kind == "send_requests")
    {
        std::string handler = flagValue(server_.flags(), "handler", "article");
        int connections = action.connections > 0 ? action.connections : 1;
        return spawnClient({"--connections", std::to_string(connections), "--requests",
                            std::to_string(action.count), "--reply",
                            handler == "article" ? "article" : "echo", "--duration", "30"},
                           error);
    }
    if (kind == "send_big" || kind == "send_burst" || kind == "open_connections" ||
        kind == "slow_reader" || kind == "client_close" || kind == "never_reads")
        return forkSocketHelper(action, error);
    if (kind == "kill_worker" || kind == "pause_worker" || kind == "resume_worker")
    {
        pid_t pid = workerPid ? workerPid(action.worker) : 0;
        if (pid <= 0)
        {
            error = fmt::format("{}: worker {}'s pid is not in the trace yet", kind, action.worker);
            return false;
        }
        int sig = kind == "kill_worker" ? SIGKILL : kind == "pause_worker" ? SIGSTOP : SIGCONT;
        if (::kill(pid, sig) < 0)
        {
            error = fmt::format("{}: kill(worker {} pid {}): {}", kind, action.worker, pid,
                                std::strerror(errno));
            return false;
        }
        if (sig == SIGSTOP) pausedWorkers_.push_back(pid);
        if (sig == SIGCONT)
            pausedWorkers_.erase(std::remove(pausedWorkers_.begin(), pausedWorkers_.end(), pid),
                                 pausedWorkers_.end());
        return true;
    }
    if (kind == "reload")
    {
        // The master forwards SIGUSR1 to the manager, which replaces the workers (model 4).
        if (::kill(server_.masterPid(), SIGUSR1) < 0)
        {
            error = fmt::format("reload: kill(master {}, SIGUSR1): {}", server_.masterPid(),
                                std::strerror(errno));
            return false;
        }
        return true;
    }
    error = fmt::format("unknown action \"{}\"", kind);
    return false;
}

bool ActionRunner::busy()
{
    helpers_.erase(std::remove_if(helpers_.begin(), helpers_.end(),
                                  [](pid_t pid) { return !stillRunning(pid); }),
                   helpers_.end());
    return !helpers_.empty();
}

bool ActionRunner::waitIdle(int timeoutMs)
{
    int64_t deadline = base::monotonicMs() + timeoutMs;
    while (busy())
    {
        if (base::monotonicMs() >= deadline) return false;
        ::usleep(5000);
    }
    return true;
}

void ActionRunner::stopAll()
{
    for (pid_t pid : pausedWorkers_) ::kill(pid, SIGCONT);
    pausedWorkers_.clear();
    for (pid_t pid : helpers_) killAndReap(pid);
    helpers_.clear();
}

}  // namespace rscope::tutorial
