// checkTrace: the whole-file checks of `rscope trace check`: every schema rule of the reader
// plus the flow rule and trace_end consistency. Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/format/trace_types.h"

namespace rscope::tracefile
{

// Without a trace_end line, an open flow whose last event lies this close to the end of the
// trace counts as cut by the end of the recording (a warning), not as never closed (an error).
inline constexpr int64_t kCutWindowNs = 100'000'000;

struct CheckSummary
{
    std::string path;
    bool readable = false;  // read to the end (no fatal problem)
    uint64_t events = 0;    // event lines
    uint64_t kinds = 0;     // distinct known kinds
    uint64_t flows = 0;     // distinct flow ids
    uint64_t cutFlows = 0;  // open flows accepted as cut by the end of the recording
    uint64_t errors = 0;
    uint64_t warnings = 0;
    uint64_t unknownKinds = 0;

    bool ok() const { return errors == 0; }
    // "F: N events, K kinds, X flows (Y cut), E errors, W warnings, U unknown-kind events skipped"
    std::string toString() const;
};

// Problems go to onProblem as they are found: line problems in file order, then flow problems
// (each at the line of the flow's last event) by line.
CheckSummary checkTrace(const std::string& path,
                        const std::function<void(const Problem&)>& onProblem);

}  // namespace rscope::tracefile
