// `rscope client`: the article's client, or the verifying load generator.
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
    bool json = false;
};

void printSummary(const ClientOptions& opts, const client::LoadSummary& s)
{
    const client::LoadOptions& o = opts.load;
    std::printf("requests %llu, errors %llu, %.2f s, %.0f requests/s\n",
                static_cast<unsigned long long>(s.requests),
                static_cast<unsigned long long>(s.errors), s.durationS, s.requestsPerSec);
    std::printf("latency us: p50 %.1f  p99 %.1f  p999 %.1f  mean %.1f  max %.1f\n",
                s.latency.percentileUs(0.50), s.latency.percentileUs(0.99),
                s.latency.percentileUs(0.999), s.latency.meanUs(), s.latency.maxUs());
    if (!s.firstError.empty()) std::printf("first error: %s\n", s.firstError.c_str());
    if (opts.json)
    {
        nlohmann::json j = {{"requests", s.requests},
                            {"requests_per_sec", s.requestsPerSec},
                            {"errors", s.errors},
                            {"p50_us", s.latency.percentileUs(0.50)},
                            {"p99_us", s.latency.percentileUs(0.99)},
                            {"p999_us", s.latency.percentileUs(0.999)},
                            {"mean_us", s.latency.meanUs()},
                            {"max_us", s.latency.maxUs()},
                            {"connections", o.connections},
                            {"duration_s", s.durationS},
                            {"size", o.size},
                            {"rate", o.rate},
                            {"threads", o.threads},
                            {"connect_per_request", o.connectPerRequest}};
        std::printf("%s\n", j.dump().c_str());
    }
    std::fflush(stdout);
}
}  // namespace

void addClientCommand(CLI::App& app)
{
    auto opts = std::make_shared<ClientOptions>();
    client::LoadOptions& l = opts->load;
    CLI::App* cmd = app.add_subcommand(
        "client",
        "The article's client, or (with --connections/--duration/--requests) a load "
        "generator that verifies every reply");
    cmd->add_option("--host", l.host, "Server address")->capture_default_str();
    cmd->add_option("--port", l.port, "Server port")->capture_default_str();
    cmd->add_option("--message", opts->message, "Article mode: what to send (C escapes)")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", opts->timeoutMs, "Article mode: give up after this long")
        ->capture_default_str();
    auto* conns = cmd->add_option("--connections", l.connections, "Load: concurrent connections")
                      ->check(CLI::Range(1, 100000));
    auto* duration = cmd->add_option("--duration", l.durationS, "Load: seconds to run");
    auto* requests = cmd->add_option("--requests", l.requests, "Load: total requests");
    cmd->add_option("--size", l.size, "Load: request bytes")
        ->check(CLI::Range(1, 64 * 1024 * 1024))
        ->capture_default_str();
    cmd->add_flag("--connect-per-request", l.connectPerRequest,
                  "Load: a fresh connection per request");
    cmd->add_option("--rate", l.rate, "Load: total requests/s (0 = as fast as possible)");
    cmd->add_option("--reply", opts->reply,
                    "Load: echo (reply = request) or article ('From TcpServer: ' + request, "
                    "then close)")
        ->check(CLI::IsMember({"echo", "article"}))
        ->capture_default_str();
    cmd->add_option("--threads", l.threads, "Load: client threads")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print the summary as one JSON object on the last line");

    cmd->callback(
        [opts, conns, duration, requests]
        {
            bool loadMode = conns->count() || duration->count() || requests->count();
            if (!loadMode)
                std::exit(client::runArticleClient(opts->load.host, opts->load.port,
                                                   unescape(opts->message), opts->timeoutMs));
            client::LoadOptions load = opts->load;
            load.articleReply = opts->reply == "article";
            if (load.durationS <= 0 && load.requests == 0) load.durationS = 10;
            client::LoadSummary summary = client::runLoad(load);
            printSummary(*opts, summary);
            std::exit(summary.errors == 0 && summary.requests > 0 ? 0 : 1);
        });
}

}  // namespace rscope::cli
