// ModelChecker: conformance of a trace file to the process model (the rules are
// trace::ModelRules, shared with the viewer): reactor ownership by fd, the dispatch_mode rule,
// replies through the owning reactor, no data after close, one onClose per session, and the task
// worker rules (who calls task(), to whom, where the result goes, what a task worker runs).
// Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/format/model_rules.h"
#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

// The rules' settings from a header's "settings" object.
trace::ModelSettings modelSettingsFromHeader(const TraceHeader& header);

// One broken rule at one line of the file.
struct ModelFinding
{
    uint64_t line = 0;
    uint64_t seq = 0;
    std::string message;
};

// trace::ModelRules fed from JSON lines: turns each TraceEventView into the rules' view of it.
class ModelChecker
{
  public:
    explicit ModelChecker(const TraceHeader& header);

    // Feed events in file order; unknown kinds never arrive, kinds without a rule are ignored.
    void observe(const TraceEventView& event);

    std::vector<ModelFinding> findings() const;

  private:
    trace::ModelRules rules_;
};

// Reads path and runs ModelChecker over it. Problems of the file itself are not reported here
// (checkTrace does that); an unreadable file yields no findings.
std::vector<ModelFinding> checkModel(const std::string& path);

}  // namespace rscope::tracefile
