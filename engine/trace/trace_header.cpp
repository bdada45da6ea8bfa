// Header line: a snapshot of what runs now, so a late trace client can draw the topology.
#include "engine/trace/trace_header.h"

#include <arpa/inet.h>
#include <time.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
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

const char* protocolName(protocol::Protocol p)
{
    return p == protocol::Protocol::Eof      ? "eof"
           : p == protocol::Protocol::Length ? "length"
                                             : "raw";
}

std::string threadName(const RingHeader& h)
{
    const char* role = actorRoleName(static_cast<ActorRole>(h.role));
    return h.index >= 0 ? fmt::format("{}[{}]", role, h.index) : std::string(role);
}
}  // namespace

std::string buildHeaderLine(server::Server& server, TraceBuffers& buffers,
                            const TraceOptions& options, uint64_t replayEvents,
                            uint64_t liveFromSeq)
{
    using nlohmann::json;
    const server::ServerConfig& c = server.config();
    server::SharedState& shared = server.shared();
    bool base = c.mode == server::Mode::Base;
    json settings = {{"mode", server::modeName(c.mode)},
                     {"host", c.host},
                     {"port", server.port()},
                     {"worker_num", c.workerNum},
                     {"reactor_num", base ? 0 : c.reactorNum},
                     {"dispatch_mode", c.dispatchMode},
                     {"protocol", protocolName(c.protocol.protocol)},
                     {"package_max_length", c.protocol.maxLength},
                     {"max_request", c.maxRequest},
                     {"heartbeat_idle_time", c.heartbeatIdleTimeS},
                     {"heartbeat_check_interval", c.heartbeatCheckIntervalS}};

    // Step mode only: absent means off (older readers ignore both fields).
    if (options.stepGate != nullptr) settings["trace_step"] = true;

    json processes = json::array();
    processes.push_back(
        {{"role", "master"}, {"index", -1}, {"pid", shared.header().masterPid.load()}});
    if (!base)
        processes.push_back(
            {{"role", "manager"}, {"index", -1}, {"pid", shared.header().managerPid.load()}});
    for (int w = 0; w < c.workerNum; ++w)
    {
        const server::WorkerSlot& slot = shared.worker(w);
        processes.push_back({{"role", "worker"},
                             {"index", w},
                             {"pid", slot.pid.load()},
                             {"generation", slot.generation.load()}});
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
    for (int w = 0; w < c.workerNum; ++w)
        pipes.push_back({{"worker", w},
                         {"master_fd", server.pipes()[w].masterEnd.get()},
                         {"worker_fd", server.pipes()[w].workerEnd.get()},
                         {"reactor", base ? -1 : w % c.reactorNum}});
    json listeners = json::array();
    listeners.push_back(
        {{"host", c.host}, {"port", server.port()}, {"fd", server.boundListenFd()}});
    json connections = json::array();
    for (int64_t i = 0; i < shared.sessionCapacity(); ++i)
    {
        server::SessionSlot& slot = shared.slotOf(i);
        int64_t session = slot.sessionId.load(std::memory_order_acquire);
        if (session <= 0) continue;
        in_addr addr{htonl(slot.remoteIp)};
        char ip[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &addr, ip, sizeof ip);
        connections.push_back({{"session", session},
                               {"fd", slot.fd.load()},
                               {"reactor", slot.reactorId},
                               {"peer", fmt::format("{}:{}", ip, slot.remotePort)}});
    }
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
