// Reference statistics for the TraceStatistics tests, computed independently of the viewer's
// model: events come straight from the .jsonl (parsed with nlohmann) or from hand-made Events,
// and every figure is recomputed here with simple whole-trace loops (no open-flow map, no
// adaptive grid, no keyframes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/model/trace_store.h"

namespace rscope::viewer::test
{

// The fields of one event line the statistics depend on.
struct RefEvent
{
    std::string kind;
    int64_t tsNs = 0;
    int worker = -1;
    int reactor = -1;
    uint64_t flow = 0;
    uint64_t msgId = 0;
    std::string direction;  // args.direction
    std::string callback;   // args.callback
    int64_t bytes = -1;     // args.bytes, else args.len
};

// Every event line of a trace file (header and trace_end skipped), in file order.
std::vector<RefEvent> readReferenceEvents(const std::string& path);
// The same fields from a store (for traces built with the Ev builder).
std::vector<RefEvent> referenceEvents(const TraceStore& store);

struct RefWorker
{
    uint64_t requests = 0;
    uint64_t received = 0;
    int64_t busyNs = 0;
    int64_t maxPipeDepth = 0;
};
struct RefReactor
{
    uint64_t connections = 0;
    uint64_t reads = 0;
    uint64_t bytesRead = 0;
    uint64_t writes = 0;
    uint64_t bytesWritten = 0;
};
struct RefSample
{
    uint32_t event = 0;
    int hop = 0;  // RequestHop's value
    int64_t ns = 0;
    bool operator==(const RefSample&) const = default;
};

struct Reference
{
    std::vector<RefWorker> workers;
    std::vector<RefReactor> reactors;
    uint64_t requests = 0;
    std::vector<RefSample> samples;  // sorted by event, then hop
};
Reference computeReference(const std::vector<RefEvent>& events, int workers, int reactors);

// Per-bucket series at a fixed grid (bucket = (ts - origin) / width, times before the origin in
// bucket 0), `buckets` long. Channels by name: "requests", "events", "read[r]", "written[r]",
// "depth[w]" (the depth series needs events in ts order).
std::vector<double> referenceSeries(const std::vector<RefEvent>& events, const std::string& channel,
                                    int64_t originNs, int64_t widthNs, size_t buckets);

}  // namespace rscope::viewer::test
