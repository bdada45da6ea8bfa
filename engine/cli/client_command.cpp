// `rscope client`: CLI11 options onto the article's client, or onto the verifying load generator
// when --connections, --duration or --requests is given.
#include <arpa/inet.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/cli/commands.h"
#include "engine/client/article_client.h"
#include "engine/client/load_client.h"

namespace rscope::cli
{

namespace
{
struct ClientOptions
{
    client::LoadOptions load;
    std::string message = "hello world\\n";
    std::string reply = "echo";
    int timeoutMs = 3000;
    std::string traceFrom;  // the server's trace socket: held time does not count
    std::string protocol = "raw";
    std::string packageEof = "\\r\\n";
    bool json = false;
};

// Many connections need many fds: raise the soft limit to the hard one when it is too low.
void raiseFdLimit(int connections)
{
    rlimit limit;
    rlim_t want = static_cast<rlim_t>(connections) + 64;
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= want) return;
    limit.rlim_cur = std::min(want, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

void printSummary(const ClientOptions& opts, const client::LoadOptions& o,
                  const client::LoadSummary& s)
{
    const client::LatencyHistogram& h = s.latency;
    std::printf("requests %llu, errors %llu, %.3f s, %.0f requests/s (%d connections%s, %zu B)\n",
                static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.errors), s.durationS, s.requestsPerSec,
                o.connections, o.connectPerRequest || o.articleReply ? ", one per request" : "",
                o.size);
    std::printf("latency us: p50 %.1f  p99 %.1f  p999 %.1f  mean %.1f  max %.1f\n",
                h.percentileUs(0.50), h.percentileUs(0.99), h.percentileUs(0.999), h.meanUs(),
                h.maxUs());
    if (!s.firstError.empty()) std::printf("first error: %s\n", s.firstError.c_str());
    if (opts.json)
    {
        nlohmann::json j = {{"requests", s.requests},
                            {"requests_per_sec", s.requestsPerSec},
                            {"errors", s.errors},
                            {"p50_us", h.percentileUs(0.50)},
                            {"p99_us", h.percentileUs(0.99)},
                            {"p999_us", h.percentileUs(0.999)},
                            {"mean_us", h.meanUs()},
                            {"max_us", h.maxUs()},
                            {"connections", o.connections},
                            {"duration_s", s.durationS},
                            {"size", o.size},
                            {"rate", o.rate},
                            {"threads", o.threads},
                            {"reply", opts.reply},
                            {"connect_per_request", o.connectPerRequest || o.articleReply},
                            {"first_error", s.firstError}};
        std::printf("%s\n", j.dump().c_str());
    }
    std::fflush(stdout);
}
// The article client's one message, framed for the server's --protocol: the delimiter added
// when it does not end with it, or the length field put in front.
std::string framedMessage(std::string message, const client::LoadOptions& o)
{
    if (o.framing == client::LoadOptions::Framing::Eof && !o.packageEof.empty() &&
        !message.ends_with(o.packageEof))
        message += o.packageEof;
    if (o.framing == client::LoadOptions::Framing::Length)
    {
        uint32_t n = htonl(static_cast<uint32_t>(message.size()));
        message.insert(0, reinterpret_cast<const char*>(&n), 4);
    }
    return message;
}
}  // namespace

void addClientCommand(CLI::App& app)
{
    auto opts = std::make_shared<ClientOptions>();
    client::LoadOptions& l = opts->load;
    CLI::App* cmd = app.add_subcommand(
        "client",
        "The article's client, or (with --connections/--duration/--requests) a load "
        "generator that verifies every reply byte for byte");
    cmd->add_option("--host", l.host, "Server address (IPv4)")->capture_default_str();
    cmd->add_option("--port", l.port, "Server port")->capture_default_str();
    cmd->add_option("--message", opts->message, "What to send (C escapes: \\n \\r \\t \\\\ \\xHH)")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", opts->timeoutMs, "Article client: give up after this long")
        ->check(CLI::Range(1, 3'600'000))
        ->capture_default_str();
    cmd->add_option("--trace-from", opts->traceFrom,
                    "Article client: the server's trace socket (host:port; rscope server "
                    "--trace-step). While a step client holds the server the timeout waits: "
                    "the time it is held does not count");
    auto* conns =
        cmd->add_option("--connections", l.connections, "Load: concurrent connections (100)")
            ->check(CLI::Range(1, 1'000'000));
    auto* duration = cmd->add_option("--duration", l.durationS, "Load: seconds to run (10)")
                         ->check(CLI::PositiveNumber);
    auto* requests = cmd->add_option("--requests", l.requests, "Load: total requests")
                         ->check(CLI::PositiveNumber);
    cmd->add_option("--size", l.size, "Load: request bytes")
        ->check(CLI::Range(1, 64 * 1024 * 1024))
        ->capture_default_str();
    cmd->add_flag("--connect-per-request", l.connectPerRequest,
                  "Load: each request opens a fresh connection, sends, reads the reply, closes");
    cmd->add_option("--rate", l.rate, "Load: total request starts/s (0 = as fast as possible)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--reply", opts->reply,
                    "Load: echo (reply = request) or article ('From TcpServer Swoole: ' + request, "
                    "then the server closes)")
        ->check(CLI::IsMember({"echo", "article"}))
        ->capture_default_str();
    cmd->add_option("--protocol", opts->protocol,
                    "Load: framing the server expects (its --protocol): raw, eof (each request "
                    "ends with --package-eof) or length (4-byte big-endian length, then the body)")
        ->check(CLI::IsMember({"raw", "eof", "length"}))
        ->capture_default_str();
    cmd->add_option("--package-eof", opts->packageEof,
                    "Load: the delimiter for --protocol eof (C escapes allowed)")
        ->capture_default_str();
    cmd->add_option("--threads", l.threads, "Load: client threads, one epoll loop each")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_flag("--json", opts->json, "Load: also print the summary as JSON on the last line");

    cmd->callback(
        [opts, conns, duration, requests]
        {
            bool loadMode = conns->count() || duration->count() || requests->count();
            client::LoadOptions load = opts->load;
            load.framing = opts->protocol == "eof"      ? client::LoadOptions::Framing::Eof
                           : opts->protocol == "length" ? client::LoadOptions::Framing::Length
                                                        : client::LoadOptions::Framing::Raw;
            load.packageEof = unescape(opts->packageEof);
            if (!loadMode)
                std::exit(client::runArticleClient(load.host, load.port,
                                                   framedMessage(unescape(opts->message), load),
                                                   opts->timeoutMs, opts->traceFrom));
            if (std::string bad = client::framingProblem(load); !bad.empty())
            {
                std::fprintf(stderr, "rscope client: %s\n", bad.c_str());
                std::exit(2);
            }
            load.articleReply = opts->reply == "article";
            if (!duration->count() && !requests->count()) load.durationS = 10;
            raiseFdLimit(load.connections);
            client::LoadSummary summary = client::runLoad(load);
            printSummary(*opts, load, summary);
            std::exit(summary.errors == 0 ? 0 : 1);
        });
}

}  // namespace rscope::cli
