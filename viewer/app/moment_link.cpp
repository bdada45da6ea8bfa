// Moment links: query parsing with percent-decoding, formatting, and the mapping onto options.
#include "viewer/app/moment_link.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "viewer/app/viewer_options.h"

namespace rscope::viewer
{

namespace
{

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i)
    {
        if (s[i] == '+')
            out += ' ';
        else if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 &&
                 hexValue(s[i + 2]) >= 0)
        {
            out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
            i += 2;
        }
        else
            out += s[i];  // a stray '%' stays as it is
    }
    return out;
}

// Unreserved characters (RFC 3986) and '/' stay: paths read as paths in the address bar.
std::string percentEncode(std::string_view s)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s)
    {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~' || c == '/';
        if (plain)
            out += static_cast<char>(c);
        else
        {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

template <typename T>
bool parseNumber(const std::string& text, T& out)
{
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// from_chars for doubles is missing in the web build's libc++: strtod, whole text only.
bool parseDouble(const std::string& text, double& out)
{
    if (text.empty()) return false;
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
}

bool isPicture(const std::string& v)
{
    return v == "architecture" || v == "startup" || v == "sequence" || v == "stats";
}

}  // namespace

Moment parseMomentQuery(std::string_view query, std::vector<std::string>& problems)
{
    Moment m;
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty())
    {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key = percentDecode(pair.substr(0, eq));
        std::string value =
            eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1));
        auto bad = [&](const char* expected)
        { problems.push_back(key + "=" + value + ": expected " + expected + "; ignored"); };
        if (key == "trace")
            m.trace = value;
        else if (key == "event")
        {
            int64_t n = 0;
            if (parseNumber(value, n) && n >= 1)
                m.event = n;
            else
                bad("an event number, 1 or more (the event log's #N)");
        }
        else if (key == "picture")
        {
            if (isPicture(value))
                m.picture = value;
            else
                bad("architecture, startup, sequence or stats");
        }
        else if (key == "session")
        {
            int64_t n = 0;
            if (parseNumber(value, n) && n >= 1)
                m.session = n;
            else
                bad("a session id, 1 or more");
        }
        else if (key == "tutorial")
            m.tutorial = value;
        else if (key == "step")
        {
            int n = 0;
            if (parseNumber(value, n) && n >= 1)
                m.step = n;
            else
                bad("a step number, 1 or more");
        }
        else if (key == "lang")
        {
            if (value == "en" || value == "zh")
                m.lang = value;
            else
                bad("en or zh");
        }
        else if (key == "speed" || key == "pace")
        {
            // The ranges of --speed and --pace-ms.
            double v = 0;
            bool ok = parseDouble(value, v);
            if (key == "speed" && ok && v >= 0.01 && v <= 100)
                m.speed = v;
            else if (key == "pace" && ok && v >= 1 && v <= 60000)
                m.pace = v;
            else
                bad(key == "speed" ? "a real-time multiplier, 0.01 to 100"
                                   : "milliseconds per event, 1 to 60000");
        }
        else if (key == "live")
            m.live = value.empty() || value == "1" || value == "true";
    }
    return m;
}

std::string formatMomentQuery(const Moment& m)
{
    std::string q;
    auto add = [&q](const char* key, const std::string& value)
    {
        if (value.empty()) return;
        if (!q.empty()) q += '&';
        q += key;
        q += '=';
        q += percentEncode(value);
    };
    add("trace", m.trace);
    add("event", m.event ? std::to_string(*m.event) : "");
    add("picture", m.picture);
    add("session", m.session > 0 ? std::to_string(m.session) : "");
    add("tutorial", m.tutorial);
    add("step", m.step > 0 ? std::to_string(m.step) : "");
    add("lang", m.lang);
    add("live", m.live ? "1" : "");
    auto number = [](std::optional<double> v)
    {
        if (!v) return std::string();
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", *v);
        return std::string(buf);
    };
    add("speed", number(m.speed));
    add("pace", number(m.pace));
    return q;
}

void applyMoment(const Moment& m, ViewerOptions& options)
{
    if (!m.trace.empty()) options.replayPath = m.trace;
    if (m.event) options.atEvent = *m.event - 1;
    if (!m.picture.empty()) options.picture = m.picture;
    if (m.session > 0) options.selectSession = m.session;
    if (!m.tutorial.empty())
    {
        options.tutorial = m.tutorial;
        options.tutorialReplay = true;  // a page cannot start the lesson's server
        if (m.step > 0) options.tutorialStep = m.step;
        options.replayPath.clear();  // the lesson opens its own recording
    }
    if (!m.lang.empty()) options.lang = m.lang;
    if (m.speed) options.speed = m.speed;
    if (m.pace) options.paceMs = m.pace;
}

}  // namespace rscope::viewer
