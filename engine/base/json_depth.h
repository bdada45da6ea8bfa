// jsonNestedDeeperThan: the nesting depth of a JSON text, found without parsing it. Recursive
// printers and walkers (nlohmann's dump, our describeJson) take one stack frame per level, so a
// line of 100,000 '[' overflowed the stack of `rscope trace check`; every reader of untrusted
// JSON refuses text nested deeper than its format needs before parsing it.
#pragma once

#include <string_view>

namespace rscope::base
{

// Trace lines are flat: an event's args are one object inside the line (depth 2 or 3).
constexpr int kMaxTraceLineDepth = 8;
// A lesson file: lesson, steps, step, checkpoint, where, ... (7 in the bundled lessons).
constexpr int kMaxLessonDepth = 16;

inline bool jsonNestedDeeperThan(std::string_view text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (inString)
        {
            if (c == '\\')
                ++i;  // the escaped character cannot end the string
            else if (c == '"')
                inString = false;
        }
        else if (c == '"')
            inString = true;
        else if (c == '[' || c == '{')
        {
            if (++depth > maxDepth) return true;
        }
        else if (c == ']' || c == '}')
            --depth;
    }
    return false;
}

}  // namespace rscope::base
