// ModelFindings: the process-model conformance checks (trace::ModelRules, the same rules as
// `rscope trace check --model`) run over the viewer's events as they arrive, each finding tied to
// its event index so the UI can jump to it. Owner: the GUI thread. Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/format/model_rules.h"

namespace rscope::viewer
{

class TraceStore;
struct Topology;

class ModelFindings
{
  public:
    // Empty, with the rules shaped by the header's settings and its open connections.
    void reset(const Topology& topology);
    // Checks events [checked(), store.size()): O(new events).
    void extend(const TraceStore& store);
    size_t checked() const { return checked_; }

    // Findings in event order; ModelFinding::ref is the event index.
    const std::vector<trace::ModelFinding>& findings() const;
    // Findings at events before `position` (the ones a learner has already passed).
    size_t countBefore(size_t position) const;

  private:
    std::optional<trace::ModelRules> rules_;
    size_t checked_ = 0;
};

}  // namespace rscope::viewer
