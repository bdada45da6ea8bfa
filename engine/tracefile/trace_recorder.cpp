// recordTrace: one Recorder per recording. poll + recv; the JSON stream goes to the file line by
// line (runs of whole lines copied at once) and through a StreamTally (for the event count,
// drops and open flows of trace_end). A partial line is kept until its '\n' arrives, and on a
// stop request it gets 200 ms to complete. After the switch to binary frames, the frames are
// stored as they come and turned into lines after the stop.
#include "engine/tracefile/trace_recorder.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/stream_file.h"
#include "engine/base/unique_fd.h"
#include "engine/format/event_tally.h"
#include "engine/format/line_splitter.h"
#include "engine/format/trace_json.h"
#include "engine/format/trace_wire.h"
#include "engine/tracefile/stream_tally.h"

namespace rscope::tracefile
{

namespace
{
constexpr int kPollMs = 100;
constexpr int64_t kLineGraceNs = 200'000'000;
constexpr size_t kRecvBytes = 256 * 1024;
constexpr uint64_t kMaxNotedProblems = 10;
constexpr int64_t kFlushEveryNs = 100'000'000;
constexpr size_t kSpoolReadBytes = 4 << 20;  // a multiple of the 4 KiB direct I/O wants

class Recorder
{
  public:
    Recorder(const RecordOptions& options, const std::atomic<bool>& stop)
        : options_(options),
          stop_(stop),
          startNs_(base::monotonicNs()),
          tally_(options.outPath,
                 [this](const std::string& text)
                 {
                     if (++result_.problems <= kMaxNotedProblems) note("warning: " + text);
                 }),
          buffer_(kRecvBytes),
          spoolPath_(options.outPath + ".frames")
    {
    }

    RecordResult run()
    {
        sock_.reset(connectTraceSocket(options_.from, options_.connectTimeoutMs, &result_.error));
        if (!sock_.valid()) return result_;
        // O_DIRECT whole blocks: the recorder runs beside a server at full load (stream_file.h).
        if (!out_.open(options_.outPath))
        {
            result_.error = out_.error();
            return result_;
        }
        receive();
        if (!result_.error.empty())
        {
            if (spool_.isOpen()) spool_.close(), ::unlink(spoolPath_.c_str());
            return result_;
        }
        if (unfinished() && !tally_.failed())
        {
            ++result_.dropped;
            note(fmt::format(
                "the stream ended inside {}: {} bytes of an unfinished event dropped",
                stream_ == Stream::Binary ? "a binary frame" : "a line",
                stream_ == Stream::Binary ? hopper_.midFrame() : splitter_.partial().size()));
        }
        if (stream_ == Stream::Binary && !convertSpool()) return result_;
        finish();
        return result_;
    }

  private:
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

    void note(const std::string& text)
    {
        if (options_.onNote) options_.onNote(text);
    }

    // Until the duration, a stop request, the server's close or trace_end, or an error.
    void receive()
    {
        int64_t deadlineNs = options_.durationS > 0
                                 ? startNs_ + static_cast<int64_t>(options_.durationS * 1e9)
                                 : INT64_MAX;
        int64_t graceEndNs = INT64_MAX;  // set once a stop is asked while a line is unfinished
        int64_t flushedNs = startNs_;
        for (;;)
        {
            int64_t now = base::monotonicNs();
            if (now - flushedNs >= kFlushEveryNs)
            {
                out_.flush();  // a reader following the file sees the stream at most 100 ms late
                flushedNs = now;
            }
            if (!out_.isOpen() || (stream_ == Stream::Binary && !spool_.isOpen()))
            {
                result_.error = out_.isOpen() ? spool_.error() : out_.error();
                return;
            }
            if (result_.stopReason.empty() && (stop_.load() || now >= deadlineNs))
            {
                result_.stopReason = stop_.load() ? "stopped" : "duration";
                if (!unfinished()) return;
                graceEndNs = now + kLineGraceNs;
            }
            if (!result_.stopReason.empty() && (!unfinished() || now >= graceEndNs)) return;
            int64_t untilNs = std::min(deadlineNs, graceEndNs) - now;
            int timeoutMs =
                static_cast<int>(std::clamp<int64_t>(untilNs / 1'000'000 + 1, 1, kPollMs));
            pollfd p{sock_.get(), POLLIN, 0};
            int n = ::poll(&p, 1, timeoutMs);
            if (n < 0 && errno != EINTR)
            {
                result_.error = fmt::format("poll: {}", base::errnoText(errno));
                return;
            }
            if (n <= 0) continue;
            // Frames are received straight into the spool's staging buffer.
            char* into = stream_ == Stream::Binary ? spool_.reserve(kRecvBytes) : buffer_.data();
            ssize_t got = ::recv(sock_.get(), into, kRecvBytes, 0);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (got <= 0)
            {
                if (result_.stopReason.empty())
                    result_.stopReason =
                        got == 0 ? "server closed" : "connection lost: " + base::errnoText(errno);
                return;
            }
            received_ = static_cast<size_t>(got);
            if (stream_ == Stream::Binary)
            {
                if (!spoolFrames(std::string_view(into, received_))) return;
                spool_.advance(received_);
                spool_.writeIfFull();
                continue;
            }
            if (!feed(std::string_view(buffer_.data(), received_))) return;
            if (tally_.ended() && result_.stopReason.empty())
                result_.stopReason = "server trace_end";
            if (tally_.failed() || tally_.ended()) return;
        }
    }

