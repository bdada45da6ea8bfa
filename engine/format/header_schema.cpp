// decodeHeader: the header line's fields (traces/FORMAT.md section 3) on simdjson values, and the
// version policy: another major version is refused, a newer minor accepted. Fields of the wrong
// type are reported and left at their defaults.
#include <cstdio>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "engine/format/event_schema.h"
#include "engine/format/json_fields.h"
#include "engine/format/line_parser.h"
#include "engine/format/trace_limits.h"

namespace rscope::tracefile
{

namespace
{
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
    {"trace_step", Want::Bool, false},         // present (true) only with --trace-step
    {"task_worker_num", Want::Int, false},     // format 1.1; absent before: no task workers
    {"socket_buffer_size", Want::Int, false},  // format 1.1; absent in older traces
    {"buffer_output_size", Want::Int, false},
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

// Checked fields of one object, by name; absent or mistyped ones are reported and left unset.
template <size_t N>
struct Fields
{
    std::optional<JsonValue> values[N];

    Fields(JsonObject obj, const FieldSpec (&specs)[N], const std::string& prefix,
           FieldProblems* problems)
    {
        for (size_t i = 0; i < N; ++i)
            values[i] = field(obj, specs[i].name, prefix + specs[i].name, specs[i].want, problems,
                              specs[i].required);
    }
    std::optional<JsonValue> operator[](size_t i) const { return values[i]; }
    // A value out of Int's range is left at its default, as a mistyped one.
    template <typename Int>
    void intInto(size_t i, Int* out) const
    {
        if (!values[i]) return;
        int64_t v = intOf(*values[i]);
        if (v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max())
            *out = static_cast<Int>(v);
    }
    void intInto(size_t i, std::optional<int64_t>* out) const
    {
        if (values[i]) *out = intOf(*values[i]);
    }
    void stringInto(size_t i, std::string* out) const
    {
        if (values[i]) out->assign(stringOf(*values[i]));
    }
};

// Each object of topology.<name>, checked against specs, handed to decode.
template <size_t N, typename Decode>
void decodeEntries(JsonObject topology, const char* name, const FieldSpec (&specs)[N],
                   FieldProblems* problems, Decode decode)
{
    std::string path = fmt::format("topology.{}", name);
    auto list = field(topology, name, path, Want::Array, problems);
    if (!list) return;
    size_t i = 0;
    simdjson::dom::array entries = list->get_array().value_unsafe();  // a copy: see decodeTraceEnd
    for (JsonValue entry : entries)
    {
        std::string at = fmt::format("{}[{}]", path, i++);
        JsonObject obj;
        if (entry.get_object().get(obj) != simdjson::SUCCESS)
        {
            addError(problems,
                     fmt::format("\"{}\" must be an object, not {}", at, describeJson(entry)));
            continue;
        }
        Fields<N> f(obj, specs, at + ".", problems);
        if (specs[0].name == std::string_view("role"))
            checkOneOf(f[0], at + ".role", kRoles, problems);
        decode(f);
    }
}

// A size beyond what a server can have (trace_limits.h); "" when fine.
std::string beyondLimits(const TraceHeader& h)
{
    using trace::kMaxReactorNum;
    using trace::kMaxWorkerNum;
    auto over = [](const char* what, long long value, long long limit)
    {
        return fmt::format(
            "{} {} is beyond the server's limit of {}; not a trace an rscope server wrote", what,
            value, limit);
    };
    if (h.settings.workerNum < 0 || h.settings.reactorNum < 0)
        return fmt::format(
            "worker_num {} / reactor_num {}: a negative count; not a trace an "
            "rscope server wrote",
            h.settings.workerNum, h.settings.reactorNum);
    if (h.settings.workerNum > kMaxWorkerNum)
        return over("worker_num", h.settings.workerNum, kMaxWorkerNum);
    if (h.settings.taskWorkerNum < 0 || h.settings.taskWorkerNum > kMaxWorkerNum)
        return over("task_worker_num", h.settings.taskWorkerNum, kMaxWorkerNum);
    if (h.settings.reactorNum > kMaxReactorNum)
        return over("reactor_num", h.settings.reactorNum, kMaxReactorNum);
    for (const HeaderProcess& p : h.processes)
        if ((p.role == "worker" || p.role == "task_worker") && p.index >= 2 * kMaxWorkerNum)
            return over("a worker's index", p.index, 2 * kMaxWorkerNum - 1);
    for (const HeaderThread& t : h.threads)
        if (t.role == "reactor" && t.index >= kMaxReactorNum)
            return over("a reactor thread's index", t.index, kMaxReactorNum - 1);
    for (const HeaderPipe& p : h.pipes)
    {
        if (p.worker >= 2 * kMaxWorkerNum)
            return over("a pipe's worker", p.worker, 2 * kMaxWorkerNum - 1);
        if (p.reactor >= kMaxReactorNum)
            return over("a pipe's reactor", p.reactor, kMaxReactorNum - 1);
    }
    return {};
}

void decodeTopology(JsonObject topology, TraceHeader* h, FieldProblems* problems)
{
    decodeEntries(topology, "processes", kProcess, problems,
                  [&](const Fields<4>& f)
                  {
                      HeaderProcess& p = h->processes.emplace_back();
                      f.stringInto(0, &p.role);
                      f.intInto(1, &p.index);
                      f.intInto(2, &p.pid);
                      f.intInto(3, &p.generation);
                  });
    decodeEntries(topology, "threads", kThread, problems,
                  [&](const Fields<5>& f)
                  {
                      HeaderThread& t = h->threads.emplace_back();
                      f.stringInto(0, &t.role);
                      f.intInto(1, &t.index);
                      f.intInto(2, &t.pid);
                      f.intInto(3, &t.tid);
                      f.stringInto(4, &t.name);
                  });
    decodeEntries(topology, "pipes", kPipe, problems,
                  [&](const Fields<4>& f)
                  {
                      HeaderPipe& p = h->pipes.emplace_back();
                      f.intInto(0, &p.worker);
                      f.intInto(1, &p.masterFd);
                      f.intInto(2, &p.workerFd);
                      f.intInto(3, &p.reactor);
                  });
    decodeEntries(topology, "listeners", kListener, problems,
                  [&](const Fields<3>& f)
                  {
                      HeaderListener& l = h->listeners.emplace_back();
                      f.stringInto(0, &l.host);
                      f.intInto(1, &l.port);
                      f.intInto(2, &l.fd);
                  });
    decodeEntries(topology, "connections", kConnection, problems,
                  [&](const Fields<4>& f)
                  {
                      HeaderConnection& c = h->connections.emplace_back();
                      f.intInto(0, &c.session);
                      f.intInto(1, &c.fd);
                      f.intInto(2, &c.reactor);
                      f.stringInto(3, &c.peer);
                  });
}
}  // namespace

void decodeHeader(JsonObject line, DecodedLine* out)
{
    TraceHeader* h = &out->header;
    FieldProblems* problems = &out->problems;
    auto format = field(line, "format", "format", Want::String, problems);
    if (!format || stringOf(*format) != trace::kFormatName)
    {
        h->fatal =
            fmt::format("not a Reactorscope trace: header \"format\" is {}, expected \"{}\"",
                        format ? jsonText(*format) : "missing or not a string", trace::kFormatName);
        return;
    }
    auto version = field(line, "version", "version", Want::String, problems);
    int major = -1;
    int minor = -1;
    char tail;
    std::string versionText = version ? std::string(stringOf(*version)) : std::string();
    if (!version || std::sscanf(versionText.c_str(), "%d.%d%c", &major, &minor, &tail) != 2 ||
        major < 0 || minor < 0)
    {
        h->fatal = fmt::format("header \"version\" must be a \"MAJOR.MINOR\" string, not {}",
                               version ? describeJson(*version) : "missing");
        return;
    }
    h->version = versionText;
    h->versionMajor = major;
    h->versionMinor = minor;
    if (major > trace::kFormatMajor)
    {
        h->fatal = fmt::format(
            "trace format version {} is newer than this reader ({}.{}); a new major version is "
            "incompatible, use a newer rscope",
            h->version, trace::kFormatMajor, trace::kFormatMinor);
        return;
    }
    if (major < trace::kFormatMajor)
    {
        h->fatal = fmt::format("trace format version {} is not supported (this reader reads {}.x)",
                               h->version, trace::kFormatMajor);
        return;
    }
    if (auto v = field(line, "created_ns", "created_ns", Want::Int, problems))
        h->createdNs = intOf(*v);
    if (auto v = field(line, "wall_time", "wall_time", Want::String, problems))
        h->wallTime = stringOf(*v);
    auto payload = field(line, "trace_payload", "trace_payload", Want::String, problems);
    checkOneOf(payload, "trace_payload", kPayloadModes, problems);
    if (payload) h->tracePayload = stringOf(*payload);
    // Optional (added for late joiners); absent means a complete stream from seq 1.
    if (auto v = member(line, "replay_events"); v && matches(*v, Want::Unsigned))
        h->replayEvents = unsignedOf(*v);
    if (auto v = member(line, "live_from_seq"); v && matches(*v, Want::Unsigned))
        h->liveFromSeq = unsignedOf(*v);
    // Optional: only a server in step mode says where its gate stands.
    if (auto v = field(line, "step_state", "step_state", Want::String, problems, false))
        h->stepState = stringOf(*v);
    if (auto settings = field(line, "settings", "settings", Want::Object, problems))
    {
        Fields f(settings->get_object().value_unsafe(), kSettings, "settings.", problems);
        checkOneOf(f[0], "settings.mode", kModes, problems);
        checkOneOf(f[6], "settings.protocol", kProtocols, problems);
        HeaderSettings& s = h->settings;
        f.stringInto(0, &s.mode);
        f.stringInto(1, &s.host);
        f.intInto(2, &s.port);
        f.intInto(3, &s.workerNum);
        f.intInto(4, &s.reactorNum);
        f.intInto(5, &s.dispatchMode);
        f.stringInto(6, &s.protocol);
        if (f[11]) s.traceStep = f[11]->get_bool().value_unsafe();
        f.intInto(12, &s.taskWorkerNum);
        f.intInto(13, &s.socketBufferSize);
        f.intInto(14, &s.bufferOutputSize);
    }
    if (auto topology = field(line, "topology", "topology", Want::Object, problems))
        decodeTopology(topology->get_object().value_unsafe(), h, problems);
    h->beyondLimits = beyondLimits(*h);
}

}  // namespace rscope::tracefile
