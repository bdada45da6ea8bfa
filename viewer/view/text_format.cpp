// Text shown by the log and the details panel: times relative to the first event, args without
// JSON punctuation, event titles, payload previews decoded to UTF-8. No ImGui: tested alone.
#include "viewer/view/text_format.h"

#include <algorithm>
#include <cstdio>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

std::string formatOffsetNs(int64_t ns)
{
    return formatOffsetNs(ns, ns);
}

std::string formatOffsetNs(int64_t ns, int64_t spanNs)
{
    char buf[48];
    double ms = static_cast<double>(ns) / 1e6;
    if (spanNs < 1000000000 && spanNs > -1000000000)
        std::snprintf(buf, sizeof buf, "%+.4f ms", ms);
    else
        std::snprintf(buf, sizeof buf, "%+.6f s", ms / 1000.0);
    return buf;
}

std::string formatTimeReadout(int64_t cursorNs, int64_t totalNs)
{
    // The playback clock runs on between events and past the last one: the readout is about the
    // trace, so it stops at its ends, and both sides share the total's unit.
    totalNs = std::max<int64_t>(totalNs, 0);
    cursorNs = std::clamp<int64_t>(cursorNs, 0, totalNs);
    return formatOffsetNs(cursorNs, totalNs) + " of " + formatOffsetNs(totalNs, totalNs);
}

std::string eventNumber(size_t index)
{
    return "#" + std::to_string(index + 1);
}

std::string compactArgs(std::string_view json)
{
    // Flat args objects only (the format has no nested args): drop braces and quotes,
    // "key":value becomes key=value. Quoted strings keep their commas.
    std::string out;
    out.reserve(json.size());
    bool inString = false;
    for (size_t i = 0; i < json.size(); ++i)
    {
        char c = json[i];
        if (c == '"' && (i == 0 || json[i - 1] != '\\'))
        {
            inString = !inString;
            continue;
        }
        if (!inString)
        {
            if (c == '{' || c == '}') continue;
            if (c == ':')
            {
                out += '=';
                continue;
            }
            if (c == ',')
            {
                out += ' ';
                continue;
            }
        }
        out += c;
    }
    return out;
}

namespace
{

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Length of the UTF-8 sequence starting at s[i]: 0 = invalid, -1 = cut by the end of s.
int utf8Length(const std::string& s, size_t i)
{
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    for (int k = 1; k < n; ++k)
    {
        if (i + k >= s.size()) return -1;
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    }
    return n;
}

}  // namespace

std::string readablePayload(std::string_view escaped)
{
    std::string bytes;
    bytes.reserve(escaped.size());
    for (size_t i = 0; i < escaped.size(); ++i)
    {
        char c = escaped[i];
        if (c != '\\' || i + 1 >= escaped.size())
        {
            bytes += c;
            continue;
        }
        char e = escaped[++i];
        switch (e)
        {
            case 'n':
                bytes += '\n';
                break;
            case 'r':
                bytes += '\r';
                break;
            case 't':
                bytes += '\t';
                break;
            case 'b':
                bytes += '\b';
                break;
            case 'f':
                bytes += '\f';
                break;
            case 'u':
            {
                int v = 0;
                for (int k = 0; k < 4 && i + 1 < escaped.size(); ++k)
                    v = v * 16 + std::max(0, hexValue(escaped[++i]));
                if (v > 0xFF) return std::string(escaped);  // not a byte escape: show as written
                bytes += static_cast<char>(v);
                break;
            }
            default:
                bytes += e;
                break;  // \\ \" \/
        }
    }
    std::string out;
    out.reserve(bytes.size() + 8);
    for (size_t i = 0; i < bytes.size();)
    {
        auto c = static_cast<unsigned char>(bytes[i]);
        int n = utf8Length(bytes, i);
        if (n < 0) return out + "...";
        if (n == 0) return std::string(escaped);  // binary, not UTF-8: the escaped form
        if (n > 1)
        {
            out.append(bytes, i, static_cast<size_t>(n));
        }
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7F)
        {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        }
        else
            out += static_cast<char>(c);
        i += static_cast<size_t>(n);
    }
    return out;
}

std::string eventTitle(const TraceStore& store, size_t index)
{
    const Event& e = store[index];
    std::string title = trace::kindInfo(e.kind).name;
    if (e.callback != CallbackId::None)
    {
        title += ' ';
        title += callbackLabel(e.callback);
    }
    else if (e.pipeType != kNoPipeType)
    {
        title += ' ';
        title += pipeTypeLabel(e.pipeType);
    }
    return title;
}

}  // namespace rscope::viewer
