// Typed simdjson field lookups shared by the header and event checks.
#include "engine/format/json_fields.h"

#include <cstdint>

namespace rscope::tracefile
{

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

std::string jsonText(JsonValue v)
{
    return simdjson::minify(v);
}

std::optional<JsonValue> member(JsonObject obj, std::string_view name)
{
    JsonValue v;
    if (obj.at_key(name).get(v) != simdjson::SUCCESS) return std::nullopt;
    return v;
}

std::optional<JsonValue> reportField(std::optional<JsonValue> value, std::string_view path,
                                     Want want, FieldProblems* problems, bool required)
{
    if (!value)
    {
        if (required) addError(problems, fmt::format("\"{}\" is missing", path));
        return std::nullopt;
    }
    if (!matches(*value, want))
    {
        addError(problems, fmt::format("\"{}\" must be {}, not {}", path, wantName(want),
                                       describeJson(*value)));
        return std::nullopt;
    }
    return value;
}

std::string describeJson(JsonValue value)
{
    const char* type = "number";
    switch (value.type())
    {
        case simdjson::dom::element_type::NULL_VALUE:
            return "null";
        case simdjson::dom::element_type::ARRAY:
            type = "array";
            break;
        case simdjson::dom::element_type::OBJECT:
            type = "object";
            break;
        case simdjson::dom::element_type::STRING:
            type = "string";
            break;
        case simdjson::dom::element_type::BOOL:
            type = "boolean";
            break;
        default:
            break;
    }
    std::string text = jsonText(value);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return fmt::format("{} {}", type, text);
}

}  // namespace rscope::tracefile
