// Typed JSON field lookups shared by the header and event schema checks.
#include "engine/format/json_fields.h"

#include <cstdint>
#include <limits>

namespace rscope::tracefile
{

using nlohmann::json;

bool matches(const json& v, Want want)
{
    switch (want)
    {
        case Want::Int:
            return v.is_number_integer() &&
                   !(v.is_number_unsigned() &&
                     v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()));
        case Want::Unsigned:
            return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
        case Want::String:
            return v.is_string();
        case Want::Bool:
            return v.is_boolean();
        case Want::Object:
            return v.is_object();
        case Want::Array:
            return v.is_array();
    }
    return false;
}

const char* wantName(Want want)
{
    switch (want)
    {
        case Want::Int:
            return "an integer";
        case Want::Unsigned:
            return "an unsigned integer";
        case Want::String:
            return "a string";
        case Want::Bool:
            return "a boolean";
        case Want::Object:
            return "an object";
        case Want::Array:
            return "an array";
    }
    return "?";
}

void addError(FieldProblems* problems, std::string message)
{
    problems->push_back({Severity::Error, std::move(message)});
}

const json* field(const json& obj, const char* name, const std::string& path, Want want,
                  FieldProblems* problems, bool required)
{
    auto it = obj.find(name);
    if (it == obj.end())
    {
        if (required) addError(problems, fmt::format("\"{}\" is missing", path));
        return nullptr;
    }
    if (!matches(*it, want))
    {
        addError(problems,
                 fmt::format("\"{}\" must be {}, not {}", path, wantName(want), describeJson(*it)));
        return nullptr;
    }
    return &*it;
}

std::string describeJson(const json& value)
{
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    if (value.is_null()) return "null";
    return fmt::format("{} {}", value.type_name(), text);
}

}  // namespace rscope::tracefile
