// Reading one number or boolean from an event's args text (TraceStore::args): for the few args
// the compact Event does not decode, read where they are needed (task ids, targets, durations).
// Plain functions; no owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rscope::viewer
{

namespace detail
{
// The text right after `"name":` (blanks skipped), or npos. Args objects are flat: a key can
// only be matched as a key, since no string value of the format contains a quote.
inline size_t argValueAt(std::string_view args, std::string_view name)
{
    for (size_t at = args.find(name); at != std::string_view::npos; at = args.find(name, at + 1))
    {
        if (at == 0 || args[at - 1] != '"' || at + name.size() >= args.size() ||
            args[at + name.size()] != '"')
            continue;
        size_t v = args.find_first_not_of(" \t", at + name.size() + 1);
        if (v == std::string_view::npos || args[v] != ':') continue;
        v = args.find_first_not_of(" \t", v + 1);
        return v;
    }
    return std::string_view::npos;
}
}  // namespace detail

// args[name] when it is an integer; nullopt when absent or not a number.
inline std::optional<int64_t> intArgIn(std::string_view args, std::string_view name)
{
    size_t v = detail::argValueAt(args, name);
    if (v == std::string_view::npos) return std::nullopt;
    bool negative = args[v] == '-';
    if (negative) ++v;
    if (v >= args.size() || args[v] < '0' || args[v] > '9') return std::nullopt;
    int64_t value = 0;
    for (; v < args.size() && args[v] >= '0' && args[v] <= '9'; ++v)
    {
        if (value > (INT64_MAX - 9) / 10) return std::nullopt;  // beyond any id or duration
        value = value * 10 + (args[v] - '0');
    }
    return negative ? -value : value;
}

// args[name] when it is true or false; nullopt otherwise.
inline std::optional<bool> boolArgIn(std::string_view args, std::string_view name)
{
    size_t v = detail::argValueAt(args, name);
    if (v == std::string_view::npos) return std::nullopt;
    std::string_view rest = args.substr(v);
    if (rest.substr(0, 4) == "true") return true;
    if (rest.substr(0, 5) == "false") return false;
    return std::nullopt;
}

}  // namespace rscope::viewer
