// Independent reference statistics (whole-trace loops over the raw lines) and a generator of
// interleaved request traces.
#include "tests/viewer/model/derived/statistics_reference.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/format/trace_event.h"

namespace rscope::viewer::test
{

namespace
{

using nlohmann::json;

template <typename T>
T field(const json& j, const char* key, T otherwise)
{
    auto it = j.find(key);
    return it == j.end() ? otherwise : it->template get<T>();
}

bool matches(uint64_t expected, uint64_t got)
{
    return expected == 0 || got == 0 || expected == got;
}

// RequestHop numbers as in engine/format/hops.h's enum RequestHop.
enum RefHop
{
    kReadToDispatch,
    kDispatchToWorker,
    kWorkerToSend,
    kSendToWrite,
    kTotal
};

// The hops of one flow, walking its events in order (the definitions of engine/format/hops.h).
void flowSamples(const std::vector<RefEvent>& events, const std::vector<uint32_t>& indices,
                 std::vector<RefSample>& out)
{
    int64_t start = -1, dispatch = -1, receive = -1, send = -1;
    uint64_t dispatchMsg = 0, sendMsg = 0;
    int depth = 0;
    for (uint32_t i : indices)
    {
        const RefEvent& e = events[i];
        if (start < 0)
        {
            if (e.kind == "read" || e.kind == "frame") start = e.tsNs;
            continue;
        }
        if (e.kind == "close" || e.kind == "discard" || e.kind == "frame_error") return;
        if (e.kind == "dispatch" && dispatch < 0)
        {
            dispatch = e.tsNs;
            dispatchMsg = e.msgId;
            out.push_back({i, kReadToDispatch, dispatch - start});
        }
        else if (e.kind == "worker_receive" && dispatch >= 0 && receive < 0 &&
                 matches(dispatchMsg, e.msgId))
        {
            receive = e.tsNs;
            out.push_back({i, kDispatchToWorker, receive - dispatch});
        }
        else if (e.kind == "callback_enter")
        {
            ++depth;
        }
        else if (e.kind == "callback_exit")
        {
            depth = std::max(0, depth - 1);
            if (depth == 0 && send < 0) return;
        }
        else if (e.kind == "send_request" && receive >= 0 && send < 0)
        {
            send = e.tsNs;
            sendMsg = e.msgId;
            out.push_back({i, kWorkerToSend, send - receive});
        }
        else if (e.kind == "reactor_write" && send >= 0 && matches(sendMsg, e.msgId))
        {
            out.push_back({i, kSendToWrite, e.tsNs - send});
            out.push_back({i, kTotal, e.tsNs - start});
            return;
        }
    }
}

}  // namespace

std::vector<RefEvent> readReferenceEvents(const std::string& path)
{
    std::vector<RefEvent> out;
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::string line;
    while (std::getline(in, line))
    {
        json j = json::parse(line);
        if (j.contains("type")) continue;  // header, trace_end
        RefEvent e;
        e.kind = j.at("kind").get<std::string>();
        e.tsNs = j.at("ts").get<int64_t>();
        e.worker = field<int>(j, "worker", -1);
        e.reactor = field<int>(j, "reactor", -1);
        e.flow = field<uint64_t>(j, "flow", 0);
        e.msgId = field<uint64_t>(j, "msg_id", 0);
        const json& args = j.at("args");
        e.direction = field<std::string>(args, "direction", "");
        e.callback = field<std::string>(args, "callback", "");
        e.bytes = field<int64_t>(args, "bytes", field<int64_t>(args, "len", -1));
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<RefEvent> referenceEvents(const TraceStore& store)
{
    std::vector<RefEvent> out;
    for (const Event& ev : store.events())
    {
        RefEvent e;
        e.kind = trace::kindInfo(ev.kind).name;
        e.tsNs = ev.tsNs;
        e.worker = ev.worker;
        e.reactor = ev.reactor;
        e.flow = ev.flow;
        e.msgId = ev.msgId;
        if (ev.direction == Direction::ToWorker) e.direction = "to_worker";
        if (ev.direction == Direction::ToWorkerForward) e.direction = "to_worker_forward";
        if (ev.callback == CallbackId::OnReceive) e.callback = "onReceive";
        e.bytes = ev.bytes;
        out.push_back(std::move(e));
    }
    return out;
}

Reference computeReference(const std::vector<RefEvent>& events, int workers, int reactors)
{
    Reference ref;
    ref.workers.resize(workers);
    ref.reactors.resize(reactors);
    std::vector<int> depth(workers, 0);
    std::vector<int64_t> since(workers, 0), pipe(workers, 0);
    std::map<uint64_t, std::vector<uint32_t>> flows;
    for (uint32_t i = 0; i < events.size(); ++i)
    {
        const RefEvent& e = events[i];
        if (e.flow != 0) flows[e.flow].push_back(i);
        bool hasWorker = e.worker >= 0 && e.worker < workers;
        bool hasReactor = e.reactor >= 0 && e.reactor < reactors;
        int w = e.worker, r = e.reactor;
        if (e.kind == "callback_enter" && hasWorker)
        {
            if (depth[w]++ == 0) since[w] = e.tsNs;
        }
        else if (e.kind == "callback_exit" && hasWorker)
        {
            if (depth[w] == 1) ref.workers[w].busyNs += std::max<int64_t>(0, e.tsNs - since[w]);
            depth[w] = std::max(0, depth[w] - 1);
            if (e.callback == "onReceive")
            {
                ++ref.workers[w].requests;
                ++ref.requests;
            }
        }
        else if ((e.kind == "worker_exit" || e.kind == "worker_restart") && hasWorker)
        {
            depth[w] = 0;
        }
        else if (e.kind == "worker_receive" && hasWorker)
        {
            ++ref.workers[w].received;
            pipe[w] = std::max<int64_t>(0, pipe[w] - 1);
        }
        else if (e.kind == "pipe_write" && hasWorker &&
                 (e.direction == "to_worker" || e.direction == "to_worker_forward"))
        {
            ref.workers[w].maxPipeDepth = std::max(ref.workers[w].maxPipeDepth, ++pipe[w]);
        }
        else if (e.kind == "reactor_register" && hasReactor)
        {
            ++ref.reactors[r].connections;
        }
        else if (e.kind == "read" && hasReactor)
        {
            ++ref.reactors[r].reads;
            ref.reactors[r].bytesRead += static_cast<uint64_t>(std::max<int64_t>(0, e.bytes));
        }
        else if (e.kind == "reactor_write" && hasReactor)
        {
            ++ref.reactors[r].writes;
            ref.reactors[r].bytesWritten += static_cast<uint64_t>(std::max<int64_t>(0, e.bytes));
        }
    }
    for (const auto& [flow, indices] : flows) flowSamples(events, indices, ref.samples);
    std::sort(ref.samples.begin(), ref.samples.end(),
              [](const RefSample& a, const RefSample& b)
              { return a.event != b.event ? a.event < b.event : a.hop < b.hop; });
    return ref;
}

std::vector<double> referenceSeries(const std::vector<RefEvent>& events, const std::string& channel,
                                    int64_t originNs, int64_t widthNs, size_t buckets)
{
    std::vector<double> out(buckets, 0.0);
    auto bucketOf = [&](int64_t ts)
    {
        size_t k = ts < originNs ? 0 : static_cast<size_t>((ts - originNs) / widthNs);
        EXPECT_LT(k, buckets) << channel << " ts " << ts;
        return std::min(k, buckets - 1);
    };
    if (channel.rfind("depth[", 0) == 0)
    {
        // A level: each bucket holds the depth it started with and every depth reached in it.
        int w = std::stoi(channel.substr(6));
        int64_t depth = 0;
        size_t filled = 0;  // buckets [0, filled) have their starting level
        for (const RefEvent& e : events)
        {
            size_t k = bucketOf(e.tsNs);
            for (; filled <= k; ++filled) out[filled] = static_cast<double>(depth);
            bool write = e.kind == "pipe_write" && e.worker == w &&
                         (e.direction == "to_worker" || e.direction == "to_worker_forward");
            bool receive = e.kind == "worker_receive" && e.worker == w;
            if (write) ++depth;
            if (receive) depth = std::max<int64_t>(0, depth - 1);
            if (write || receive) out[k] = std::max(out[k], static_cast<double>(depth));
        }
        for (; filled < buckets; ++filled) out[filled] = static_cast<double>(depth);
        return out;
    }
    for (const RefEvent& e : events)
    {
        size_t k = bucketOf(e.tsNs);
        if (channel == "events")
            out[k] += 1;
        else if (channel == "requests" && e.kind == "callback_exit" && e.callback == "onReceive")
            out[k] += 1;
        else if (channel == "read[" + std::to_string(e.reactor) + "]" && e.kind == "read")
            out[k] += static_cast<double>(std::max<int64_t>(0, e.bytes));
        else if (channel == "written[" + std::to_string(e.reactor) + "]" &&
                 e.kind == "reactor_write")
            out[k] += static_cast<double>(std::max<int64_t>(0, e.bytes));
    }
    return out;
}

}  // namespace rscope::viewer::test