    // One received chunk of the JSON part of the stream; false when the binary stream that
    // follows it cannot be stored.
    bool feed(std::string_view data)
    {
        auto onLine = [this](std::string_view line, bool tooLong) { this->onLine(line, tooLong); };
        if (stream_ == Stream::AwaitBinary && !awaitBinary(data, onLine)) return false;
        if (stream_ == Stream::Json) splitter_.feed(data, onLine);
        writeRun();
        if (stream_ == Stream::Binary && !data.empty())
        {
            if (!spoolFrames(data)) return false;
            spool_.append(data.data(), data.size());
        }
        if (stream_ == Stream::Json && options_.binary && tally_.hasHeader() && !tally_.failed())
        {
            // The header is in: ask for frames. Lines sent before the switch still come as JSON.
            static constexpr char kCommand[] = "binary\n";
            if (::send(sock_.get(), kCommand, sizeof kCommand - 1, MSG_NOSIGNAL) ==
                static_cast<ssize_t>(sizeof kCommand - 1))
                stream_ = Stream::AwaitBinary;
        }
        return true;
    }

    // Line by line up to the switch line; leaves in data what follows it (frames).
    template <typename OnLine>
    bool awaitBinary(std::string_view& data, OnLine& onLine)
    {
        while (!data.empty() && stream_ == Stream::AwaitBinary)
        {
            const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
            size_t take = nl ? static_cast<size_t>(nl - data.data()) + 1 : data.size();
            std::string_view piece = data.substr(0, take);
            data.remove_prefix(take);
            std::string joined = nl && !splitter_.partial().empty()
                                     ? std::string(splitter_.partial()) + std::string(piece)
                                     : std::string();
            if (nl && (piece == trace::kBinaryStartLine || joined == trace::kBinaryStartLine))
            {
                splitter_.clearPartial();
                writeRun();
                if (!spool_.open(spoolPath_))
                {
                    result_.error = spool_.error();
                    return false;
                }
                stream_ = Stream::Binary;
                result_.binaryFrames = true;
            }
            else
                splitter_.feed(piece, onLine);
        }
        return true;
    }

    void onLine(std::string_view line, bool tooLong)
    {
        if (tooLong || tally_.failed() || tally_.ended())
        {
            if (tooLong) note(fmt::format("dropped a line longer than {} bytes", kMaxLineBytes));
            result_.dropped += tooLong ? 1 : 0;
            return;
        }
        // Lines that follow each other in the receive buffer go to the file as one run (one
        // copy per recv, not two per line); others (joined across recvs) on their own.
        const char* end = line.data() + line.size();
        bool inBuffer =
            line.data() >= buffer_.data() && end < buffer_.data() + received_ && *end == '\n';
        if (inBuffer && run_.data() + run_.size() == line.data())
            run_ = std::string_view(run_.data(), run_.size() + line.size() + 1);
        else
        {
            writeRun();
            if (inBuffer)
                run_ = std::string_view(line.data(), line.size() + 1);
            else
            {
                out_.append(line.data(), line.size());
                out_.append("\n", 1);
            }
        }
        result_.bytes += line.size() + 1;
        tally_.line(line);
    }

    // Accepted lines (with their '\n') not yet copied to the output.
    void writeRun()
    {
        if (!run_.empty()) out_.append(run_.data(), run_.size());
        run_ = {};
    }

    bool spoolFrames(std::string_view data)
    {
        if (hopper_.feed(data)) return true;
        result_.error = "the server's binary stream cannot be decoded: " + hopper_.error();
        return false;
    }

    bool unfinished() const
    {
        return stream_ == Stream::Binary ? hopper_.midFrame() > 0 : !splitter_.partial().empty();
    }

    void onFrame(const trace::WireDecoder::Event& e)
    {
        char* line = out_.reserve(trace::kMaxEventLineBytes);
        size_t size = static_cast<size_t>(
            trace::writeEventLine(line, e.seq, *e.record, *e.actor, e.preview) - line);
        out_.advance(size);
        result_.bytes += size;
        tally_.event(*e.record);
    }

