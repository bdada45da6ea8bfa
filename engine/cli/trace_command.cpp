// `rscope trace check|stats|export`: offline tools over a recorded JSON Lines trace
// (traces/FORMAT.md); the work is in engine/tracefile, this file only wires options and output.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/cli/commands.h"
#include "engine/tracefile/chrome_export.h"
#include "engine/tracefile/model_check.h"
#include "engine/tracefile/trace_check.h"
#include "engine/tracefile/trace_stats.h"

namespace rscope::cli
{

namespace
{
struct TraceOptions
{
    std::string file;
    bool quiet = false;
    bool model = false;
    bool json = false;
    std::string format = "chrome";
    std::string output;
};

void printProblem(const tracefile::Problem& p, bool errorsOnly, std::FILE* to)
{
    if (errorsOnly && p.severity != tracefile::Severity::Error) return;
    const char* tag = p.severity == tracefile::Severity::Error ? "" : "warning: ";
    std::string where = p.where.file;
    if (p.where.line > 0) where += ":" + std::to_string(p.where.line);
    std::fprintf(to, "%s: %s%s\n", where.c_str(), tag, p.where.message.c_str());
}

void addCheck(CLI::App& trace, std::shared_ptr<TraceOptions> opts)
{
    CLI::App* cmd = trace.add_subcommand(
        "check",
        "Check a trace against traces/FORMAT.md: header and version, required fields and their "
        "types, args of every known kind, seq order, and that every request flow is closed or "
        "listed as cut in trace_end. Prints FILE:LINE: message per problem, then a summary; "
        "exits 1 when there is an error");
    cmd->add_option("file", opts->file, "Trace file (JSON Lines)")->required();
    cmd->add_flag("--quiet,-q", opts->quiet, "Print errors only: no warnings, no summary");
    cmd->add_flag("--model", opts->model,
                  "Also check the trace against the process model: reactor = fd % reactor_num, "
                  "the dispatch_mode rule (modes 2 and 4), replies through the owning reactor, no "
                  "data after close, one onClose per session; prints FILE:LINE: model: message");
    cmd->callback(
        [opts]
        {
            tracefile::CheckSummary summary =
                tracefile::checkTrace(opts->file, [&](const tracefile::Problem& p)
                                      { printProblem(p, opts->quiet, stdout); });
            size_t findings = 0;
            if (opts->model && summary.readable)
            {
                for (const tracefile::ModelFinding& f : tracefile::checkModel(opts->file))
                {
                    std::printf("%s:%llu: model: %s\n", opts->file.c_str(),
                                static_cast<unsigned long long>(f.line), f.message.c_str());
                    ++findings;
                }
            }
            if (!opts->quiet)
            {
                std::printf("%s\n", summary.toString().c_str());
                if (opts->model)
                    std::printf("%s: %zu model findings\n", opts->file.c_str(), findings);
            }
            std::fflush(stdout);
            std::exit(summary.ok() && findings == 0 ? 0 : 1);
        });
}

void addStats(CLI::App& trace, std::shared_ptr<TraceOptions> opts)
{
    CLI::App* cmd = trace.add_subcommand(
        "stats",
        "Counts per event kind and per actor, events/s, dropped events, and latency percentiles "
        "per request flow (first read -> last reactor_write) and per hop");
    cmd->add_option("file", opts->file, "Trace file (JSON Lines)")->required();
    cmd->add_flag("--json", opts->json, "Print one JSON object instead of the tables");
    cmd->callback(
        [opts]
        {
            uint64_t shown = 0;
            tracefile::TraceStats stats =
                tracefile::computeTraceStats(opts->file,
                                             [&](const tracefile::Problem& p)
                                             {
                                                 if (++shown <= 10) printProblem(p, false, stderr);
                                             });
            if (shown > 10)
                std::fprintf(stderr, "%llu more problems: see rscope trace check %s\n",
                             static_cast<unsigned long long>(shown - 10), opts->file.c_str());
            if (!stats.readable) std::exit(1);
            if (opts->json)
                std::printf("%s\n", tracefile::statsToJson(stats).dump().c_str());
            else
                std::printf("%s", tracefile::formatStats(stats).c_str());
            std::fflush(stdout);
            std::exit(0);
        });
}

void addExport(CLI::App& trace, std::shared_ptr<TraceOptions> opts)
{
    CLI::App* cmd = trace.add_subcommand(
        "export",
        "Convert a trace for another viewer. chrome: Chrome Trace Event JSON for "
        "ui.perfetto.dev or chrome://tracing (named processes and threads, one slice per event, "
        "flow arrows per request)");
    cmd->add_option("file", opts->file, "Trace file (JSON Lines)")->required();
    cmd->add_option("--format", opts->format, "Output format")
        ->check(CLI::IsMember({"chrome"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", opts->output, "Output file")->required();
    cmd->callback(
        [opts]
        {
            std::ofstream out(opts->output, std::ios::binary | std::ios::trunc);
            if (!out)
            {
                std::fprintf(stderr, "rscope trace export: cannot open %s for writing\n",
                             opts->output.c_str());
                std::exit(1);
            }
            uint64_t shown = 0;
            tracefile::ChromeExportSummary summary =
                tracefile::exportChromeTrace(opts->file, out,
                                             [&](const tracefile::Problem& p)
                                             {
                                                 if (++shown <= 10) printProblem(p, false, stderr);
                                             });
            out.close();
            if (!out)
            {
                std::fprintf(stderr, "rscope trace export: writing %s failed\n",
                             opts->output.c_str());
                std::exit(1);
            }
            std::fprintf(stderr,
                         "%s: %llu slices, %llu with flow ids, %llu processes, %llu threads\n",
                         opts->output.c_str(), static_cast<unsigned long long>(summary.slices),
                         static_cast<unsigned long long>(summary.flowEvents),
                         static_cast<unsigned long long>(summary.processes),
                         static_cast<unsigned long long>(summary.threads));
            std::exit(summary.readable ? 0 : 1);
        });
}
}  // namespace

void addTraceCommand(CLI::App& app)
{
    auto opts = std::make_shared<TraceOptions>();
    CLI::App* trace = app.add_subcommand(
        "trace",
        "Check, summarise or convert a recorded trace, or step a live server (see "
        "traces/FORMAT.md)");
    trace->require_subcommand(1);
    addCheck(*trace, opts);
    addStats(*trace, opts);
    addExport(*trace, opts);
    addTraceStepCommand(*trace);
}

}  // namespace rscope::cli
