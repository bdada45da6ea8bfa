// `rscope record`: save a running server's trace stream to a JSON Lines file until --duration,
// the server closing the socket, or Ctrl-C; the work is in engine/tracefile/trace_recorder.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>

#include "engine/base/process_globals.h"
#include "engine/cli/commands.h"
#include "engine/tracefile/trace_recorder.h"

namespace rscope::cli
{

namespace
{
// Process-wide: set by the SIGINT/SIGTERM handler installed by `rscope record`, read by the
// recording loop (lock-free atomic, so async-signal-safe).
std::atomic<bool> gStopRecording{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onStopSignal(int)
{
    gStopRecording.store(true);
}

void installStopHandlers()
{
    struct sigaction action
    {
    };
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: poll returns at once with EINTR
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}
}  // namespace

void addRecordCommand(CLI::App& app)
{
    auto opts = std::make_shared<tracefile::RecordOptions>();
    CLI::App* cmd = app.add_subcommand(
        "record",
        "Record a running server's trace socket to a JSON Lines file (header first, lines as "
        "sent), ending it with a trace_end line; stops after --duration, when the server "
        "closes the socket, or on Ctrl-C / SIGTERM");
    cmd->add_option("--from", opts->from, "Trace socket: HOST:PORT or unix:PATH")
        ->capture_default_str();
    cmd->add_option("--out,-o", opts->outPath, "Output file (.jsonl)")->required();
    cmd->add_option("--duration", opts->durationS, "Stop after S seconds (default: no limit)")
        ->check(CLI::PositiveNumber);
    cmd->add_option_function<std::string>(
           "--stream", [opts](const std::string& v) { opts->binary = v == "binary"; },
           "binary (default): the server sends its records, stored as they come and written "
           "as the same JSON lines after the stop; json: the plain JSON Lines stream, written live")
        ->check(CLI::IsMember({"binary", "json"}));
    cmd->add_option("--connect-timeout-ms", opts->connectTimeoutMs, "Give up connecting after this")
        ->check(CLI::Range(1, 600'000))
        ->capture_default_str();
    cmd->callback(
        [opts]
        {
            opts->onNote = [](const std::string& text)
            { std::fprintf(stderr, "rscope record: %s\n", text.c_str()); };
            installStopHandlers();
            base::nameThread("rs-record");
            tracefile::RecordResult r = tracefile::recordTrace(*opts, gStopRecording);
            if (!r.ok)
            {
                std::fprintf(stderr, "rscope record: %s\n", r.error.c_str());
                std::exit(1);
            }
            std::fprintf(stderr,
                         "rscope record: %llu events (%llu dropped, %zu flows cut) in %.3f s to "
                         "%s; %s; %s stream\n",
                         static_cast<unsigned long long>(r.events),
                         static_cast<unsigned long long>(r.dropped), r.cutFlows.size(), r.elapsedS,
                         opts->outPath.c_str(), r.stopReason.c_str(),
                         r.binaryFrames ? "binary" : "JSON");
            std::exit(0);
        });
}

}  // namespace rscope::cli
