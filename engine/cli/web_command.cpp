// `rscope web`: serve the browser viewer's files, the bundled traces and tutorials, and bridge
// /live WebSockets to a server's trace socket (engine/web). Runs until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/base/process_globals.h"
#include "engine/cli/commands.h"
#include "engine/web/browser_command.h"
#include "engine/web/site_dirs.h"
#include "engine/web/web_server.h"

namespace rscope::cli
{

namespace
{
int runWeb(web::WebOptions options)
{
    if (options.siteRoot.empty()) options.siteRoot = web::findSiteRoot();
    options.tracesDir = web::findBundledDir("traces");
    options.tutorialsDir = web::findBundledDir("tutorials");
    // Blocked before civetweb starts its threads, so they inherit the mask and only sigwait
    // below takes the signals.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    web::WebServer server(options);
    std::string error;
    if (!server.start(&error))
    {
        std::fprintf(stderr, "rscope web: listen on %s\n", error.c_str());
        return 1;
    }
    bool loopback = web::isLoopbackAddress(options.host) || options.host == "localhost";
    std::printf("rscope web: serving http://%s:%u/ (%s)\n", options.host.c_str(), server.port(),
                loopback ? "loopback only; --host 0.0.0.0 shares it with other machines"
                         : "reachable from other machines");
    std::printf("rscope web: live view bridges to the trace socket %s\n",
                options.traceAddress.c_str());
    if (options.siteRoot.empty())
        std::printf(
            "rscope web: the web viewer is not built (no build-web/site): / says how to "
            "build it (bash scripts/build-web.sh)\n");
    else
        std::printf("rscope web: viewer files from %s\n", options.siteRoot.c_str());
    std::fflush(stdout);
    if (!loopback)
        std::fprintf(stderr,
                     "rscope web: warning: %s is not a loopback address: anyone who can reach "
                     "this machine sees the trace stream (payload previews too)%s\n",
                     options.host.c_str(),
                     options.allowRemoteStep
                         ? " and, with --allow-remote-step, can pause the server"
                         : "; their step commands are dropped");
    int received = 0;
    while (::sigwait(&stopSignals, &received) != 0)
    {
    }
    std::fprintf(stderr, "rscope web: %s: stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    return 0;
}
}  // namespace

void addWebCommand(CLI::App& app)
{
    auto opts = std::make_shared<web::WebOptions>();
    CLI::App* cmd = app.add_subcommand(
        "web",
        "Serve the viewer to a browser (static files, the bundled traces and tutorials) and "
        "bridge its live view (WebSocket /live) to a server's trace socket; Ctrl-C stops it");
    cmd->add_option("--host", opts->host, "Address to listen on (loopback unless you share it)")
        ->capture_default_str();
    cmd->add_option("--port", opts->port, "TCP port (0 = any free port, printed at start)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--trace", opts->traceAddress,
                    "Trace socket the live view bridges to: HOST:PORT, :PORT or unix:PATH")
        ->capture_default_str();
    cmd->add_option("--root", opts->siteRoot,
                    "The web build's files (default: the first build-web/site found in the "
                    "working directory, beside the binary, in the source tree)")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--allow-remote-step", opts->allowRemoteStep,
                  "Forward hold/step/run from browsers that are not on loopback too");
    cmd->callback(
        [opts]
        {
            base::nameThread("rs-web");
            std::exit(runWeb(*opts));
        });
}

}  // namespace rscope::cli
