// parseHeader: the header line's fields (traces/FORMAT.md section 3) and the version policy:
// a newer major version is refused, a newer minor accepted.
#include <cstdio>

#include <fmt/format.h>

#include "engine/format/event_schema.h"
#include "engine/format/json_fields.h"

namespace rscope::tracefile
{

namespace
{
using nlohmann::json;

struct FieldSpec
{
    const char* name;
    Want want;
    bool required;
};

const FieldSpec kSettings[] = {
    {"mode", Want::String, true},
    {"host", Want::String, true},
    {"port", Want::Int, true},
    {"worker_num", Want::Int, true},
    {"reactor_num", Want::Int, true},
    {"dispatch_mode", Want::Int, true},
    {"protocol", Want::String, true},
    {"package_max_length", Want::Int, true},
    {"max_request", Want::Int, true},
    {"heartbeat_idle_time", Want::Int, true},
    {"heartbeat_check_interval", Want::Int, true},
    {"trace_step", Want::Bool, false},  // present (true) only with --trace-step
};
const FieldSpec kProcess[] = {{"role", Want::String, true},
                              {"index", Want::Int, true},
                              {"pid", Want::Int, true},
                              {"generation", Want::Int, false}};
const FieldSpec kThread[] = {{"role", Want::String, true},
                             {"index", Want::Int, true},
                             {"pid", Want::Int, true},
                             {"tid", Want::Int, true},
                             {"name", Want::String, true}};
const FieldSpec kPipe[] = {{"worker", Want::Int, true},
                           {"master_fd", Want::Int, true},
                           {"worker_fd", Want::Int, true},
                           {"reactor", Want::Int, true}};
const FieldSpec kListener[] = {
    {"host", Want::String, true}, {"port", Want::Int, true}, {"fd", Want::Int, true}};
const FieldSpec kConnection[] = {{"session", Want::Int, true},
                                 {"fd", Want::Int, true},
                                 {"reactor", Want::Int, true},
                                 {"peer", Want::String, true}};

const char* const kModes[] = {"process", "base"};
const char* const kPayloadModes[] = {"preview", "none"};

template <size_t N>
void checkFields(const json& obj, const FieldSpec (&specs)[N], const std::string& prefix,
                 FieldProblems* problems)
{
    for (const FieldSpec& spec : specs)
        field(obj, spec.name, prefix + spec.name, spec.want, problems, spec.required);
}

template <size_t N>
void checkEntries(const json& topology, const char* name, const FieldSpec (&specs)[N],
                  FieldProblems* problems)
{
    std::string path = fmt::format("topology.{}", name);
    const json* list = field(topology, name, path, Want::Array, problems);
    if (list == nullptr) return;
    for (size_t i = 0; i < list->size(); ++i)
    {
        std::string at = fmt::format("{}[{}]", path, i);
        const json& entry = (*list)[i];
        if (!entry.is_object())
        {
            addError(problems,
                     fmt::format("\"{}\" must be an object, not {}", at, describeJson(entry)));
            continue;
        }
        checkFields(entry, specs, at + ".", problems);
        FieldProblems ignored;  // a mistyped role was reported by checkFields
        if (specs[0].name == std::string("role"))
            checkOneOf(field(entry, "role", "", Want::String, &ignored), at + ".role", kRoles,
                       problems);
    }
}
}  // namespace

bool parseHeader(const json& line, TraceHeader* out, FieldProblems* problems, std::string* fatal)
{
    const json* format = field(line, "format", "format", Want::String, problems);
    if (format == nullptr || *format != trace::kFormatName)
    {
        *fatal =
            fmt::format("not a Reactorscope trace: header \"format\" is {}, expected \"{}\"",
                        format ? format->dump() : "missing or not a string", trace::kFormatName);
        return false;
    }
    const json* version = field(line, "version", "version", Want::String, problems);
    int major = -1;
    int minor = -1;
    char tail;
    if (version == nullptr ||
        std::sscanf(version->get_ref<const std::string&>().c_str(), "%d.%d%c", &major, &minor,
                    &tail) != 2 ||
        major < 0 || minor < 0)
    {
        *fatal = fmt::format("header \"version\" must be a \"MAJOR.MINOR\" string, not {}",
                             version ? describeJson(*version) : "missing");
        return false;
    }
    out->version = version->get<std::string>();
    out->versionMajor = major;
    out->versionMinor = minor;
    if (major > trace::kFormatMajor)
    {
        *fatal = fmt::format(
            "trace format version {} is newer than this reader ({}.{}); a new major version is "
            "incompatible, use a newer rscope",
            out->version, trace::kFormatMajor, trace::kFormatMinor);
        return false;
    }
    if (major < trace::kFormatMajor)
    {
        *fatal = fmt::format("trace format version {} is not supported (this reader reads {}.x)",
                             out->version, trace::kFormatMajor);
        return false;
    }
    if (const json* v = field(line, "created_ns", "created_ns", Want::Int, problems))
        out->createdNs = v->get<int64_t>();
    if (const json* v = field(line, "wall_time", "wall_time", Want::String, problems))
        out->wallTime = v->get<std::string>();
    const json* payload = field(line, "trace_payload", "trace_payload", Want::String, problems);
    checkOneOf(payload, "trace_payload", kPayloadModes, problems);
    if (payload) out->tracePayload = payload->get<std::string>();
    // Optional (added for late joiners); absent means a complete stream from seq 1.
    if (auto it = line.find("replay_events"); it != line.end() && it->is_number_unsigned())
        out->replayEvents = it->get<uint64_t>();
    if (auto it = line.find("live_from_seq"); it != line.end() && it->is_number_unsigned())
        out->liveFromSeq = it->get<uint64_t>();
    // Optional: only a server in step mode says where its gate stands.
    if (const json* v = field(line, "step_state", "step_state", Want::String, problems, false))
        out->stepState = v->get<std::string>();
    if (const json* settings = field(line, "settings", "settings", Want::Object, problems))
    {
        checkFields(*settings, kSettings, "settings.", problems);
        FieldProblems ignored;  // types were reported just above
        checkOneOf(field(*settings, "mode", "", Want::String, &ignored), "settings.mode", kModes,
                   problems);
        checkOneOf(field(*settings, "protocol", "", Want::String, &ignored), "settings.protocol",
                   kProtocols, problems);
        out->settings = *settings;
    }
    if (const json* topology = field(line, "topology", "topology", Want::Object, problems))
    {
        checkEntries(*topology, "processes", kProcess, problems);
        checkEntries(*topology, "threads", kThread, problems);
        checkEntries(*topology, "pipes", kPipe, problems);
        checkEntries(*topology, "listeners", kListener, problems);
        checkEntries(*topology, "connections", kConnection, problems);
        out->topology = *topology;
    }
    return true;
}

}  // namespace rscope::tracefile
