// recordTrace: poll + recv into a LineSplitter; whole lines go to the file unchanged and through
// TraceLineParser (for the event count, drops and open flows of trace_end). A partial line is
// kept until its '\n' arrives, and on a stop request it gets 200 ms to complete.
#include "engine/tracefile/trace_recorder.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/unique_fd.h"
#include "engine/tracefile/flow_tracker.h"
#include "engine/tracefile/line_splitter.h"
#include "engine/tracefile/trace_line_parser.h"

namespace rscope::tracefile
{

namespace
{
constexpr int kPollMs = 100;
constexpr int64_t kLineGraceNs = 200'000'000;
constexpr size_t kRecvBytes = 256 * 1024;
constexpr uint64_t kMaxNotedProblems = 10;

struct FileCloser
{
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Fills *addr for "unix:PATH" or "host:port"; false with *error set.
bool resolve(const std::string& address, sockaddr_storage* addr, socklen_t* len, std::string* error)
{
    if (address.rfind("unix:", 0) == 0)
    {
        std::string path = address.substr(5);
        auto* un = reinterpret_cast<sockaddr_un*>(addr);
        un->sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof un->sun_path)
        {
            *error = fmt::format("{}: a unix socket path must be 1 to {} bytes", address,
                                 sizeof un->sun_path - 1);
            return false;
        }
        std::memcpy(un->sun_path, path.data(), path.size());
        bool abstract = path[0] == '@';  // Linux abstract namespace
        if (abstract) un->sun_path[0] = '\0';
        *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                      (abstract ? 0 : 1));
        return true;
    }
    size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 == address.size())
    {
        *error = fmt::format("{}: the address must be HOST:PORT or unix:PATH", address);
        return false;
    }
    std::string host = address.substr(0, colon);
    std::string port = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    {
        *error = fmt::format("{}: {}", address, ::gai_strerror(rc));
        return false;
    }
    std::memcpy(addr, found->ai_addr, found->ai_addrlen);
    *len = found->ai_addrlen;
    ::freeaddrinfo(found);
    return true;
}
}  // namespace

int connectTraceSocket(const std::string& address, int timeoutMs, std::string* error)
{
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!resolve(address, &addr, &len, error)) return -1;
    base::UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid())
    {
        *error = fmt::format("socket: {}", base::errnoText(errno));
        return -1;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
    if (rc < 0 && errno == EINPROGRESS)
    {
        pollfd p{fd.get(), POLLOUT, 0};
        int n;
        do n = ::poll(&p, 1, timeoutMs);
        while (n < 0 && errno == EINTR);
        if (n == 0)
        {
            *error = fmt::format("connect({}): no answer within {} ms", address, timeoutMs);
            return -1;
        }
        int soError = 0;
        socklen_t soLen = sizeof soError;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &soLen);
        errno = n < 0 ? errno : soError;
        rc = errno == 0 ? 0 : -1;
    }
    if (rc < 0)
    {
        *error = fmt::format("connect({}): {}; is a server running with its trace socket there?",
                             address, base::errnoText(errno));
        return -1;
    }
    return fd.release();
}

