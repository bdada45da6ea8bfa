// Interleaved request traces: a small simulation that advances one random request in flight at a
// time; a worker's part of a request (receive .. callback_exit) is written in one block because a
// worker runs one callback at a time.
#include "tests/viewer/model/derived/interleaved_trace.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/format/trace_event.h"

namespace rscope::viewer::test
{

namespace
{

using nlohmann::json;

constexpr int kReactors = 2;

// The "fn" a server writes: the pipe kinds name the sender's function by args.direction.
const char* fnOf(const char* kind, const json& args)
{
    uint8_t direction = 0xff;
    if (args.contains("direction"))
        for (uint8_t i = 0; i < trace::kDirectionCount; ++i)
            if (args["direction"] == trace::directionName(i)) direction = i;
    return trace::historicFn(trace::kindByName(kind), direction);
}

json headerLine(int workers)
{
    json pipes = json::array(), processes = json::array(), threads = json::array();
    processes.push_back({{"role", "master"}, {"index", -1}, {"pid", 100}});
    processes.push_back({{"role", "manager"}, {"index", -1}, {"pid", 101}});
    threads.push_back(
        {{"role", "master"}, {"index", -1}, {"pid", 100}, {"tid", 100}, {"name", "master"}});
    for (int r = 0; r < kReactors; ++r)
        threads.push_back({{"role", "reactor"},
                           {"index", r},
                           {"pid", 100},
                           {"tid", 200 + r},
                           {"name", "reactor[" + std::to_string(r) + "]"}});
    for (int w = 0; w < workers; ++w)
    {
        processes.push_back(
            {{"role", "worker"}, {"index", w}, {"pid", 300 + w}, {"generation", 1}});
        threads.push_back({{"role", "worker"},
                           {"index", w},
                           {"pid", 300 + w},
                           {"tid", 300 + w},
                           {"name", "worker[" + std::to_string(w) + "]"}});
        pipes.push_back({{"worker", w},
                         {"master_fd", 10 + 2 * w},
                         {"worker_fd", 11 + 2 * w},
                         {"reactor", w % kReactors}});
    }
    json settings = {
        {"mode", "process"},        {"host", "127.0.0.1"},           {"port", 9502},
        {"worker_num", workers},    {"reactor_num", kReactors},      {"dispatch_mode", 2},
        {"protocol", "raw"},        {"package_max_length", 2097152}, {"max_request", 0},
        {"heartbeat_idle_time", 0}, {"heartbeat_check_interval", 0}};
    return {{"type", "header"},
            {"format", "reactorscope-trace"},
            {"version", "1.0"},
            {"created_ns", 1000},
            {"wall_time", "2026-11-27T00:00:00Z"},
            {"trace_payload", "none"},
            {"settings", settings},
            {"topology",
             {{"processes", processes},
              {"threads", threads},
              {"pipes", pipes},
              {"listeners", json::array({{{"host", "127.0.0.1"}, {"port", 9502}, {"fd", 3}}})},
              {"connections", json::array()}}}};
}

struct Request
{
    int64_t session = 0;
    uint64_t flow = 0;
    uint64_t msgIn = 0;
    uint64_t msgOut = 0;
    int stage = 0;  // 1 dispatch next, 2 worker next, 3 reply write next, 4 close next
    bool reply = true;
    bool serverClose = false;
};

class Writer
{
  public:
    Writer(const std::string& path, uint32_t seed) : out_(path), rng_(seed) {}
    std::mt19937& rng() { return rng_; }
    void write(const json& j) { out_ << j.dump() << '\n'; }

    // One event line; `ids` holds the optional ids (session, fd, reactor, worker, msg_id, flow).
    void event(const char* kind, const char* role, int index, json ids, json args)
    {
        ts_ += static_cast<int64_t>(rng_() % 3000);
        if (rng_() % 300 == 0) ts_ += 20'000'000;
        int pid = std::string(role) == "worker" ? 300 + index : 100;
        int tid = std::string(role) == "reactor" ? 200 + index : pid;
        json j = {{"seq", ++seq_},
                  {"ts", ts_},
                  {"kind", kind},
                  {"fn", fnOf(kind, args)},
                  {"actor", {{"role", role}, {"index", index}, {"pid", pid}, {"tid", tid}}},
                  {"args", std::move(args)}};
        j.update(ids);
        write(j);
    }
    uint64_t events() const { return seq_; }

