// Schema checks of event and trace_end lines. Envelope fields follow traces/FORMAT.md; event
// args come from the kind table (kindInfo), never from a copy of it.
#include "engine/format/event_schema.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "engine/format/json_fields.h"
#include "engine/format/trace_event.h"

namespace rscope::tracefile
{

namespace
{
using nlohmann::json;

// True when text is one of the names a table function gives for 0, 1, 2 ... up to "unknown".
bool inNameTable(const char* (*nameOf)(uint8_t), const std::string& text)
{
    for (unsigned i = 0; i < 256; ++i)
    {
        const char* name = nameOf(static_cast<uint8_t>(i));
        if (std::strcmp(name, "unknown") == 0) return false;
        if (text == name) return true;
    }
    return false;
}

bool isPipeTypeName(const std::string& text)
{
    for (unsigned i = 0; i < 256; ++i)
        if (text == trace::pipeTypeName(static_cast<uint8_t>(i))) return text != "UNKNOWN";
    return false;
}

bool isIpv4(const std::string& text)
{
    unsigned parts[4];
    char tail;
    if (std::sscanf(text.c_str(), "%3u.%3u.%3u.%3u%c", &parts[0], &parts[1], &parts[2], &parts[3],
                    &tail) != 4)
        return false;
    for (unsigned part : parts)
        if (part > 255) return false;
    return text.find_first_not_of("0123456789.") == std::string::npos;
}

// Values of an enum-like string arg that this reader knows (a newer minor may add more).
bool isKnownValue(trace::ArgType type, const std::string& text)
{
    switch (type)
    {
        case trace::ArgType::PipeType:
            return isPipeTypeName(text);
        case trace::ArgType::Callback:
            return inNameTable(trace::callbackName, text);
        case trace::ArgType::Cause:
            return inNameTable(trace::causeName, text);
        case trace::ArgType::Direction:
            return inNameTable(trace::directionName, text);
        case trace::ArgType::Phase:
            return inNameTable(trace::phaseName, text);
        case trace::ArgType::Protocol:
            return isOneOf(text, kProtocols);
        default:
            return true;
    }
}
}  // namespace

const char* argJsonType(trace::ArgType type)
{
    switch (type)
    {
        case trace::ArgType::Int:
            return "an integer";
        case trace::ArgType::Bool:
            return "a boolean";
        default:
            return "a string";
    }
}

bool parseEnvelope(json& line, TraceEventView* out, FieldProblems* problems)
{
    size_t before = problems->size();
    if (const json* v = field(line, "seq", "seq", Want::Unsigned, problems))
        out->seq = v->get<uint64_t>();
    if (const json* v = field(line, "ts", "ts", Want::Int, problems))
    {
        out->tsNs = v->get<int64_t>();
        if (out->tsNs < 0)
            addError(problems, fmt::format("\"ts\" must not be negative ({})", out->tsNs));
    }
    if (const json* v = field(line, "kind", "kind", Want::String, problems))
        out->kindName = v->get<std::string>();
    if (const json* v = field(line, "fn", "fn", Want::String, problems))
        out->fn = v->get<std::string>();
    if (const json* actor = field(line, "actor", "actor", Want::Object, problems))
    {
        const json* role = field(*actor, "role", "actor.role", Want::String, problems);
        checkOneOf(role, "actor.role", kRoles, problems);
        if (role) out->actor.role = role->get<std::string>();
        if (const json* v = field(*actor, "index", "actor.index", Want::Int, problems))
            out->actor.index = v->get<int>();
        if (const json* v = field(*actor, "pid", "actor.pid", Want::Int, problems))
            out->actor.pid = v->get<int>();
        if (const json* v = field(*actor, "tid", "actor.tid", Want::Int, problems))
            out->actor.tid = v->get<int>();
    }
    if (field(line, "args", "args", Want::Object, problems)) out->args = std::move(line["args"]);
    bool valid = problems->size() == before;
    // Optional ids: a mistyped one is an error, but the event itself is still readable.
    auto signedId = [&](const char* name, std::optional<int64_t>* id)
    {
        if (const json* v = field(line, name, name, Want::Int, problems, false))
            *id = v->get<int64_t>();
    };
    signedId("session", &out->session);
    signedId("fd", &out->fd);
    signedId("reactor", &out->reactor);
    signedId("worker", &out->worker);
    if (const json* v = field(line, "msg_id", "msg_id", Want::Unsigned, problems, false))
        out->msgId = v->get<uint64_t>();
    if (const json* v = field(line, "flow", "flow", Want::Unsigned, problems, false))
        out->flow = v->get<uint64_t>();
    if (const json* v = field(line, "payload", "payload", Want::String, problems, false))
        out->payload = v->get<std::string>();
    return valid;
}

void checkArgs(const TraceEventView& event, int fileMinor, FieldProblems* problems)
{
    const trace::KindInfo& info = trace::kindInfo(event.kind);
    // The pipe kinds name the sender's function: it follows args.direction.
    uint8_t direction = 0xff;
    if (auto d = event.args.find("direction"); d != event.args.end() && d->is_string())
        for (uint8_t i = 0; i <= static_cast<uint8_t>(trace::Direction::ToReactorThread); ++i)
            if (d->get<std::string>() == trace::directionName(i)) direction = i;
    const char* fn = trace::historicFn(event.kind, direction);
    if (event.fn != fn)
        problems->push_back(
            {Severity::Warning, fmt::format("\"fn\" is \"{}\"; the kind table names \"{}\" for {}",
                                            event.fn, fn, info.name)});
    size_t known = 0;
    for (const trace::ArgInfo& arg : info.args)
    {
        if (arg.name == nullptr) break;
        ++known;
        auto it = event.args.find(arg.name);
        if (it == event.args.end())
        {
            addError(problems,
                     fmt::format("\"args.{}\" is missing (kind {})", arg.name, info.name));
            continue;
        }
        bool typeOk = arg.type == trace::ArgType::Int    ? matches(*it, Want::Int)
                      : arg.type == trace::ArgType::Bool ? it->is_boolean()
                                                         : it->is_string();
        if (!typeOk)
        {
            addError(problems, fmt::format("\"args.{}\" must be {} (kind {}), not {}", arg.name,
                                           argJsonType(arg.type), info.name, describeJson(*it)));
            continue;
        }
        if (arg.type == trace::ArgType::Ipv4 && !isIpv4(it->get<std::string>()))
            addError(problems,
                     fmt::format("\"args.{}\" must be an IPv4 address \"a.b.c.d\", not {}",
                                 arg.name, it->dump()));
        else if (it->is_string() && !isKnownValue(arg.type, it->get<std::string>()))
            problems->push_back({Severity::Warning, fmt::format("\"args.{}\": unknown value {}",
                                                                arg.name, it->dump())});
    }
    // A newer minor may add args; within our own minor the table is exact.
    if (event.args.size() <= known || fileMinor > trace::kFormatMinor) return;
    for (auto it = event.args.begin(); it != event.args.end(); ++it)
    {
        bool listed = false;
        for (size_t i = 0; i < known; ++i) listed = listed || it.key() == info.args[i].name;
        if (!listed)
            problems->push_back(
                {Severity::Warning,
                 fmt::format("\"args.{}\" is not an arg of {} in format {}.{} (ignored)", it.key(),
                             info.name, trace::kFormatMajor, trace::kFormatMinor)});
    }
}

bool parseTraceEnd(const json& line, TraceEnd* out, FieldProblems* problems)
{
    size_t before = problems->size();
    if (const json* v = field(line, "events", "events", Want::Unsigned, problems))
        out->events = v->get<uint64_t>();
    if (const json* v = field(line, "dropped", "dropped", Want::Unsigned, problems))
        out->dropped = v->get<uint64_t>();
    if (const json* cut = field(line, "cut_flows", "cut_flows", Want::Array, problems))
    {
        for (const json& flow : *cut)
        {
            if (matches(flow, Want::Unsigned))
                out->cutFlows.push_back(flow.get<uint64_t>());
            else
                addError(problems, fmt::format("\"cut_flows\" must hold unsigned integers, not {}",
                                               describeJson(flow)));
        }
    }
    return problems->size() == before;
}

}  // namespace rscope::tracefile