RecordResult recordTrace(const RecordOptions& options, const std::atomic<bool>& stop)
{
    RecordResult result;
    auto note = [&](const std::string& text)
    {
        if (options.onNote) options.onNote(text);
    };
    int64_t startNs = base::monotonicNs();
    base::UniqueFd sock(connectTraceSocket(options.from, options.connectTimeoutMs, &result.error));
    if (!sock.valid()) return result;
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(options.outPath.c_str(), "we"));
    if (!out)
    {
        result.error = fmt::format("open({}): {}", options.outPath, base::errnoText(errno));
        return result;
    }
    std::setvbuf(out.get(), nullptr, _IOFBF, 1 << 20);

    FlowTracker flows;
    bool serverEnded = false;
    std::string fatal;
    TraceSink sink;
    sink.onEvent = [&](const TraceEventView& e)
    {
        flows.observe(e);
        if (e.kind == trace::EventKind::TraceDropped)
            result.dropped += static_cast<uint64_t>(std::max<int64_t>(0, e.intArg("count")));
    };
    sink.onEnd = [&](const TraceEnd&) { serverEnded = true; };
    sink.onProblem = [&](const Problem& p)
    {
        fatal = p.where.toString();  // the last one is the fatal one when parsing stops
        if (++result.problems <= kMaxNotedProblems) note("warning: " + fatal);
    };
    TraceLineParser parser(options.outPath, sink);
    LineSplitter splitter;
    auto onLine = [&](std::string_view line, bool tooLong)
    {
        if (tooLong || parser.failed() || serverEnded)
        {
            if (tooLong) note(fmt::format("dropped a line longer than {} bytes", kMaxLineBytes));
            result.dropped += tooLong ? 1 : 0;
            return;
        }
        std::fwrite(line.data(), 1, line.size(), out.get());
        std::fputc('\n', out.get());
        result.bytes += line.size() + 1;
        parser.parseLine(line);
    };

    int64_t deadlineNs =
        options.durationS > 0 ? startNs + static_cast<int64_t>(options.durationS * 1e9) : INT64_MAX;
    int64_t graceEndNs = INT64_MAX;  // set once a stop is asked while a line is unfinished
    std::vector<char> buffer(kRecvBytes);
    for (;;)
    {
        int64_t now = base::monotonicNs();
        if (result.stopReason.empty() && (stop.load() || now >= deadlineNs))
        {
            result.stopReason = stop.load() ? "stopped" : "duration";
            if (splitter.partial().empty()) break;
            graceEndNs = now + kLineGraceNs;
        }
        if (!result.stopReason.empty() && (splitter.partial().empty() || now >= graceEndNs)) break;
        int64_t untilNs = std::min(deadlineNs, graceEndNs) - now;
        int timeoutMs = static_cast<int>(std::clamp<int64_t>(untilNs / 1'000'000 + 1, 1, kPollMs));
        pollfd p{sock.get(), POLLIN, 0};
        int n = ::poll(&p, 1, timeoutMs);
        if (n < 0 && errno != EINTR)
        {
            result.error = fmt::format("poll: {}", base::errnoText(errno));
            break;
        }
        if (n <= 0) continue;
        ssize_t got = ::recv(sock.get(), buffer.data(), buffer.size(), 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0)
        {
            if (result.stopReason.empty())
                result.stopReason =
                    got == 0 ? "server closed" : "connection lost: " + base::errnoText(errno);
            break;
        }
        splitter.feed(std::string_view(buffer.data(), static_cast<size_t>(got)), onLine);
        if (serverEnded && result.stopReason.empty()) result.stopReason = "server trace_end";
        if (parser.failed() || serverEnded) break;
    }
    if (!splitter.partial().empty() && !parser.failed())
    {
        ++result.dropped;
        note(fmt::format("the stream ended inside a line: {} bytes of an unfinished event dropped",
                         splitter.partial().size()));
    }
    if (result.problems > kMaxNotedProblems)
        note(fmt::format("{} more format problems; see rscope trace check {}",
                         result.problems - kMaxNotedProblems, options.outPath));
    result.events = parser.counts().eventLines;
    result.elapsedS = static_cast<double>(base::monotonicNs() - startNs) / 1e9;
    if (parser.failed())
        result.error = "the server's stream cannot be recorded: " + fatal;
    else if (!parser.hasHeader())
        result.error = "the server sent no trace header before " +
                       (result.stopReason.empty() ? std::string("the end") : result.stopReason);
    if (!result.error.empty()) return result;

    for (const FlowTracker::OpenFlow& f : flows.openFlows()) result.cutFlows.push_back(f.flow);
    if (!serverEnded)  // a trace_end the server sent itself is kept as it is
    {
        nlohmann::ordered_json end = {{"type", "trace_end"},
                                      {"events", result.events},
                                      {"dropped", result.dropped},
                                      {"cut_flows", result.cutFlows}};
        std::string line = end.dump() + "\n";
        std::fwrite(line.data(), 1, line.size(), out.get());
        result.bytes += line.size();
    }
    bool writeFailed = std::fflush(out.get()) != 0 || std::ferror(out.get());
    int savedErrno = errno;
    if (std::fclose(out.release()) != 0 || writeFailed)
    {
        result.error = fmt::format("write({}): {}", options.outPath,
                                   base::errnoText(writeFailed ? savedErrno : errno));
        return result;
    }
    result.ok = true;
    return result;
}

}  // namespace rscope::tracefile
