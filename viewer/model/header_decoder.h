// Decodes the header line (traces/FORMAT.md, section 3) into a Topology, and the integer reads
// that LineParser shares with it. Internal to the model: only line_parser.cpp includes it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

// Reads an integer that must fit `Int`; false for another type or a value out of range.
template <typename Int>
bool readInt(simdjson::dom::element value, Int& out)
{
    if constexpr (std::is_unsigned_v<Int>)
    {
        uint64_t v = 0;
        if (value.get_uint64().get(v) != simdjson::SUCCESS) return false;
        if (v > std::numeric_limits<Int>::max()) return false;
        out = static_cast<Int>(v);
    }
    else
    {
        int64_t v = 0;
        if (value.get_int64().get(v) != simdjson::SUCCESS) return false;
        if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max())
            return false;
        out = static_cast<Int>(v);
    }
    return true;
}

// Fills `topology` (headerJson = `line`) from the parsed header object. False with `error` set
// for another format, an unreadable version or a major version newer than trace::kFormatMajor.
// Settings and topology fields of the wrong type are left at their defaults: a newer minor version
// may add, and the picture can still be drawn.
bool decodeHeader(std::string_view line, simdjson::dom::object root, Topology& topology,
                  std::string& error);

}  // namespace rscope::viewer
