// recordTrace: poll + recv into a LineSplitter; whole lines go to the file unchanged and through
// a StreamTally (for the event count, drops and open flows of trace_end). A partial line is kept
// until its '\n' arrives, and on a stop request it gets 200 ms to complete.
#include "engine/tracefile/trace_recorder.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/stream_file.h"
#include "engine/base/unique_fd.h"
#include "engine/trace/open_flows.h"
#include "engine/trace/trace_json.h"
#include "engine/trace/trace_wire.h"
#include "engine/tracefile/line_scan.h"
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
constexpr int64_t kFlushEveryNs = 100'000'000;

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

// What the recorder learns from the lines it passes on: a valid header, the event count, drops
// and open flows. After the header only top-level fields are scanned, no DOM is built, so that
// recording keeps up with a server tracing at full load; `rscope trace check` does the rest.
class StreamTally
{
  public:
    StreamTally(const std::string& source, std::function<void(const std::string&)> onProblem)
        : source_(source), onProblem_(std::move(onProblem)), header_(source, headerSink())
    {
    }

    void line(std::string_view text)
    {
        ++line_;
        if (!header_.hasHeader())
        {
            header_.parseLine(text);
            return;
        }
        if (text.find_first_not_of(" \t\r") == std::string_view::npos) return problem("empty line");
        LineFields fields;
        if (!scanLineFields(text, &fields))
        {
            ++events_;  // counted as the reader counts it: a broken event line
            return problem("not a JSON object");
        }
        if (!fields.type.empty())
        {
            ended_ = ended_ || fields.type == "trace_end";
            return;
        }
        trace::EventKind kind = trace::kindByName(fields.kind);
        count(kind, fields.flow, kind == trace::EventKind::TraceDropped ? droppedCount(text) : 0);
    }

    // An event that came as a binary frame: known kind, flow and args without a scan.
    void event(const trace::TraceRecord& r)
    {
        ++line_;
        auto kind = static_cast<trace::EventKind>(r.kind);
        count(kind, r.flow,
              kind == trace::EventKind::TraceDropped
                  ? static_cast<uint64_t>(std::max<int64_t>(0, r.a0))
                  : 0);
    }

    bool failed() const { return header_.failed(); }
    bool hasHeader() const { return header_.hasHeader(); }
    bool ended() const { return ended_; }
    uint64_t events() const { return events_; }
    uint64_t dropped() const { return dropped_; }
    // Flows whose last event is not terminal, by id.
    std::vector<uint64_t> openFlows() const
    {
        std::vector<uint64_t> open = flows_.list();
        std::sort(open.begin(), open.end());
        return open;
    }
    const std::string& lastProblem() const { return lastProblem_; }

  private:
    // One event: its drops (a trace_dropped's count) and its flow (unknown kinds have none).
    void count(trace::EventKind kind, uint64_t flow, uint64_t dropped)
    {
        ++events_;
        dropped_ += dropped;
        if (kind < trace::EventKind::Count) flows_.observe(flow, trace::isTerminalKind(kind));
    }

    TraceSink headerSink()
    {
        TraceSink sink;
        sink.onProblem = [this](const Problem& p) { report(p.where.toString()); };
        return sink;
    }

    void problem(const std::string& message)
    {
        report(ParseError{source_, line_, message}.toString());
    }

    void report(std::string text)
    {
        lastProblem_ = text;
        if (onProblem_) onProblem_(std::move(text));
    }

    // args.count of a trace_dropped line (rare: a full parse is fine).
    static uint64_t droppedCount(std::string_view text)
    {
        nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (!j.is_object()) return 0;
        auto args = j.find("args");
        if (args == j.end() || !args->is_object()) return 0;
        auto count = args->find("count");
        if (count == args->end() || !count->is_number_integer()) return 0;
        return static_cast<uint64_t>(std::max<int64_t>(0, count->get<int64_t>()));
    }

    std::string source_;
    std::function<void(const std::string&)> onProblem_;
    TraceLineParser header_;
    trace::OpenFlows flows_;  // no allocation per flow: a full-load stream opens ~100k a second
    uint64_t line_ = 0;
    uint64_t events_ = 0;
    uint64_t dropped_ = 0;
    bool ended_ = false;
    std::string lastProblem_;
};
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