    // Turns the stored frames into JSON lines, then deletes them. A frame cut by the stop is
    // left out (it was counted as dropped).
    bool convertSpool()
    {
        int64_t startNs = base::monotonicNs();
        bool ok = spool_.close();
        if (!ok) result_.error = spool_.error();
        // Read with O_DIRECT too: a gigabyte read once is not worth the page cache, and on a VM
        // the pages it frees afterwards cost the next user a host fault each.
        base::UniqueFd in(ok ? ::open(spoolPath_.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT) : -1);
        if (ok && !in.valid()) in.reset(::open(spoolPath_.c_str(), O_RDONLY | O_CLOEXEC));
        if (ok && !in.valid())
        {
            result_.error = fmt::format("open({}): {}", spoolPath_, base::errnoText(errno));
            ok = false;
        }
        std::unique_ptr<char, decltype(&std::free)> chunk(
            static_cast<char*>(std::aligned_alloc(base::StreamFile::kBlock, kSpoolReadBytes)),
            &std::free);
        auto onFrame = [this](const trace::WireDecoder::Event& e) { this->onFrame(e); };
        uint64_t bytes = 0;
        while (ok)
        {
            ssize_t n = ::read(in.get(), chunk.get(), kSpoolReadBytes);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EINVAL && (::fcntl(in.get(), F_GETFL) & O_DIRECT) != 0)
            {
                // Direct I/O accepted at open, refused on read (some file systems): go buffered.
                ::fcntl(in.get(), F_SETFL, ::fcntl(in.get(), F_GETFL) & ~O_DIRECT);
                continue;
            }
            if (n < 0)
            {
                result_.error = fmt::format("read({}): {}", spoolPath_, base::errnoText(errno));
                ok = false;
            }
            if (n <= 0) break;
            bytes += static_cast<uint64_t>(n);
            if (!decoder_.feed(std::string_view(chunk.get(), static_cast<size_t>(n)), onFrame))
            {
                result_.error = "the server's binary stream cannot be decoded: " + decoder_.error();
                ok = false;
            }
        }
        ::unlink(spoolPath_.c_str());
        if (ok && bytes > (64u << 20))  // worth a word only when the wait is noticeable
            note(fmt::format("turned {} MB of binary frames into JSON lines in {:.2f} s",
                             bytes >> 20,
                             static_cast<double>(base::monotonicNs() - startNs) / 1e9));
        return ok;
    }

    // The counts, the trace_end line (unless the server sent its own) and the file's close.
    void finish()
    {
        if (result_.problems > kMaxNotedProblems)
            note(fmt::format("{} more format problems; see rscope trace check {}",
                             result_.problems - kMaxNotedProblems, options_.outPath));
        result_.events = tally_.tally().events();
        result_.dropped += tally_.tally().dropped();
        result_.elapsedS = static_cast<double>(base::monotonicNs() - startNs_) / 1e9;
        if (tally_.failed())
            result_.error = "the server's stream cannot be recorded: " + tally_.lastProblem();
        else if (!tally_.hasHeader())
            result_.error =
                "the server sent no trace header before " +
                (result_.stopReason.empty() ? std::string("the end") : result_.stopReason);
        if (!result_.error.empty()) return;

        result_.cutFlows = tally_.tally().openFlows();
        if (!tally_.ended())  // a trace_end the server sent itself is kept as it is
        {
            std::string line =
                trace::traceEndLine(result_.events, result_.dropped, result_.cutFlows);
            out_.append(line.data(), line.size());
            result_.bytes += line.size();
        }
        if (!out_.close())
        {
            result_.error = out_.error();
            return;
        }
        result_.ok = true;
    }

    const RecordOptions& options_;
    const std::atomic<bool>& stop_;
    RecordResult result_;
    const int64_t startNs_;
    base::UniqueFd sock_;
    base::StreamFile out_;
    StreamTally tally_;
    LineSplitter splitter_;
    std::vector<char> buffer_;  // the JSON part of the stream is received here
    size_t received_ = 0;       // bytes of buffer_ filled by the last recv
    std::string_view run_;      // accepted lines (with their '\n') not yet copied to out_
    Stream stream_ = Stream::Json;
    const std::string spoolPath_;
    base::StreamFile spool_;
    trace::FrameHopper hopper_;
    trace::WireDecoder decoder_;
};
}  // namespace

RecordResult recordTrace(const RecordOptions& options, const std::atomic<bool>& stop)
{
    return Recorder(options, stop).run();
}

}  // namespace rscope::tracefile
