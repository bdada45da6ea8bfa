// stderr line logger: "[role pid] LEVEL message".
#include "engine/base/log.h"

#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "engine/base/log_rate_limit.h"
#include "engine/base/process_globals.h"

namespace rscope::base
{

namespace
{
// Written by the CLI at startup (before threads and forks), read everywhere.
std::atomic<int> gLogLevel{static_cast<int>(LogLevel::Info)};

const char* levelTag(LogLevel level)
{
    switch (level)
    {
        case LogLevel::Debug:
            return "DEBUG";
        case LogLevel::Info:
            return "INFO ";
        case LogLevel::Warn:
            return "WARN ";
        case LogLevel::Error:
            return "ERROR";
        case LogLevel::Off:
            break;
    }
    return "";
}
}  // namespace

void setLogLevel(LogLevel level)
{
    gLogLevel.store(static_cast<int>(level));
}
LogLevel logLevel()
{
    return static_cast<LogLevel>(gLogLevel.load(std::memory_order_relaxed));
}

bool parseLogLevel(std::string_view text, LogLevel* out)
{
    static const struct
    {
        const char* name;
        LogLevel level;
    } kNames[] = {{"debug", LogLevel::Debug},
                  {"info", LogLevel::Info},
                  {"warn", LogLevel::Warn},
                  {"error", LogLevel::Error},
                  {"off", LogLevel::Off}};
    for (const auto& n : kNames)
    {
        if (text == n.name)
        {
            *out = n.level;
            return true;
        }
    }
    return false;
}

void logLine(LogLevel level, std::string_view message)
{
    std::string line =
        fmt::format("[{} {}] {} {}\n", roleLabel(), ::getpid(), levelTag(level), message);
    // One write per line keeps lines whole when several processes share stderr.
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0)
    {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        p += n;
        left -= static_cast<size_t>(n);
    }
}

std::string suppressedSuffix(uint64_t suppressed)
{
    if (suppressed == 0) return {};
    return fmt::format(" ({} more like this suppressed)", suppressed);
}

std::string printableText(std::string_view bytes, size_t maxBytes)
{
    std::string out;
    size_t n = std::min(bytes.size(), maxBytes);
    out.reserve(n + 3);
    for (size_t i = 0; i < n; ++i)
    {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out += static_cast<char>(c);
        else
            out += fmt::format("\\x{:02x}", c);
    }
    if (bytes.size() > maxBytes) out += "...";
    return out;
}

namespace
{
// GNU strerror_r returns the message pointer (maybe not buf); the XSI one of musl (the web
// build's libc) returns 0 and fills buf. Overloads pick whichever the libc declared.
[[maybe_unused]] const char* strerrorResult(const char* message, const char* /*buf*/)
{
    return message;
}
[[maybe_unused]] const char* strerrorResult(int rc, const char* buf)
{
    return rc == 0 ? buf : "unknown error";
}
}  // namespace

std::string errnoText(int err)
{
    if (err < 0) err = -err;
    char buf[128];
    return strerrorResult(::strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace rscope::base
