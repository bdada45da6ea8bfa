// Follows request flows through the trace and measures the time between their steps (the hops
// read -> dispatch -> worker -> send -> write), matching events by their flow id (traces/FORMAT.md
// "Flows"). Only flows still open are kept, so memory follows the requests in flight, not the
// trace. Owner: whoever feeds it (TraceStatistics, GUI thread); not thread-safe.
#pragma once

#include <cstdint>

#include "viewer/model/flow_table.h"
#include "viewer/model/held_time.h"
#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

enum class RequestHop : uint8_t
{
    ReadToDispatch,    // first read (or frame) of the flow -> its first dispatch
    DispatchToWorker,  // that dispatch -> the worker_receive of the same message (msg_id)
    WorkerToSend,      // that worker_receive -> the flow's first send_request
    SendToWrite,       // that send_request -> the reactor_write of the same message (msg_id)
    Total,             // first read (or frame) -> that reactor_write: the first reply's latency
    Count
};
const char* hopName(RequestHop hop);  // "read->dispatch", ...

// One measured hop: completed by event `event` (its index in the store).
struct HopSample
{
    int64_t ns = 0;
    uint32_t event = 0;
    RequestHop hop = RequestHop::Count;
};

// Definitions (each step is matched only after the previous one, in seq order):
// - A flow starts at its first `read` or `frame` (raw protocol: the read opens the flow; eof and
//   length framing: each frame does). A later read or frame of a flow already followed is
//   ignored: the request is measured from the bytes that opened it.
// - Messages are matched by msg_id when both events carry one, else the next event of the kind.
// - Only the first reply is followed: a second send_request of the same request is not a hop.
// - A flow is forgotten at its first reactor_write that completes a reply, at close, discard or
//   frame_error, and at the outermost callback_exit when no reply was sent (a request without
//   reply). trace::isTerminalKind alone is not enough: callback_exit is terminal but the reply's
//   reactor_write follows it, and onClose's exit may nest inside onReceive's.
// Flows cut by lost events are dropped once they are older than kStaleNs of trace time.
class HopTracker
{
  public:
    static constexpr int64_t kStaleNs = 10'000'000'000;  // 10 s

    void clear();
    static constexpr int kMaxSamplesPerEvent = 2;  // a reactor_write completes two hops
    // Feeds event `index` (events in seq order); writes the hops it completes to `out` and
    // returns how many. With `held` (the store's), step mode's held time is not counted.
    int apply(const Event& e, uint32_t index, HopSample out[kMaxSamplesPerEvent],
              const HeldTime* held = nullptr);
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
        int depth = 0;  // callbacks of this flow running (onClose nests in onReceive)
    };
    static constexpr size_t kFirstSweep = 1 << 16;
    void sweepStale(int64_t nowNs);

    FlowTable<FlowState> flows_;
    size_t sweepAt_ = kFirstSweep;  // open-flow count that triggers the next stale sweep
};

}  // namespace rscope::viewer
