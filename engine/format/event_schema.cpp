// Schema checks of event and trace_end lines on simdjson values. Envelope fields follow
// traces/FORMAT.md; event args come from the kind table (kindInfo), never from a copy of it.
#include "engine/format/event_schema.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "engine/format/json_fields.h"
#include "engine/format/line_parser.h"
#include "engine/format/trace_event.h"

namespace rscope::tracefile
{

namespace
{
// The names a table function gives for 0, 1, 2 ... up to "unknown" (or "UNKNOWN" for the pipe
// types, whose wire values have gaps), collected once.
struct NameTable
{
    std::vector<std::string_view> names;
    bool has(std::string_view text) const
    {
        return std::find(names.begin(), names.end(), text) != names.end();
    }
};

NameTable tableOf(const char* (*nameOf)(uint8_t), const char* unknown, bool stopAtUnknown)
{
    NameTable t;
    for (unsigned i = 0; i < 256; ++i)
    {
        const char* name = nameOf(static_cast<uint8_t>(i));
        if (std::strcmp(name, unknown) == 0)
        {
            if (stopAtUnknown) break;
            continue;
        }
        t.names.emplace_back(name);
    }
    return t;
}

bool isIpv4(std::string_view view)
{
    std::string text(view);
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
bool isKnownValue(trace::ArgType type, std::string_view text)
{
    static const NameTable pipeTypes = tableOf(trace::pipeTypeName, "UNKNOWN", false);
    static const NameTable callbacks = tableOf(trace::callbackName, "unknown", true);
    static const NameTable causes = tableOf(trace::causeName, "unknown", true);
    static const NameTable directions = tableOf(trace::directionName, "unknown", true);
    static const NameTable phases = tableOf(trace::phaseName, "unknown", true);
    switch (type)
    {
        case trace::ArgType::PipeType:
            return pipeTypes.has(text);
        case trace::ArgType::Callback:
            return callbacks.has(text);
        case trace::ArgType::Cause:
            return causes.has(text);
        case trace::ArgType::Direction:
            return directions.has(text);
        case trace::ArgType::Phase:
            return phases.has(text);
        case trace::ArgType::Protocol:
            return isOneOf(text, kProtocols);
        default:
            return true;
    }
}

}  // namespace

TopLevel topLevelOf(JsonObject line)
{
    TopLevel f;
    for (auto [key, value] : line)
    {
        // Switch on length first: most keys are told apart without a compare.
        std::optional<JsonValue>* slot = nullptr;
        switch (key.size())
        {
            case 2:
                slot = key == "ts" ? &f.ts : key == "fn" ? &f.fn : key == "fd" ? &f.fd : nullptr;
                break;
            case 3:
                slot = key == "seq" ? &f.seq : nullptr;
                break;
            case 4:
                slot = key == "type"   ? &f.type
                       : key == "kind" ? &f.kind
                       : key == "args" ? &f.args
                       : key == "flow" ? &f.flow
                                       : nullptr;
                break;
            case 5:
                slot = key == "actor" ? &f.actor : nullptr;
                break;
            case 6:
                slot = key == "worker" ? &f.worker : key == "msg_id" ? &f.msgId : nullptr;
                break;
            case 7:
                slot = key == "session"   ? &f.session
                       : key == "reactor" ? &f.reactor
                       : key == "payload" ? &f.payload
                                          : nullptr;
                break;
            default:
                break;
        }
        if (slot != nullptr && !*slot) *slot = value;  // the first of duplicate keys counts
    }
    return f;
}

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

std::optional<JsonObject> decodeEnvelope(const TopLevel& f, DecodedLine* out)
{
    FieldProblems* problems = &out->problems;
    size_t before = problems->size();
    if (auto v = checked(f.seq, "seq", Want::Unsigned, problems)) out->seq = unsignedOf(*v);
    if (auto v = checked(f.ts, "ts", Want::Int, problems))
    {
        out->tsNs = intOf(*v);
        if (out->tsNs < 0)
            addError(problems, fmt::format("\"ts\" must not be negative ({})", out->tsNs));
    }
    if (auto v = checked(f.kind, "kind", Want::String, problems)) out->kindName = stringOf(*v);
    if (auto v = checked(f.fn, "fn", Want::String, problems)) out->fn = stringOf(*v);
    if (auto actorValue = checked(f.actor, "actor", Want::Object, problems))
    {
        JsonObject actor = actorValue->get_object().value_unsafe();
        out->hasActor = true;
        // One pass over the actor's keys, then the checks in FORMAT.md's order.
        std::optional<JsonValue> role, index, pid, tid;
        for (auto [key, value] : actor)
        {
            std::optional<JsonValue>* slot = key == "role"    ? &role
                                             : key == "index" ? &index
                                             : key == "pid"   ? &pid
                                             : key == "tid"   ? &tid
                                                              : nullptr;
            if (slot != nullptr && !*slot) *slot = value;
        }
        role = checked(role, "actor.role", Want::String, problems);
        checkOneOf(role, "actor.role", kRoles, problems);
        if (role) out->role = stringOf(*role);
        if (auto v = checked(index, "actor.index", Want::Int, problems))
            out->index = static_cast<int>(intOf(*v));
        if (auto v = checked(pid, "actor.pid", Want::Int, problems))
            out->pid = static_cast<int>(intOf(*v));
        if (auto v = checked(tid, "actor.tid", Want::Int, problems))
            out->tid = static_cast<int>(intOf(*v));
    }
    std::optional<JsonObject> args;
    if (auto v = checked(f.args, "args", Want::Object, problems))
        args = v->get_object().value_unsafe();
    out->envelopeValid = problems->size() == before;
    // Optional ids: a mistyped one is an error, but the event itself is still readable.
    auto signedId =
        [&](std::optional<JsonValue> value, const char* name, std::optional<int64_t>* id)
    {
        if (auto v = checked(value, name, Want::Int, problems, false)) *id = intOf(*v);
    };
    signedId(f.session, "session", &out->session);
    signedId(f.fd, "fd", &out->fd);
    signedId(f.reactor, "reactor", &out->reactor);
    signedId(f.worker, "worker", &out->worker);
    if (auto v = checked(f.msgId, "msg_id", Want::Unsigned, problems, false))
        out->msgId = unsignedOf(*v);
    if (auto v = checked(f.flow, "flow", Want::Unsigned, problems, false))
        out->flow = unsignedOf(*v);
    if (auto v = checked(f.payload, "payload", Want::String, problems, false))
        out->payload = stringOf(*v);
    return args;
}

void decodeArgs(JsonObject args, int fileMinor, Warnings warnings, DecodedLine* out)
{
    const bool warn = warnings == Warnings::Report;
    FieldProblems* problems = &out->argProblems;
    const trace::KindInfo& info = trace::kindInfo(out->kind);
    size_t known = 0;
    uint8_t direction = 0xff;  // the pipe kinds name the sender's function: it follows direction
    // The kind's arg names as views (no strlen per line), and one pass over the args object.
    static const auto names = []
    {
        std::array<std::array<std::string_view, 5>, static_cast<size_t>(trace::EventKind::Count)>
            t{};
        for (size_t k = 0; k < t.size(); ++k)
            for (size_t a = 0; a < 5; ++a)
                if (const char* n = trace::kindInfo(static_cast<trace::EventKind>(k)).args[a].name)
                    t[k][a] = n;
        return t;
    }();
    const std::array<std::string_view, 5>& argNames = names[static_cast<size_t>(out->kind)];
    std::optional<JsonValue> values[5];
    for (auto [key, value] : args)
        for (size_t a = 0; a < 5 && !argNames[a].empty(); ++a)
            if (key == argNames[a])
            {
                if (!values[a]) values[a] = value;  // the first of duplicate keys counts
                break;
            }
    for (const trace::ArgInfo& arg : info.args)
    {
        if (arg.name == nullptr) break;
        std::optional<JsonValue> value = values[known];
        DecodedArg& d = out->args[known++];
        d.info = &arg;
        if (!value)
        {
            addError(problems,
                     fmt::format("\"args.{}\" is missing (kind {})", arg.name, info.name));
            continue;
        }
        bool typeOk = arg.type == trace::ArgType::Int    ? matches(*value, Want::Int)
                      : arg.type == trace::ArgType::Bool ? value->is_bool()
                                                         : value->is_string();
        if (!typeOk)
        {
            d.state = DecodedArg::State::Mistyped;
            out->argMistyped = true;
            addError(problems, fmt::format("\"args.{}\" must be {} (kind {}), not {}", arg.name,
                                           argJsonType(arg.type), info.name, describeJson(*value)));
            continue;
        }
        d.state = DecodedArg::State::Ok;
        if (arg.type == trace::ArgType::Int)
            d.number = intOf(*value);
        else if (arg.type == trace::ArgType::Bool)
            d.number = value->get_bool().value_unsafe() ? 1 : 0;
        else
            d.text = stringOf(*value);
        if (arg.type == trace::ArgType::Ipv4 && !isIpv4(d.text))
        {
            addError(problems,
                     fmt::format("\"args.{}\" must be an IPv4 address \"a.b.c.d\", not {}",
                                 arg.name, jsonText(*value)));
            continue;
        }
        if (!warn) continue;
        if (arg.type == trace::ArgType::Direction)  // for the "fn" check below
            for (uint8_t i = 0; i < trace::kDirectionCount; ++i)
                if (d.text == trace::directionName(i)) direction = i;
        if (arg.type != trace::ArgType::Int && arg.type != trace::ArgType::Bool &&
            !isKnownValue(arg.type, d.text))
            problems->push_back({Severity::Warning, fmt::format("\"args.{}\": unknown value {}",
                                                                arg.name, jsonText(*value))});
    }
    out->argCount = known;
    if (out->kind == trace::EventKind::TraceDropped && known > 0 &&
        out->args[0].state == DecodedArg::State::Ok && out->args[0].number >= 0)
        out->droppedCount = static_cast<uint64_t>(out->args[0].number);
    if (!warn) return;
    const char* fn = trace::historicFn(out->kind, direction, out->role == "task_worker");
    if (out->fn != fn)
        problems->insert(
            problems->begin(),
            FieldProblem{Severity::Warning,
                         fmt::format("\"fn\" is \"{}\"; the kind table names \"{}\" for {}",
                                     out->fn, fn, info.name)});
    // A newer minor may add args; within our own minor the table is exact.
    if (args.size() <= known || fileMinor > trace::kFormatMinor) return;
    std::vector<std::string_view> extra;
    for (auto [key, value] : args)
    {
        bool listed = false;
        for (size_t i = 0; i < known; ++i) listed = listed || key == info.args[i].name;
        if (!listed) extra.push_back(key);
    }
    std::sort(extra.begin(), extra.end());  // in key order, as the reader always reported them
    extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
    for (std::string_view key : extra)
        problems->push_back(
            {Severity::Warning,
             fmt::format("\"args.{}\" is not an arg of {} in format {}.{} (ignored)", key,
                         info.name, trace::kFormatMajor, trace::kFormatMinor)});
}

void decodeTraceEnd(JsonObject line, DecodedLine* out)
{
    FieldProblems* problems = &out->problems;
    TraceEnd& end = out->end;
    if (auto v = field(line, "events", "events", Want::Unsigned, problems))
        end.events = unsignedOf(*v);
    if (auto v = field(line, "dropped", "dropped", Want::Unsigned, problems))
        end.dropped = unsignedOf(*v);
    if (auto cut = field(line, "cut_flows", "cut_flows", Want::Array, problems))
    {
        // A copy: value_unsafe() of a temporary result would dangle in the range-for.
        simdjson::dom::array flows = cut->get_array().value_unsafe();
        for (JsonValue flow : flows)
        {
            if (matches(flow, Want::Unsigned))
                end.cutFlows.push_back(unsignedOf(flow));
            else
                addError(problems, fmt::format("\"cut_flows\" must hold unsigned integers, not {}",
                                               describeJson(flow)));
        }
    }
}

}  // namespace rscope::tracefile
