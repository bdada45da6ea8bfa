// Line logger to stderr: every line names the role, its index and the pid.
// Thread-safety: safe from any thread or process; each line is one write(2).
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace rscope::base
{

enum class LogLevel
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
    Off = 4,
};

// Process-wide threshold, set by the CLI before any thread or child exists.
void setLogLevel(LogLevel level);
LogLevel logLevel();
bool parseLogLevel(std::string_view text, LogLevel* out);

void logLine(LogLevel level, std::string_view message);

// Bytes from outside made safe for a log line: control and non-ASCII bytes as \xNN (no escape
// sequence reaches a terminal), cut to maxBytes of input with "..." after.
std::string printableText(std::string_view bytes, size_t maxBytes = 64);

// The text of an errno value ("Broken pipe"); takes a positive or negative errno.
std::string errnoText(int err);

}  // namespace rscope::base

// Macros so that disabled levels skip the formatting work entirely.
#define RS_LOG(level, ...)                                                           \
    do                                                                               \
    {                                                                                \
        if (static_cast<int>(level) >= static_cast<int>(::rscope::base::logLevel())) \
            ::rscope::base::logLine(level, fmt::format(__VA_ARGS__));                \
    } while (0)
#define RS_DEBUG(...) RS_LOG(::rscope::base::LogLevel::Debug, __VA_ARGS__)
#define RS_INFO(...) RS_LOG(::rscope::base::LogLevel::Info, __VA_ARGS__)
#define RS_WARN(...) RS_LOG(::rscope::base::LogLevel::Warn, __VA_ARGS__)
#define RS_ERROR(...) RS_LOG(::rscope::base::LogLevel::Error, __VA_ARGS__)
