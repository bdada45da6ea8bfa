// JSON Lines writer for trace events: fmt into a reused string, no DOM, fixed key order.
#include "engine/trace/trace_json.h"

#include <iterator>

#include <fmt/format.h>

#include "engine/ipc/pipe_message.h"

namespace rscope::trace
{

namespace
{
int64_t slotValue(const TraceRecord& r, ArgSlot slot)
{
    switch (slot)
    {
        case ArgSlot::A0:
            return r.a0;
        case ArgSlot::A1:
            return r.a1;
        case ArgSlot::A2:
            return r.a2;
        case ArgSlot::A3:
            return r.a3;
        case ArgSlot::A4:
            return r.a4;
        case ArgSlot::None:
            break;
    }
    return 0;
}

const char* protocolName(int64_t v)
{
    return v == 1 ? "eof" : v == 2 ? "length" : "raw";
}

void appendArg(std::string& out, const ArgInfo& arg, int64_t v)
{
    auto it = std::back_inserter(out);
    switch (arg.type)
    {
        case ArgType::Int:
            fmt::format_to(it, "\"{}\":{}", arg.name, v);
            return;
        case ArgType::Bool:
            fmt::format_to(it, "\"{}\":{}", arg.name, v ? "true" : "false");
            return;
        case ArgType::Ipv4:
            fmt::format_to(it, "\"{}\":\"{}.{}.{}.{}\"", arg.name, (v >> 24) & 255, (v >> 16) & 255,
                           (v >> 8) & 255, v & 255);
            return;
        default:
            break;
    }
    const char* text = "";
    uint8_t small = static_cast<uint8_t>(v);
    switch (arg.type)
    {
        case ArgType::PipeType:
            text = ipc::pipeTypeName(static_cast<ipc::PipeType>(small));
            break;
        case ArgType::Callback:
            text = callbackName(small);
            break;
        case ArgType::Cause:
            text = causeName(small);
            break;
        case ArgType::Protocol:
            text = protocolName(v);
            break;
        case ArgType::Direction:
            text = directionName(small);
            break;
        case ArgType::Phase:
            text = phaseName(small);
            break;
        default:
            break;
    }
    fmt::format_to(it, "\"{}\":\"{}\"", arg.name, text);
}
}  // namespace

std::string actorJson(const char* role, int index, int pid, int tid)
{
    return fmt::format("\"actor\":{{\"role\":\"{}\",\"index\":{},\"pid\":{},\"tid\":{}}}", role,
                       index, pid, tid);
}

void appendJsonString(std::string& out, const char* s, size_t len)
{
    out.push_back('"');
    for (size_t i = 0; i < len; ++i)
    {
        unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c)
        {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c >= 0x7f)
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                else
                    out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

void appendEventLine(std::string& out, uint64_t seq, const TraceRecord& r,
                     const std::string& actorField)
{
    EventKind kind = r.kind < static_cast<uint16_t>(EventKind::Count)
                         ? static_cast<EventKind>(r.kind)
                         : EventKind::TraceDropped;
    const KindInfo& info = kindInfo(kind);
    auto it = std::back_inserter(out);
    fmt::format_to(it, "{{\"seq\":{},\"ts\":{},\"kind\":\"{}\",\"fn\":\"{}\",", seq, r.tsNs,
                   info.name, info.historicFn);
    out += actorField;
    if (r.session > 0) fmt::format_to(it, ",\"session\":{}", r.session);
    if (r.fd >= 0) fmt::format_to(it, ",\"fd\":{}", r.fd);
    if (r.reactor >= 0) fmt::format_to(it, ",\"reactor\":{}", r.reactor);
    if (r.worker >= 0) fmt::format_to(it, ",\"worker\":{}", r.worker);
    if (r.msgId > 0) fmt::format_to(it, ",\"msg_id\":{}", r.msgId);
    if (r.flow > 0) fmt::format_to(it, ",\"flow\":{}", r.flow);
    out += ",\"args\":{";
    for (int i = 0; i < 5 && info.args[i].name != nullptr; ++i)
    {
        if (i > 0) out.push_back(',');
        appendArg(out, info.args[i], slotValue(r, info.args[i].slot));
    }
    out.push_back('}');
    if (r.previewLen > 0)
    {
        out += ",\"payload\":";
        appendJsonString(out, r.preview, r.previewLen);
    }
    out += "}\n";
}

}  // namespace rscope::trace
