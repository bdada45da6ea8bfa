// Header line: a snapshot of what runs now, so a late trace client can draw the topology.
#include "engine/trace/trace_header.h"

#include <time.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/trace/step_gate.h"
#include "engine/trace/trace_buffers.h"
#include "engine/trace/trace_collector.h"

namespace rscope::trace
{

namespace
{
std::string wallTimeText()
{
    time_t now = ::time(nullptr);
    tm utc{};
    ::gmtime_r(&now, &utc);
    char buf[32];
    ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

std::string threadName(const RingHeader& h)
{
    const char* role = actorRoleName(static_cast<ActorRole>(h.role));
    return h.index >= 0 ? fmt::format("{}[{}]", role, h.index) : std::string(role);
}
}  // namespace

std::string buildHeaderLine(const Topology& topology, TraceBuffers& buffers,
                            const TraceOptions& options, uint64_t replayEvents,
                            uint64_t liveFromSeq)
{
    using nlohmann::json;
    const Topology::Settings& c = topology.settings;
    json settings = {{"mode", c.mode},
                     {"host", c.host},
                     {"port", c.port},
                     {"worker_num", c.workerNum},
                     {"task_worker_num", c.taskWorkerNum},
                     {"reactor_num", c.reactorNum},
                     {"dispatch_mode", c.dispatchMode},
                     {"protocol", c.protocol},
                     {"package_max_length", c.packageMaxLength},
                     {"max_request", c.maxRequest},
                     {"heartbeat_idle_time", c.heartbeatIdleTimeS},
                     {"heartbeat_check_interval", c.heartbeatCheckIntervalS},
                     {"socket_buffer_size", c.socketBufferSize},
                     {"buffer_output_size", c.bufferOutputSize}};

    // Step mode only: absent means off (older readers ignore both fields).
    if (options.stepGate != nullptr) settings["trace_step"] = true;

    json processes = json::array();
    for (const Topology::Process& p : topology.processes)
    {
        json process = {{"role", p.role}, {"index", p.index}, {"pid", p.pid}};
        if (p.generation >= 0) process["generation"] = p.generation;
        processes.push_back(std::move(process));
    }
    json threads = json::array();
    for (int i = 0; i < buffers.ringCount(); ++i)
    {
        const RingHeader& h = buffers.ring(i).header;
        if (h.tid.load() == 0) continue;  // never attached (e.g. no manager in BASE mode)
        threads.push_back({{"role", actorRoleName(static_cast<ActorRole>(h.role))},
                           {"index", h.index},
                           {"pid", h.pid.load()},
                           {"tid", h.tid.load()},
                           {"name", threadName(h)}});
    }
    json pipes = json::array();
    for (const Topology::Pipe& p : topology.pipes)
        pipes.push_back({{"worker", p.worker},
                         {"master_fd", p.masterFd},
                         {"worker_fd", p.workerFd},
                         {"reactor", p.reactor}});
    json listeners = json::array();
    for (const Topology::Listener& l : topology.listeners)
        listeners.push_back({{"host", l.host}, {"port", l.port}, {"fd", l.fd}});
    json connections = json::array();
    for (const Topology::Connection& conn : topology.connections)
        connections.push_back({{"session", conn.session},
                               {"fd", conn.fd},
                               {"reactor", conn.reactor},
                               {"peer", conn.peer}});
    json header = {{"type", "header"},
                   {"format", kFormatName},
                   {"version", fmt::format("{}.{}", kFormatMajor, kFormatMinor)},
                   {"created_ns", base::monotonicNs()},
                   {"wall_time", wallTimeText()},
                   {"trace_payload", options.payloadPreview ? "preview" : "none"},
                   {"replay_events", replayEvents},
                   {"live_from_seq", liveFromSeq},
                   {"settings", settings},
                   {"topology",
                    {{"processes", processes},
                     {"threads", threads},
                     {"pipes", pipes},
                     {"listeners", listeners},
                     {"connections", connections}}}};
    if (const StepGate* gate = options.stepGate)
        header["step_state"] = gate->closed() ? "closed" : gate->holding() ? "held" : "running";
    return header.dump() + "\n";
}

}  // namespace rscope::trace
