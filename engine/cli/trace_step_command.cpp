// `rscope trace step`: walk a live server (rscope server --trace-step) through its events from a
// terminal. Holds the step gate, prints each event as one short line, and steps on Enter (or
// every --every ms); quitting closes the connection, which lets the server run on
// (traces/FORMAT.md section 10).
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/unique_fd.h"
#include "engine/cli/commands.h"
#include "engine/format/line_parser.h"
#include "engine/format/trace_socket.h"

namespace rscope::cli
{

namespace
{
constexpr int64_t kTailMs = 300;  // after the last step: time for its events to arrive

struct StepOptions
{
    std::string from = tracefile::kDefaultTraceAddress;
    int everyMs = 0;  // 0: step on Enter
    long count = 0;   // 0: no limit
    int connectTimeoutMs = 3000;
};

// "#42 reactor[1] read session=1 fd=12 reactor=1 (swReactorThread_onRead)".
std::string shortLine(const tracefile::DecodedLine& e)
{
    std::string who = e.role.empty() ? std::string("?") : std::string(e.role);
    if (e.index >= 0) who += fmt::format("[{}]", e.index);
    std::string out = fmt::format("#{:<6} {:<11} {:<16}", e.seq.value_or(0), who,
                                  e.kindName.empty() ? std::string_view("?") : e.kindName);
    for (auto [id, value] : {std::pair{"session", e.session}, std::pair{"fd", e.fd},
                             std::pair{"reactor", e.reactor}, std::pair{"worker", e.worker}})
        if (value) out += fmt::format(" {}={}", id, *value);
    if (e.payload) out += fmt::format(" payload=\"{}\"", e.rawPayload);
    return out + fmt::format(" ({})", e.fn);
}

class Stepper
{
  public:
    Stepper(const StepOptions& options, int fd) : options_(options), fd_(fd) {}

