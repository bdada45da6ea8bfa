// RequestHop matching per flow: one hash lookup per event that carries a flow, at most two samples
// out.
#include "viewer/model/hop_tracker.h"

#include <algorithm>

namespace rscope::viewer
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

int HopTracker::apply(const Event& e, uint32_t index, HopSample out[kMaxSamplesPerEvent],
                      const HeldTime* held)
{
    if (e.flow == 0) return 0;
    if (e.kind == EventKind::Read || e.kind == EventKind::Frame)
    {
        auto [flow, inserted] = flows_.insert(e.flow);
        if (inserted)
        {
            flow->startNs = e.tsNs;
            if (flows_.size() >= sweepAt_) sweepStale(e.tsNs);
        }
        return 0;
    }
    FlowState* found = flows_.find(e.flow);
    if (!found) return 0;
    FlowState& f = *found;
    int n = 0;
    auto emit = [&](RequestHop hop, int64_t fromNs)
    {
        int64_t ns = held != nullptr ? held->activeNs(fromNs, e.tsNs) : e.tsNs - fromNs;
        out[n++] = HopSample{ns, index, hop};
    };
    switch (e.kind)
    {
        case EventKind::Dispatch:
            if (f.dispatchNs < 0)
            {
                f.dispatchNs = e.tsNs;
                f.dispatchMsg = e.msgId;
                emit(RequestHop::ReadToDispatch, f.startNs);
            }
            break;
        case EventKind::WorkerReceive:
            if (f.dispatchNs >= 0 && f.receiveNs < 0 && sameMessage(f.dispatchMsg, e.msgId))
            {
                f.receiveNs = e.tsNs;
                emit(RequestHop::DispatchToWorker, f.dispatchNs);
            }
            break;
        case EventKind::CallbackEnter:
            ++f.depth;
            break;
        case EventKind::CallbackExit:
            if (f.depth > 0) --f.depth;
            // The request's handler returned without a reply: nothing more will be measured.
            if (f.depth == 0 && f.sendNs < 0) flows_.erase(e.flow);
            break;
        case EventKind::SendRequest:
            if (f.receiveNs >= 0 && f.sendNs < 0)
            {
                f.sendNs = e.tsNs;
                f.sendMsg = e.msgId;
                emit(RequestHop::WorkerToSend, f.receiveNs);
            }
            break;
        case EventKind::ReactorWrite:
            if (f.sendNs >= 0 && sameMessage(f.sendMsg, e.msgId))
            {
                emit(RequestHop::SendToWrite, f.sendNs);
                emit(RequestHop::Total, f.startNs);
                flows_.erase(e.flow);
            }
            break;
        case EventKind::Close:
        case EventKind::Discard:
        case EventKind::FrameError:
            flows_.erase(e.flow);
            break;
        default:
            break;
    }
    return n;
}

void HopTracker::sweepStale(int64_t nowNs)
{
    // Amortised: a sweep runs only when the map has doubled since the last one, so its cost per
    // event stays constant while a burst of requests in flight does not trigger it every time.
    flows_.eraseIf([nowNs](uint64_t, const FlowState& f) { return nowNs - f.startNs > kStaleNs; });
    sweepAt_ = std::max(kFirstSweep, 2 * flows_.size());
}

}  // namespace rscope::viewer
