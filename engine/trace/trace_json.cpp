// JSON Lines writer for trace events: per-kind fragments built once, then memcpy and integer
// formatting per line. Output is byte-identical to what a DOM serialiser would print in order.
#include "engine/trace/trace_json.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "engine/ipc/pipe_message.h"

namespace rscope::trace
{

namespace
{
// The longest line: envelope + 5 args + a 32-byte preview escaped 6x.
constexpr size_t kMaxLineBytes = 1024;

struct KindFragments
{
    std::string head;        // `"kind":"read","fn":"swReactorThread_onRead",`
    std::string argKeys[5];  // `"bytes":` (with a leading comma after the first)
    ArgInfo args[5];
    int argCount = 0;
};

const std::vector<KindFragments>& fragments()
{
    static const std::vector<KindFragments> table = []
    {
        std::vector<KindFragments> t(static_cast<size_t>(EventKind::Count));
        for (size_t k = 0; k < t.size(); ++k)
        {
            const KindInfo& info = kindInfo(static_cast<EventKind>(k));
            t[k].head = fmt::format("\"kind\":\"{}\",\"fn\":\"{}\",", info.name, info.historicFn);
            for (int a = 0; a < 5 && info.args[a].name != nullptr; ++a)
            {
                t[k].args[a] = info.args[a];
                t[k].argKeys[a] = fmt::format("{}\"{}\":", a ? "," : "", info.args[a].name);
                t[k].argCount = a + 1;
            }
        }
        return t;
    }();
    return table;
}

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

inline char* put(char* p, const char* s, size_t n)
{
    std::memcpy(p, s, n);
    return p + n;
}
inline char* put(char* p, const std::string& s)
{
    return put(p, s.data(), s.size());
}
template <size_t N>
inline char* putLit(char* p, const char (&s)[N])
{
    return put(p, s, N - 1);
}
inline char* putInt(char* p, int64_t v)
{
    fmt::format_int f(v);
    return put(p, f.data(), f.size());
}
inline char* putUint(char* p, uint64_t v)
{
    fmt::format_int f(v);
    return put(p, f.data(), f.size());
}
inline char* putQuoted(char* p, const char* s)
{
    *p++ = '"';
    p = put(p, s, std::strlen(s));
    *p++ = '"';
    return p;
}

char* putJsonString(char* p, const char* s, size_t len)
{
    static const char kHex[] = "0123456789abcdef";
    *p++ = '"';
    for (size_t i = 0; i < len; ++i)
    {
        unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c)
        {
            case '"':
                p = putLit(p, "\\\"");
                break;
            case '\\':
                p = putLit(p, "\\\\");
                break;
            case '\n':
                p = putLit(p, "\\n");
                break;
            case '\r':
                p = putLit(p, "\\r");
                break;
            case '\t':
                p = putLit(p, "\\t");
                break;
            default:
                if (c < 0x20 || c >= 0x7f)
                {
                    p = putLit(p, "\\u00");
                    *p++ = kHex[c >> 4];
                    *p++ = kHex[c & 15];
                }
                else
                    *p++ = static_cast<char>(c);
        }
    }
    *p++ = '"';
    return p;
}

char* putArg(char* p, const ArgInfo& arg, int64_t v)
{
    uint8_t small = static_cast<uint8_t>(v);
    switch (arg.type)
    {
        case ArgType::Int:
            return putInt(p, v);
        case ArgType::Bool:
            return v ? putLit(p, "true") : putLit(p, "false");
        case ArgType::Ipv4:
        {
            *p++ = '"';
            p = putInt(p, (v >> 24) & 255), *p++ = '.';
            p = putInt(p, (v >> 16) & 255), *p++ = '.';
            p = putInt(p, (v >> 8) & 255), *p++ = '.';
            p = putInt(p, v & 255);
            *p++ = '"';
            return p;
        }
        case ArgType::PipeType:
            return putQuoted(p, ipc::pipeTypeName(static_cast<ipc::PipeType>(small)));
        case ArgType::Callback:
            return putQuoted(p, callbackName(small));
        case ArgType::Cause:
            return putQuoted(p, causeName(small));
        case ArgType::Protocol:
            return putQuoted(p, protocolName(v));
        case ArgType::Direction:
            return putQuoted(p, directionName(small));
        case ArgType::Phase:
            return putQuoted(p, phaseName(small));
    }
    return p;
}
}  // namespace

void TextBuffer::grow(size_t need)
{
    size_t cap = std::max<size_t>(need, capacity_ * 2 + 4096);
    std::unique_ptr<char[]> next(new char[cap]);
    if (size_ > 0) std::memcpy(next.get(), data_.get(), size_);
    data_ = std::move(next);
    capacity_ = cap;
}

std::string actorJson(const char* role, int index, int pid, int tid)
{
    return fmt::format("\"actor\":{{\"role\":\"{}\",\"index\":{},\"pid\":{},\"tid\":{}}}", role,
                       index, pid, tid);
}

void appendJsonString(std::string& out, const char* s, size_t len)
{
    char buf[6 * 64 + 2];
    size_t n = std::min<size_t>(len, 64);
    out.append(buf, static_cast<size_t>(putJsonString(buf, s, n) - buf));
}

void appendEventLine(TextBuffer& out, uint64_t seq, const TraceRecord& r,
                     const std::string& actorField, const char* preview)
{
    size_t kind = r.kind < static_cast<uint8_t>(EventKind::Count)
                      ? r.kind
                      : static_cast<size_t>(EventKind::TraceDropped);
    const KindFragments& f = fragments()[kind];
    char* start = out.reserve(kMaxLineBytes + actorField.size());
    char* p = start;
    p = putLit(p, "{\"seq\":");
    p = putUint(p, seq);
    p = putLit(p, ",\"ts\":");
    p = putInt(p, r.tsNs);
    *p++ = ',';
    p = put(p, f.head);
    p = put(p, actorField);
    if (r.session > 0) p = putInt(putLit(p, ",\"session\":"), r.session);
    if (r.fd >= 0) p = putInt(putLit(p, ",\"fd\":"), r.fd);
    if (r.reactor >= 0) p = putInt(putLit(p, ",\"reactor\":"), r.reactor);
    if (r.worker >= 0) p = putInt(putLit(p, ",\"worker\":"), r.worker);
    if (r.msgId > 0) p = putUint(putLit(p, ",\"msg_id\":"), r.msgId);
    if (r.flow > 0) p = putUint(putLit(p, ",\"flow\":"), r.flow);
    p = putLit(p, ",\"args\":{");
    for (int a = 0; a < f.argCount; ++a)
        p = putArg(put(p, f.argKeys[a]), f.args[a], slotValue(r, f.args[a].slot));
    *p++ = '}';
    if (r.previewLen > 0 && preview != nullptr)
    {
        p = putLit(p, ",\"payload\":");
        p = putJsonString(p, preview, std::min<size_t>(r.previewLen, kPreviewBytes));
    }
    p = putLit(p, "}\n");
    out.advance(static_cast<size_t>(p - start));
}

void appendEventLine(std::string& out, uint64_t seq, const TraceRecord& r,
                     const std::string& actorField, const char* preview)
{
    TextBuffer buf;
    appendEventLine(buf, seq, r, actorField, preview);
    out.append(buf.data(), buf.size());
}

}  // namespace rscope::trace
