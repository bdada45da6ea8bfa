// The header line -> Topology: format and version checks, settings, and the topology lists
// (processes, threads, pipes, listeners, connections) as traces/FORMAT.md, section 3 lists them.
#include "viewer/model/header_decoder.h"

#include <charconv>
#include <string>

#include "engine/format/trace_limits.h"

namespace rscope::viewer
{

namespace
{
using simdjson::dom::element;
using simdjson::dom::object;

// Takes the lookup's result, not an element: converting a missing key's result to an element
// throws (the fuzzer found a header without "version" ending the viewer).
std::string_view stringOr(simdjson::simdjson_result<element> value, std::string_view fallback = {})
{
    std::string_view s;
    return value.get_string().get(s) == simdjson::SUCCESS ? s : fallback;
}

// Lenient lookups for the header: a field of the wrong type is left at its default.
template <typename Int>
void intField(object o, std::string_view key, Int& out)
{
    element v;
    if (o.at_key(key).get(v) == simdjson::SUCCESS) readInt(v, out);
}

void stringField(object o, std::string_view key, std::string& out)
{
    element v;
    std::string_view s;
    if (o.at_key(key).get(v) == simdjson::SUCCESS && v.get_string().get(s) == simdjson::SUCCESS)
        out.assign(s);
}

template <typename Fn>
void forEachObject(object o, std::string_view key, Fn fn)
{
    simdjson::dom::array list;
    if (o.at_key(key).get_array().get(list) != simdjson::SUCCESS) return;
    for (element item : list)
    {
        object entry;
        if (item.get_object().get(entry) == simdjson::SUCCESS) fn(entry);
    }
}

bool fail(std::string& error, std::string message)
{
    error = std::move(message);
    return false;
}

// "MAJOR.MINOR" -> major; false when unreadable.
bool parseMajor(std::string_view version, int& major)
{
    size_t dot = version.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= version.size()) return false;
    int minor = 0;
    auto [p1, e1] = std::from_chars(version.data(), version.data() + dot, major);
    auto [p2, e2] =
        std::from_chars(version.data() + dot + 1, version.data() + version.size(), minor);
    return e1 == std::errc() && e2 == std::errc() && p1 == version.data() + dot &&
           p2 == version.data() + version.size();
}

// Sizes the viewer's tables come from, checked against what a server can have; "" when fine.
std::string beyondLimits(const Topology& t)
{
    using trace::kMaxReactorNum;
    using trace::kMaxWorkerNum;
    auto over = [](const char* what, long long value, long long limit)
    {
        return std::string(what) + " " + std::to_string(value) +
               " is beyond the server's limit of " + std::to_string(limit) +
               "; not a trace an rscope server wrote";
    };
    if (t.workerNum > kMaxWorkerNum) return over("worker_num", t.workerNum, kMaxWorkerNum);
    if (t.reactorNum > kMaxReactorNum) return over("reactor_num", t.reactorNum, kMaxReactorNum);
    for (const Process& p : t.processes)
        if (p.role == Role::Worker && p.index >= kMaxWorkerNum)
            return over("a worker's index", p.index, kMaxWorkerNum - 1);
    for (const Actor& a : t.threads)
        if (a.role == Role::Reactor && a.index >= kMaxReactorNum)
            return over("a reactor thread's index", a.index, kMaxReactorNum - 1);
    for (const Pipe& p : t.pipes)
    {
        if (p.worker >= kMaxWorkerNum) return over("a pipe's worker", p.worker, kMaxWorkerNum - 1);
        if (p.reactor >= kMaxReactorNum)
            return over("a pipe's reactor", p.reactor, kMaxReactorNum - 1);
    }
    return {};
}

}  // namespace

bool decodeHeader(std::string_view line, object root, Topology& t, std::string& error)
{
    std::string_view format = stringOr(root["format"], "");
    if (format != trace::kFormatName)
        return fail(error, "header: format \"" + std::string(format) + "\" is not \"" +
                               trace::kFormatName + "\"; not a Reactorscope trace");
    std::string_view version = stringOr(root["version"], "");
    int major = 0;
    if (!parseMajor(version, major))
        return fail(error, "header: unreadable format version \"" + std::string(version) + "\"");
    if (major > trace::kFormatMajor)
        return fail(error, "trace format version " + std::string(version) +
                               " is newer than this viewer (" +
                               std::to_string(trace::kFormatMajor) + "." +
                               std::to_string(trace::kFormatMinor) +
                               "); a new major version is incompatible, use a newer rscope-viewer");

    t = Topology{};
    t.formatVersion.assign(version);
    intField(root, "live_from_seq", t.liveFromSeq);
    object settings;
    if (root["settings"].get_object().get(settings) == simdjson::SUCCESS)
    {
        stringField(settings, "mode", t.mode);
        stringField(settings, "host", t.host);
        intField(settings, "port", t.port);
        intField(settings, "reactor_num", t.reactorNum);
        intField(settings, "worker_num", t.workerNum);
        intField(settings, "dispatch_mode", t.dispatchMode);
        stringField(settings, "protocol", t.protocol);
        bool step = false;
        if (settings["trace_step"].get_bool().get(step) == simdjson::SUCCESS) t.traceStep = step;
    }
    object topology;
    if (root["topology"].get_object().get(topology) == simdjson::SUCCESS)
    {
        forEachObject(topology, "processes",
                      [&](object o)
                      {
                          Process& p = t.processes.emplace_back();
                          p.role = roleByName(stringOr(o["role"]));
                          intField(o, "index", p.index);
                          intField(o, "pid", p.pid);
                          intField(o, "generation", p.generation);
                      });
        forEachObject(topology, "threads",
                      [&](object o)
                      {
                          Actor& a = t.threads.emplace_back();
                          a.role = roleByName(stringOr(o["role"]));
                          intField(o, "index", a.index);
                          intField(o, "pid", a.pid);
                          intField(o, "tid", a.tid);
                          stringField(o, "name", a.name);
                      });
        forEachObject(topology, "pipes",
                      [&](object o)
                      {
                          Pipe& p = t.pipes.emplace_back();
                          intField(o, "reactor", p.reactor);
                          intField(o, "worker", p.worker);
                          intField(o, "master_fd", p.masterFd);
                          intField(o, "worker_fd", p.workerFd);
                      });
        forEachObject(topology, "listeners",
                      [&](object o)
                      {
                          Listener& l = t.listeners.emplace_back();
                          stringField(o, "host", l.host);
                          intField(o, "port", l.port);
                          intField(o, "fd", l.fd);
                      });
        forEachObject(topology, "connections",
                      [&](object o)
                      {
                          OpenConnection& c = t.connections.emplace_back();
                          intField(o, "session", c.session);
                          intField(o, "fd", c.fd);
                          intField(o, "reactor", c.reactor);
                          stringField(o, "peer", c.peer);
                      });
    }
    if (std::string bad = beyondLimits(t); !bad.empty()) return fail(error, "header: " + bad);
    t.headerJson.assign(line);
    return true;
}

}  // namespace rscope::viewer