// Turns the stored frames into JSON lines (appended to the output by onFrame), then deletes
// them. A frame cut by the stop is left out (it was counted as dropped).
template <typename OnFrame, typename Note>
bool convertSpool(base::StreamFile& spool, const std::string& spoolPath,
                  trace::WireDecoder& decoder, OnFrame& onFrame, RecordResult* result, Note& note)
{
    int64_t startNs = base::monotonicNs();
    bool ok = spool.close();
    if (!ok) result->error = spool.error();
    // Read with O_DIRECT too: a gigabyte read once is not worth the page cache, and on a VM the
    // pages it frees afterwards cost the next user a host fault each.
    base::UniqueFd in(ok ? ::open(spoolPath.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT) : -1);
    if (ok && !in.valid()) in.reset(::open(spoolPath.c_str(), O_RDONLY | O_CLOEXEC));
    if (ok && !in.valid())
    {
        result->error = fmt::format("open({}): {}", spoolPath, base::errnoText(errno));
        ok = false;
    }
    constexpr size_t kChunk = 4 << 20;  // a multiple of the 4 KiB direct I/O wants
    std::unique_ptr<char, decltype(&std::free)> chunk(
        static_cast<char*>(std::aligned_alloc(base::StreamFile::kBlock, kChunk)), &std::free);
    uint64_t bytes = 0;
    while (ok)
    {
        ssize_t n = ::read(in.get(), chunk.get(), kChunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EINVAL && (::fcntl(in.get(), F_GETFL) & O_DIRECT) != 0)
        {
            // Direct I/O accepted at open, refused on read (some file systems): go buffered.
            ::fcntl(in.get(), F_SETFL, ::fcntl(in.get(), F_GETFL) & ~O_DIRECT);
            continue;
        }
        if (n < 0)
        {
            result->error = fmt::format("read({}): {}", spoolPath, base::errnoText(errno));
            ok = false;
        }
        if (n <= 0) break;
        bytes += static_cast<uint64_t>(n);
        if (!decoder.feed(std::string_view(chunk.get(), static_cast<size_t>(n)), onFrame))
        {
            result->error = "the server's binary stream cannot be decoded: " + decoder.error();
            ok = false;
        }
    }
    ::unlink(spoolPath.c_str());
    if (ok && bytes > (64u << 20))  // worth a word only when the wait is noticeable
        note(fmt::format("turned {} MB of binary frames into JSON lines in {:.2f} s", bytes >> 20,
                         static_cast<double>(base::monotonicNs() - startNs) / 1e9));
    return ok;
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
    // O_DIRECT whole blocks: the recorder runs beside a server at full load (stream_file.h).
    base::StreamFile out;
    if (!out.open(options.outPath))
    {
        result.error = out.error();
        return result;
    }

    StreamTally tally(options.outPath,
                      [&](const std::string& text)
                      {
                          if (++result.problems <= kMaxNotedProblems) note("warning: " + text);
                      });
    LineSplitter splitter;
    std::vector<char> buffer(kRecvBytes);
    size_t received = 0;   // bytes of buffer filled by the last recv
    std::string_view run;  // accepted lines (with their '\n') not yet copied to out
    auto writeRun = [&]
    {
        if (!run.empty()) out.append(run.data(), run.size());
        run = {};
    };
    auto onLine = [&](std::string_view line, bool tooLong)
    {
        if (tooLong || tally.failed() || tally.ended())
        {
            if (tooLong) note(fmt::format("dropped a line longer than {} bytes", kMaxLineBytes));
            result.dropped += tooLong ? 1 : 0;
            return;
        }
        // Lines that follow each other in the receive buffer go to the file as one run (one
        // copy per recv, not two per line); others (joined across recvs) on their own.
        const char* end = line.data() + line.size();
        bool inBuffer =
            line.data() >= buffer.data() && end < buffer.data() + received && *end == '\n';
        if (inBuffer && run.data() + run.size() == line.data())
            run = std::string_view(run.data(), run.size() + line.size() + 1);
        else
        {
            writeRun();
            if (inBuffer)
                run = std::string_view(line.data(), line.size() + 1);
            else
            {
                out.append(line.data(), line.size());
                out.append("\n", 1);
            }
        }
        result.bytes += line.size() + 1;
        tally.line(line);
    };

    // The stream starts as JSON lines; once the header is in, a binary recorder asks for frames
    // and switches at the server's kBinaryStartLine (traces/FORMAT.md, section 10). Frames are
    // stored as they come, into OUT.frames next to the output (one copy, no decoding: the
    // recording costs the machine as little as it can while the server is under load), and
    // turned into JSON lines after the stop, like `perf record` then `perf script`.
    enum class Stream
    {
        Json,
        AwaitBinary,
        Binary
    };
    Stream stream = Stream::Json;
    std::string spoolPath = options.outPath + ".frames";
    base::StreamFile spool;
    trace::FrameHopper hopper;
    auto spoolFrames = [&](std::string_view data)
    {
        if (!hopper.feed(data))
        {
            result.error = "the server's binary stream cannot be decoded: " + hopper.error();
            return false;
        }
        return true;
    };
    trace::WireDecoder decoder;
    auto onFrame = [&](const trace::WireDecoder::Event& e)
    {
        char* line = out.reserve(trace::kMaxEventLineBytes);
        size_t size = static_cast<size_t>(
            trace::writeEventLine(line, e.seq, *e.record, *e.actor, e.preview) - line);
        out.advance(size);
        result.bytes += size;
        tally.event(*e.record);
    };
    // Feeds one received chunk; returns false when the binary stream cannot be decoded.
    auto feed = [&](std::string_view data)
    {
        if (stream == Stream::AwaitBinary)  // line by line, to stop right at the switch
            while (!data.empty() && stream == Stream::AwaitBinary)
            {
                const char* nl =
                    static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
                size_t take = nl ? static_cast<size_t>(nl - data.data()) + 1 : data.size();
                std::string_view piece = data.substr(0, take);
                data.remove_prefix(take);
                std::string joined = nl && !splitter.partial().empty()
                                         ? std::string(splitter.partial()) + std::string(piece)
                                         : std::string();
                if (nl && (piece == trace::kBinaryStartLine || joined == trace::kBinaryStartLine))
                {
                    splitter.clearPartial();
                    writeRun();
                    if (!spool.open(spoolPath))
                    {
                        result.error = spool.error();
                        return false;
                    }
                    stream = Stream::Binary;
                    result.binaryFrames = true;
                }
                else
                    splitter.feed(piece, onLine);
            }
        if (stream == Stream::Json) splitter.feed(data, onLine);
        writeRun();
        if (stream == Stream::Binary && !data.empty())
        {
            if (!spoolFrames(data)) return false;
            spool.append(data.data(), data.size());
        }
        if (stream == Stream::Json && options.binary && tally.hasHeader() && !tally.failed())
        {
            // The header is in: ask for frames. Lines sent before the switch still come as JSON.
            static constexpr char kCommand[] = "binary\n";
            if (::send(sock.get(), kCommand, sizeof kCommand - 1, MSG_NOSIGNAL) ==
                static_cast<ssize_t>(sizeof kCommand - 1))
                stream = Stream::AwaitBinary;
        }
        return true;
    };
    auto unfinished = [&]
    { return stream == Stream::Binary ? hopper.midFrame() > 0 : !splitter.partial().empty(); };

    int64_t deadlineNs =
        options.durationS > 0 ? startNs + static_cast<int64_t>(options.durationS * 1e9) : INT64_MAX;
    int64_t graceEndNs = INT64_MAX;  // set once a stop is asked while a line is unfinished
    int64_t flushedNs = startNs;
    for (;;)
    {
        int64_t now = base::monotonicNs();
        if (now - flushedNs >= kFlushEveryNs)
        {
            out.flush();  // a reader following the file sees the stream at most 100 ms late
            flushedNs = now;
        }
        if (!out.isOpen() || (stream == Stream::Binary && !spool.isOpen()))
        {
            result.error = out.isOpen() ? spool.error() : out.error();
            break;
        }
        if (result.stopReason.empty() && (stop.load() || now >= deadlineNs))
        {
            result.stopReason = stop.load() ? "stopped" : "duration";
            if (!unfinished()) break;
            graceEndNs = now + kLineGraceNs;
        }
        if (!result.stopReason.empty() && (!unfinished() || now >= graceEndNs)) break;
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
        // Frames are received straight into the spool's staging buffer.
        char* into = stream == Stream::Binary ? spool.reserve(kRecvBytes) : buffer.data();
        ssize_t got = ::recv(sock.get(), into, kRecvBytes, 0);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0)
        {
            if (result.stopReason.empty())
                result.stopReason =
                    got == 0 ? "server closed" : "connection lost: " + base::errnoText(errno);
            break;
        }
        received = static_cast<size_t>(got);
        if (stream == Stream::Binary)
        {
            if (!spoolFrames(std::string_view(into, received))) break;
            spool.advance(received);
            spool.writeIfFull();
            continue;
        }
        if (!feed(std::string_view(buffer.data(), received))) break;
        if (tally.ended() && result.stopReason.empty()) result.stopReason = "server trace_end";
        if (tally.failed() || tally.ended()) break;
    }
    if (!result.error.empty())
    {
        if (spool.isOpen()) spool.close(), ::unlink(spoolPath.c_str());
        return result;
    }
    if (unfinished() && !tally.failed())
    {
        ++result.dropped;
        note(fmt::format("the stream ended inside {}: {} bytes of an unfinished event dropped",
                         stream == Stream::Binary ? "a binary frame" : "a line",
                         stream == Stream::Binary ? hopper.midFrame() : splitter.partial().size()));
    }
    if (stream == Stream::Binary &&
        !convertSpool(spool, spoolPath, decoder, onFrame, &result, note))
        return result;
    if (result.problems > kMaxNotedProblems)
        note(fmt::format("{} more format problems; see rscope trace check {}",
                         result.problems - kMaxNotedProblems, options.outPath));
    result.events = tally.events();
    result.dropped += tally.dropped();
    result.elapsedS = static_cast<double>(base::monotonicNs() - startNs) / 1e9;
    if (tally.failed())
        result.error = "the server's stream cannot be recorded: " + tally.lastProblem();
    else if (!tally.hasHeader())
        result.error = "the server sent no trace header before " +
                       (result.stopReason.empty() ? std::string("the end") : result.stopReason);
    if (!result.error.empty()) return result;

    result.cutFlows = tally.openFlows();
    if (!tally.ended())  // a trace_end the server sent itself is kept as it is
    {
        nlohmann::ordered_json end = {{"type", "trace_end"},
                                      {"events", result.events},
                                      {"dropped", result.dropped},
                                      {"cut_flows", result.cutFlows}};
        std::string line = end.dump() + "\n";
        out.append(line.data(), line.size());
        result.bytes += line.size();
    }
    if (!out.close())
    {
        result.error = out.error();
        return result;
    }
    result.ok = true;
    return result;
}

}  // namespace rscope::tracefile