    int run()
    {
        std::string header;
        if (!nextLine(&header, 3000))
            return fail("no header from the server (closed or silent for 3 s)");
        parser_.parse(header, line_);
        if (line_.lineError == tracefile::LineError::TooDeep)
            return fail("the first line is nested too deep to be a trace header");
        if (line_.type != tracefile::LineType::Header)
            return fail("the first line is not a trace header");
        if (!line_.header.settings.traceStep)
            return fail("this server runs without --trace-step: there is nothing to step");
        send("hold");
        bool interactive = options_.everyMs <= 0;
        std::fprintf(stderr, "%s\n",
                     interactive ? "holding the server: Enter = 1 step, N = N steps, r = run, "
                                   "h = hold again, q = quit (lets the server run)"
                                 : "holding the server: stepping on a timer; Ctrl-C lets it run");
        int64_t nextStepMs = base::monotonicMs() + options_.everyMs;
        int64_t endMs = -1;  // set once --count steps are out
        for (;;)
        {
            int64_t now = base::monotonicMs();
            if (endMs < 0 && options_.count > 0 && steps_ >= options_.count) endMs = now + kTailMs;
            if (endMs >= 0 && now >= endMs) return 0;
            if (!interactive && endMs < 0 && now >= nextStepMs)
            {
                step(1);
                nextStepMs = now + options_.everyMs;
                continue;
            }
            int64_t waitUntil = endMs >= 0 ? endMs : interactive ? now + 1000 : nextStepMs;
            pollfd fds[2] = {{fd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
            int n = ::poll(fds, interactive && !stdinClosed_ ? 2 : 1,
                           static_cast<int>(std::max<int64_t>(0, waitUntil - now)));
            if (n < 0 && errno != EINTR) return fail("poll failed");
            if (n <= 0) continue;
            if (fds[0].revents != 0 && !readEvents()) return serverClosed();
            if (interactive && fds[1].revents != 0 && !readCommands()) return 0;
        }
    }

  private:
    int fail(const std::string& why)
    {
        std::fprintf(stderr, "rscope trace step: %s: %s\n", options_.from.c_str(), why.c_str());
        return 1;
    }

    int serverClosed()
    {
        std::fprintf(stderr, "the server closed the trace connection\n");
        return 0;
    }

    void send(const std::string& command)
    {
        std::string line = command + "\n";
        ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL);
    }

    void step(long n)
    {
        if (options_.count > 0) n = std::min(n, options_.count - steps_);
        if (n <= 0) return;
        send(n == 1 ? "step" : fmt::format("step {}", n));
        steps_ += n;
    }

    // A whole line from the server within timeoutMs (the header); false on EOF or timeout.
    bool nextLine(std::string* line, int timeoutMs)
    {
        int64_t deadline = base::monotonicMs() + timeoutMs;
        for (;;)
        {
            if (auto nl = in_.find('\n'); nl != std::string::npos)
            {
                *line = in_.substr(0, nl);
                in_.erase(0, nl + 1);
                return true;
            }
            int64_t left = deadline - base::monotonicMs();
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
            if (!receive()) return false;
        }
    }

    bool receive()
    {
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
        in_.append(buf, static_cast<size_t>(n));
        return true;
    }

    bool readEvents()
    {
        bool open = receive();
        size_t nl;
        while ((nl = in_.find('\n')) != std::string::npos)
        {
            parser_.parse(std::string_view(in_.data(), nl), line_);
            bool isEvent = line_.type == tracefile::LineType::Event ||
                           line_.type == tracefile::LineType::UnknownKind;
            // Before the erase: the raw payload is a view of the line.
            if (isEvent && line_.seq) std::printf("%s\n", shortLine(line_).c_str());
            in_.erase(0, nl + 1);
        }
        std::fflush(stdout);
        return open;
    }

    // False when the user quits (q or end of input).
    bool readCommands()
    {
        char buf[256];
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0)
        {
            stdinClosed_ = true;
            return false;
        }
        typed_.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = typed_.find('\n')) != std::string::npos)
        {
            std::string cmd = typed_.substr(0, nl);
            typed_.erase(0, nl + 1);
            if (cmd == "q" || cmd == "quit") return false;
            if (cmd == "r" || cmd == "run")
                send("run");
            else if (cmd == "h" || cmd == "hold")
                send("hold");
            else if (cmd.empty())
                step(1);
            else if (long k = std::atol(cmd.c_str()); k > 0)
                step(k);
            else
                std::fprintf(stderr, "Enter, a number, r, h or q\n");
        }
        return true;
    }

    const StepOptions& options_;
    int fd_;
    tracefile::LineParser parser_;
    tracefile::DecodedLine line_;  // reused for every line
    std::string in_;               // from the server, not yet a whole line
    std::string typed_;            // from the terminal, not yet a whole line
    long steps_ = 0;
    bool stdinClosed_ = false;
};
}  // namespace

void addTraceStepCommand(CLI::App& trace)
{
    auto opts = std::make_shared<StepOptions>();
    CLI::App* cmd = trace.add_subcommand(
        "step",
        "Walk a live server started with --trace-step through its events: holds it, prints each "
        "event, steps on Enter (or every --every ms); quitting lets the server run on");
    cmd->add_option("--from", opts->from, "Trace socket: host:port or unix:PATH")
        ->capture_default_str();
    cmd->add_option("--every", opts->everyMs, "Step by itself every MS milliseconds (no input)")
        ->check(CLI::Range(1, 3'600'000));
    cmd->add_option("--count", opts->count, "Quit after this many steps (the server runs on)")
        ->check(CLI::Range(1L, 1'000'000'000L));
    cmd->add_option("--connect-timeout-ms", opts->connectTimeoutMs, "Give up connecting after this")
        ->capture_default_str();
    cmd->callback(
        [opts]
        {
            std::string error;
            int fd = tracefile::connectTraceSocket(opts->from, opts->connectTimeoutMs, &error);
            if (fd < 0)
            {
                std::fprintf(stderr, "rscope trace step: %s\n", error.c_str());
                std::exit(1);
            }
            base::UniqueFd conn(fd);
            Stepper stepper(*opts, fd);
            std::exit(stepper.run());
        });
}

}  // namespace rscope::cli
