// The browser's commands filtered to step mode, and the loopback test (browser_command.h).
#include "engine/web/browser_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

namespace rscope::web
{

std::optional<std::string> stepCommandLine(std::string_view message)
{
    if (message.ends_with("\r\n"))
        message.remove_suffix(2);
    else if (message.ends_with('\n'))
        message.remove_suffix(1);
    if (message == "hold" || message == "run" || message == "step")
        return std::string(message) + "\n";
    constexpr std::string_view kStepN = "step ";
    if (!message.starts_with(kStepN)) return std::nullopt;
    std::string_view digits = message.substr(kStepN.size());
    // No sign, no leading zero, at most 10 digits: what the server parses, nothing it would read
    // differently.
    if (digits.empty() || digits.size() > 10 || digits.front() == '0') return std::nullopt;
    uint64_t n = 0;
    for (char c : digits)
    {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > 1'000'000'000) return std::nullopt;
    return std::string(message) + "\n";
}

bool isLoopbackAddress(const std::string& address)
{
    in_addr v4{};
    if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace rscope::web
