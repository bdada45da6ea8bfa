// JSON Lines writer for trace events: per-kind fragments built once, then memcpy and integer
// formatting per line. Output is byte-identical to what a DOM serialiser would print in order.
#include "engine/format/trace_json.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "engine/format/decimal.h"

namespace rscope::trace
{

namespace
{

// A string padded to N bytes: copied whole (a few vector moves, no call), then p += size.
template <size_t N>
struct Padded
{
    char text[N] = {};
    size_t size = 0;
    void set(const std::string& s)
    {
        if (s.size() > N) std::abort();  // the kind table is ours: a test builds every kind
        std::memcpy(text, s.data(), s.size());
        size = s.size();
    }
};

struct KindFragments
{
    Padded<96> head;        // `"kind":"read","fn":"swReactorThread_onRead",`
    Padded<32> argKeys[5];  // `"bytes":` (with a leading comma after the first)
    ArgInfo args[5];
    int argCount = 0;
    // Kinds with a direction arg (the pipe kinds) name the sender's function: one head per
    // direction, picked by that arg (historicFn(kind, direction)).
    int directionArg = -1;
    Padded<96> headByDirection[kDirectionCount];
    // The few kinds that name another function in a task worker (historicFn(kind, d, true)).
    bool hasTaskWorkerHead = false;
    Padded<96> taskWorkerHead;
};

const std::vector<KindFragments>& fragments()
{
    static const std::vector<KindFragments> table = []
    {
        std::vector<KindFragments> t(static_cast<size_t>(EventKind::Count));
        for (size_t k = 0; k < t.size(); ++k)
        {
            const KindInfo& info = kindInfo(static_cast<EventKind>(k));
            t[k].head.set(
                fmt::format("\"kind\":\"{}\",\"fn\":\"{}\",", info.name, info.historicFn));
            for (int a = 0; a < 5 && info.args[a].name != nullptr; ++a)
            {
                if (info.args[a].type == ArgType::Direction && t[k].directionArg < 0)
                {
                    t[k].directionArg = a;
                    for (uint8_t d = 0; d < kDirectionCount; ++d)
                        t[k].headByDirection[d].set(
                            fmt::format("\"kind\":\"{}\",\"fn\":\"{}\",", info.name,
                                        historicFn(static_cast<EventKind>(k), d)));
                }
                t[k].args[a] = info.args[a];
                t[k].argKeys[a].set(fmt::format("{}\"{}\":", a ? "," : "", info.args[a].name));
                t[k].argCount = a + 1;
            }
            const char* taskFn = historicFn(static_cast<EventKind>(k), 0xff, true);
            if (std::strcmp(taskFn, info.historicFn) != 0)
            {
                t[k].hasTaskWorkerHead = true;
                t[k].taskWorkerHead.set(
                    fmt::format("\"kind\":\"{}\",\"fn\":\"{}\",", info.name, taskFn));
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
template <size_t N>
inline char* put(char* p, const Padded<N>& s)
{
    std::memcpy(p, s.text, N);  // constant size: inlined
    return p + s.size;
}
template <size_t N>
inline char* putLit(char* p, const char (&s)[N])
{
    return put(p, s, N - 1);
}
inline char* putInt(char* p, int64_t v)
{
    return writeDecimal(p, v);
}
inline char* putUint(char* p, uint64_t v)
{
    return writeDecimal(p, v);
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

// Quoted enum names, padded, by value: a copy instead of strlen + memcpy per arg.
using NameFn = const char* (*)(uint8_t);
template <NameFn Name>
const Padded<48>& quotedName(uint8_t v)
{
    static const std::vector<Padded<48>> table = []
    {
        std::vector<Padded<48>> t(256);
        for (int i = 0; i < 256; ++i)
            t[i].set(fmt::format("\"{}\"", Name(static_cast<uint8_t>(i))));
        return t;
    }();
    return table[v];
}
const char* pipeTypeNameOf(uint8_t v)
{
    return pipeTypeName(v);
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
            return put(p, quotedName<pipeTypeNameOf>(small));
        case ArgType::Callback:
            return put(p, quotedName<callbackName>(small));
        case ArgType::Cause:
            return put(p, quotedName<causeName>(small));
        case ArgType::Protocol:
            return putQuoted(p, protocolName(v));
        case ArgType::Direction:
            return put(p, quotedName<directionName>(small));
        case ArgType::Phase:
            return put(p, quotedName<phaseName>(small));
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

ActorField actorJson(const char* role, int index, int pid, int tid)
{
    ActorField f;
    auto r = fmt::format_to_n(f.text, sizeof f.text,
                              "\"actor\":{{\"role\":\"{}\",\"index\":{},\"pid\":{},\"tid\":{}}}",
                              role, index, pid, tid);
    if (r.size > sizeof f.text) std::abort();  // roles are ours; pids have at most 7 digits
    f.size = r.size;
    f.taskWorker = std::strcmp(role, "task_worker") == 0;
    return f;
}

void appendJsonString(std::string& out, const char* s, size_t len)
{
    char buf[6 * 64 + 2];
    size_t n = std::min<size_t>(len, 64);
    out.append(buf, static_cast<size_t>(putJsonString(buf, s, n) - buf));
}

char* writeEventLine(char* p, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview)
{
    size_t kind = r.kind < static_cast<uint8_t>(EventKind::Count)
                      ? r.kind
                      : static_cast<size_t>(EventKind::TraceDropped);
    const KindFragments& f = fragments()[kind];
    p = putLit(p, "{\"seq\":");
    p = putUint(p, seq);
    p = putLit(p, ",\"ts\":");
    p = putInt(p, r.tsNs);
    *p++ = ',';
    if (f.directionArg < 0)
        p = put(p, actor.taskWorker && f.hasTaskWorkerHead ? f.taskWorkerHead : f.head);
    else
    {
        uint64_t d = static_cast<uint64_t>(slotValue(r, f.args[f.directionArg].slot));
        p = put(p, d < kDirectionCount ? f.headByDirection[d] : f.head);
    }
    std::memcpy(p, actor.text, ActorField::kCapacity);  // constant size: inlined
    p += actor.size;
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
    return putLit(p, "}\n");
}

void appendEventLine(TextBuffer& out, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview)
{
    char* start = out.reserve(kMaxEventLineBytes);
    out.advance(static_cast<size_t>(writeEventLine(start, seq, r, actor, preview) - start));
}

void appendEventLine(std::string& out, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview)
{
    TextBuffer buf;
    appendEventLine(buf, seq, r, actor, preview);
    out.append(buf.data(), buf.size());
}

}  // namespace rscope::trace