  private:
    std::ofstream out_;
    std::mt19937 rng_;
    int64_t ts_ = 5'000'000'000;
    uint64_t seq_ = 0;
};

}  // namespace

void writeInterleavedTrace(const std::string& path, int requests, int sessions, int workers,
                           uint32_t seed)
{
    Writer w(path, seed);
    auto& rng = w.rng();
    w.write(headerLine(workers));
    uint64_t nextId[8] = {};  // per issuing thread: reactors 0..1, workers from 2
    auto idFrom = [&](int thread, uint64_t high)
    { return (high << 40) | ++nextId[std::min(thread, 7)]; };
    auto fdOf = [](int64_t s) { return static_cast<int>(s + 20); };

    std::vector<int64_t> open;
    for (int64_t s = 1; s <= sessions; ++s)
    {
        int fd = fdOf(s), r = fd % kReactors, wk = fd % workers;
        uint64_t flow = (uint64_t{0x1000} << 40) | static_cast<uint64_t>(s);
        uint64_t msg = idFrom(r, r + 1);
        w.event("accept", "master", -1, {{"session", s}, {"fd", fd}, {"flow", flow}},
                {{"listen_fd", 3}, {"peer_ip", "127.0.0.1"}, {"peer_port", 40000 + s}});
        w.event("reactor_assign", "master", -1,
                {{"session", s}, {"fd", fd}, {"reactor", r}, {"flow", flow}}, json::object());
        w.event("reactor_register", "reactor", r,
                {{"session", s}, {"fd", fd}, {"reactor", r}, {"flow", flow}}, {{"delayed", false}});
        w.event("pipe_write", "reactor", r,
                {{"session", s}, {"reactor", r}, {"worker", wk}, {"msg_id", msg}, {"flow", flow}},
                {{"direction", "to_worker"},
                 {"type", "CONNECT"},
                 {"bytes", 48},
                 {"chunks", 1},
                 {"queued", false}});
        w.event("worker_receive", "worker", wk,
                {{"session", s}, {"reactor", r}, {"worker", wk}, {"msg_id", msg}, {"flow", flow}},
                {{"type", "CONNECT"}, {"len", 0}, {"chunks", 1}});
        w.event("callback_enter", "worker", wk, {{"session", s}, {"worker", wk}, {"flow", flow}},
                {{"callback", "onConnect"}});
        w.event("callback_exit", "worker", wk, {{"session", s}, {"worker", wk}, {"flow", flow}},
                {{"callback", "onConnect"}, {"duration_ns", 1000}});
        open.push_back(s);
    }

    std::vector<Request> inFlight;
    int started = 0;
    while (started < requests || !inFlight.empty())
    {
        bool start = started < requests && !open.empty() &&
                     (inFlight.empty() || (inFlight.size() < 12 && rng() % 3 != 0));
        if (start)
        {
            Request q;
            q.session = open[rng() % open.size()];
            int r = fdOf(q.session) % kReactors;
            q.flow = idFrom(r, r + 1);
            q.reply = rng() % 10 != 0;
            q.serverClose = rng() % 20 == 0 && open.size() > static_cast<size_t>(sessions / 2);
            q.stage = 1;
            int bytes = 10 + static_cast<int>(rng() % 50);
            w.event(
                "read", "reactor", r,
                {{"session", q.session}, {"fd", fdOf(q.session)}, {"reactor", r}, {"flow", q.flow}},
                {{"bytes", bytes}, {"buffered_total", 0}});
            inFlight.push_back(q);
            ++started;
            continue;
        }
        size_t pick = rng() % inFlight.size();
        Request& q = inFlight[pick];
        int fd = fdOf(q.session), r = fd % kReactors, wk = fd % workers;
        json ids = {{"session", q.session}, {"reactor", r}, {"worker", wk}, {"flow", q.flow}};
        bool done = false;
        if (q.stage == 1)
        {
            q.msgIn = idFrom(r, r + 1);
            ids["msg_id"] = q.msgIn;
            json dispatchIds = ids;
            dispatchIds["fd"] = fd;
            w.event("dispatch", "reactor", r, dispatchIds,
                    {{"type", "RECV_DATA"}, {"len", 12}, {"mode", 2}});
            w.event("pipe_write", "reactor", r, ids,
                    {{"direction", "to_worker"},
                     {"type", "RECV_DATA"},
                     {"bytes", 60},
                     {"chunks", 1},
                     {"queued", false}});
            q.stage = 2;
        }
        else if (q.stage == 2)
        {
            json workerIds = {{"session", q.session}, {"worker", wk}, {"flow", q.flow}};
            ids["msg_id"] = q.msgIn;
            w.event("worker_receive", "worker", wk, ids,
                    {{"type", "RECV_DATA"}, {"len", 12}, {"chunks", 1}});
            w.event("callback_enter", "worker", wk, workerIds, {{"callback", "onReceive"}});
            if (q.reply)
            {
                q.msgOut = idFrom(2 + wk, 0x100 + wk);
                json sendIds = ids;
                sendIds["msg_id"] = q.msgOut;
                w.event("send_request", "worker", wk, sendIds, {{"len", 28}, {"pipe", wk}});
                w.event("pipe_write", "worker", wk, sendIds,
                        {{"direction", "to_reactor"},
                         {"type", "SEND_DATA"},
                         {"bytes", 76},
                         {"chunks", 1},
                         {"queued", false}});
            }
            if (q.serverClose)
            {
                std::erase(open, q.session);
                w.event("close_request", "worker", wk, ids,
                        {{"reset", false}, {"forwarded", false}, {"owner_worker", wk}});
                w.event("callback_enter", "worker", wk, workerIds, {{"callback", "onClose"}});
                w.event("callback_exit", "worker", wk, workerIds,
                        {{"callback", "onClose"}, {"duration_ns", 500}});
                w.event("pipe_write", "worker", wk, ids,
                        {{"direction", "to_reactor"},
                         {"type", "CLOSE"},
                         {"bytes", 48},
                         {"chunks", 1},
                         {"queued", false}});
            }
            w.event("callback_exit", "worker", wk, workerIds,
                    {{"callback", "onReceive"}, {"duration_ns", 2000}});
            q.stage = q.reply ? 3 : 4;
            done = !q.reply && !q.serverClose;
        }
        else if (q.stage == 3)
        {
            ids["msg_id"] = q.msgOut;
            ids["fd"] = fd;
            w.event("reactor_write", "reactor", r, ids,
                    {{"bytes", 28}, {"queued", 0}, {"direct", true}});
            q.stage = 4;
            done = !q.serverClose;
        }
        else
        {
            w.event("close", "reactor", r,
                    {{"session", q.session}, {"fd", fd}, {"reactor", r}, {"flow", q.flow}},
                    {{"cause", "server_close"}, {"dropped_bytes", 0}});
            done = true;
        }
        if (done) inFlight.erase(inFlight.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    w.write({{"type", "trace_end"},
             {"events", w.events()},
             {"dropped", 0},
             {"cut_flows", json::array()}});
}

}  // namespace rscope::viewer::test
