// HopTracker: one table lookup per event that carries a flow, at most two hops out.
#include "engine/format/hops.h"

#include <algorithm>

namespace rscope::trace
{

namespace
{

// msg_id is optional in the format: an event without one matches any message.
bool sameMessage(uint64_t expected, uint64_t got)
{
    return expected == 0 || got == 0 || expected == got;
}

}  // namespace

const char* hopName(RequestHop hop)
{
    switch (hop)
    {
        case RequestHop::ReadToDispatch:
            return "read->dispatch";
        case RequestHop::DispatchToWorker:
            return "dispatch->worker";
        case RequestHop::WorkerToSend:
            return "worker->send";
        case RequestHop::SendToWrite:
            return "send->write";
        case RequestHop::Total:
            return "read->write";
        default:
            return "?";
    }
}

void HopTracker::clear()
{
    flows_.clear();
    sweepAt_ = kFirstSweep;
}

int HopTracker::apply(EventKind kind, uint64_t flow, uint64_t msgId, int64_t tsNs,
                      HopSpan out[kMaxSamplesPerEvent])
{
    if (flow == 0) return 0;
    if (kind == EventKind::Read || kind == EventKind::Frame)
    {
        auto [f, inserted] = flows_.insert(flow);
        if (inserted)
        {
            f->startNs = tsNs;
            if (flows_.size() >= sweepAt_) sweepStale(tsNs);
        }
        return 0;
    }
    FlowState* found = flows_.find(flow);
    if (!found) return 0;
    FlowState& f = *found;
    int n = 0;
    auto emit = [&](RequestHop hop, int64_t fromNs) { out[n++] = HopSpan{hop, fromNs, tsNs}; };
    switch (kind)
    {
        case EventKind::Dispatch:
            if (f.dispatchNs < 0)
            {
                f.dispatchNs = tsNs;
                f.dispatchMsg = msgId;
                emit(RequestHop::ReadToDispatch, f.startNs);
            }
            break;
        case EventKind::WorkerReceive:
            if (f.dispatchNs >= 0 && f.receiveNs < 0 && sameMessage(f.dispatchMsg, msgId))
            {
                f.receiveNs = tsNs;
                emit(RequestHop::DispatchToWorker, f.dispatchNs);
            }
            break;
        case EventKind::CallbackEnter:
            ++f.depth;
            break;
        case EventKind::PipeWrite:
        case EventKind::TaskDispatch:
            // Written by a callback before the reply: the request goes on elsewhere.
            if (f.depth > 0 && f.sendNs < 0) f.handedOff = true;
            break;
        case EventKind::CallbackExit:
            if (f.depth > 0) --f.depth;
            // The request's handler returned without a reply and passed nothing on: nothing more
            // will be measured.
            if (f.depth == 0 && f.sendNs < 0 && !f.handedOff) flows_.erase(flow);
            break;
        case EventKind::SendRequest:
            if (f.receiveNs >= 0 && f.sendNs < 0)
            {
                f.sendNs = tsNs;
                f.sendMsg = msgId;
                emit(RequestHop::WorkerToSend, f.receiveNs);
            }
            break;
        case EventKind::ReactorWrite:
            if (f.sendNs >= 0 && sameMessage(f.sendMsg, msgId))
            {
                emit(RequestHop::SendToWrite, f.sendNs);
                emit(RequestHop::Total, f.startNs);
                flows_.erase(flow);
            }
            break;
        case EventKind::Close:
        case EventKind::Discard:
        case EventKind::FrameError:
            flows_.erase(flow);
            break;
        default:
            break;
    }
    return n;
}

void HopTracker::sweepStale(int64_t nowNs)
{
    // Amortised: a sweep runs only when the table has doubled since the last one, so its cost per
    // event stays constant while a burst of requests in flight does not trigger it every time.
    flows_.eraseIf([nowNs](uint64_t, const FlowState& f) { return nowNs - f.startNs > kStaleNs; });
    sweepAt_ = std::max(kFirstSweep, 2 * flows_.size());
}

}  // namespace rscope::trace
