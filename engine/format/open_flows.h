// OpenFlows: the set of flow ids whose last event so far is not terminal, kept by whoever ends a
// trace file (EventTally) so its trace_end can list the flows cut by the stop. A FlowTable used as
// a set: no allocation per event. Owner: one writer. Thread-safety: none.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/format/flow_table.h"

namespace rscope::trace
{

class OpenFlows
{
  public:
    // Records the latest event of flow (0 = no flow).
    void observe(uint64_t flow, bool terminal)
    {
        if (flow == 0) return;
        if (terminal)
            flows_.erase(flow);
        else
            flows_.insert(flow);
    }
    // The open flows, in no particular order.
    std::vector<uint64_t> list() const
    {
        std::vector<uint64_t> out;
        out.reserve(flows_.size());
        flows_.forEach([&out](uint64_t flow, const Open&) { out.push_back(flow); });
        return out;
    }
    size_t size() const { return flows_.size(); }

  private:
    struct Open
    {
    };
    FlowTable<Open> flows_;
};

}  // namespace rscope::trace
