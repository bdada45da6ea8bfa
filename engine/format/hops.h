// The hops of a request (traces/FORMAT.md, section 9, "stats"): which events start and end each,
// and HopTracker, which follows request flows one event at a time and reports each hop as it
// completes. `rscope trace stats` and the viewer's Statistics tab both measure with it.
// Owner: whoever feeds it (the stats pass, the viewer's GUI thread). Thread-safety: none.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/format/flow_table.h"
#include "engine/format/latency_histogram.h"
#include "engine/format/trace_event.h"

namespace rscope::trace
{

// The path of a request through the process model (docs/process-model.md, section 3): the
// reactor thread reads it (3.3), dispatches it to a worker's pipe (3.4), the worker receives it
// (3.6), sends the reply towards the reactor (3.7), and the reactor writes the reply (3.8).
enum class RequestHop : uint8_t
{
    ReadToDispatch,    // first read (or frame) of the flow -> its first dispatch
    DispatchToWorker,  // that dispatch -> the worker_receive of the same message (msg_id)
    WorkerToSend,      // that worker_receive -> the flow's first send_request
    SendToWrite,       // that send_request -> the reactor_write of the same message (msg_id)
    Total,             // first read (or frame) -> that reactor_write: the first reply's latency
    Count
};
constexpr size_t kHopCount = static_cast<size_t>(RequestHop::Count);
// "read->dispatch", "dispatch->worker", "worker->send", "send->write", "read->write".
const char* hopName(RequestHop hop);

// Latencies per hop. Percentiles of every hop figure, in the CLI and the viewer alike, are
// LatencyHistogram::percentileNs: nearest rank to bucket precision.
using HopHistograms = std::array<LatencyHistogram, kHopCount>;

// One completed hop: from the event that started it to the one that ended it. No default
// member values: apply() fills the out array, which callers keep uninitialised on the hot path.
struct HopSpan
{
    RequestHop hop;
    int64_t fromNs;
    int64_t toNs;
};

// Definitions (each step is matched only after the previous one, in seq order):
// - A flow starts at its first `read` or `frame` (raw protocol: the read opens the flow; eof and
//   length framing: each frame does). A later read or frame of a flow already followed is
//   ignored: the request is measured from the bytes that opened it.
// - Messages are matched by msg_id when both events carry one, else the next event of the kind.
// - Only the first reply is followed: a second send_request of the same request is not a hop.
// - A flow is forgotten at its first reactor_write that completes a reply, at close, discard or
//   frame_error, and at the outermost callback_exit when no reply was sent (a request without
//   reply). isTerminalKind alone is not enough: callback_exit is terminal but the reply's
//   reactor_write follows it, and onClose's exit may nest inside onReceive's. A request whose
//   callback wrote into a pipe before any reply (task(), sendMessage()) stays open past that
//   exit: its reply comes from onFinish or another worker's onPipeMessage (model section 10).
// Flows cut by lost events are dropped once they are older than kStaleNs of trace time.
// Memory follows the requests in flight, not the trace; no allocation per event.
class HopTracker
{
  public:
    static constexpr int64_t kStaleNs = 10'000'000'000;  // 10 s
    static constexpr int kMaxSamplesPerEvent = 2;        // a reactor_write completes two hops

    void clear();
    // Feeds one event (events in seq order; flow 0 and msgId 0 mean "none"); writes the hops it
    // completes to `out` and returns how many.
    int apply(EventKind kind, uint64_t flow, uint64_t msgId, int64_t tsNs,
              HopSpan out[kMaxSamplesPerEvent]);
    size_t openFlows() const { return flows_.size(); }

  private:
    struct FlowState
    {
        int64_t startNs = 0;
        int64_t dispatchNs = -1;  // -1: not reached yet (timestamps are never negative)
        int64_t receiveNs = -1;
        int64_t sendNs = -1;
        uint64_t dispatchMsg = 0;
        uint64_t sendMsg = 0;
        int depth = 0;           // callbacks of this flow running (onClose nests in onReceive)
        bool handedOff = false;  // a callback passed the request on (a task, a message) unreplied
    };
    static constexpr size_t kFirstSweep = 1 << 16;
    void sweepStale(int64_t nowNs);

    FlowTable<FlowState> flows_;
    size_t sweepAt_ = kFirstSweep;  // open-flow count that triggers the next stale sweep
};

}  // namespace rscope::trace
