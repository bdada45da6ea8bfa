// rscope: the command-line entry point; subcommands live in one file each.
#include <CLI/CLI.hpp>

#include "engine/base/log.h"
#include "engine/cli/commands.h"

int main(int argc, char** argv)
{
    CLI::App app{"rscope: a process-mode (SWOOLE_PROCESS) TCP server you can watch work"};
    app.require_subcommand(1);
    // Global options such as --log-level may also follow the subcommand.
    app.fallthrough();
    std::string logLevel = "info";
    app.add_option("--log-level", logLevel, "debug, info, warn, error or off")
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    app.parse_complete_callback(
        [&]
        {
            rscope::base::LogLevel level;
            if (rscope::base::parseLogLevel(logLevel, &level)) rscope::base::setLogLevel(level);
        });
    rscope::cli::addServerCommand(app);
    rscope::cli::addClientCommand(app);
    rscope::cli::addTraceCommand(app);
    rscope::cli::addRecordCommand(app);
    rscope::cli::addTutorialCommand(app);
    rscope::cli::addWebCommand(app);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
