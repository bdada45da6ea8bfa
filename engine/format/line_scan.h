// scanLineFields: the top-level "type", "kind" and "flow" of one JSON Lines object without
// building a DOM, so that `rscope record` keeps up with a server tracing at full load.
// Pure function, any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace rscope::tracefile
{

struct LineFields
{
    std::string_view type;  // raw contents of a top-level "type" string ("" when absent)
    std::string_view kind;  // raw contents of a top-level "kind" string (kinds need no escapes)
    uint64_t flow = 0;      // top-level "flow" when it is an unsigned integer, else 0
};

// False when the line is not one JSON object. The scan checks the structure (braces, brackets,
// strings, separators), not the syntax of numbers and literals; keys nested in values are not
// confused with top-level ones.
bool scanLineFields(std::string_view line, LineFields* out);

}  // namespace rscope::tracefile
