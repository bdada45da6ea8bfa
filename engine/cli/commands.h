// The rscope subcommands: each file registers one with the CLI11 app.
#pragma once

#include <string>

namespace CLI
{
class App;
}

namespace rscope::cli
{

void addServerCommand(CLI::App& app);
void addClientCommand(CLI::App& app);
void addTraceCommand(CLI::App& app);
void addRecordCommand(CLI::App& app);
void addTutorialCommand(CLI::App& app);
// `rscope web`: the browser viewer's server and live bridge (web_command.cpp).
void addWebCommand(CLI::App& app);
// `rscope trace step`, a subcommand of `rscope trace` (trace_step_command.cpp).
void addTraceStepCommand(CLI::App& trace);

// C escapes in command-line text: \n \r \t \\ \0 \xHH.
std::string unescape(const std::string& text);

}  // namespace rscope::cli
