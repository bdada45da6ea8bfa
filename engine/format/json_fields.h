// Internal to the line parser: typed lookups of simdjson values that report a missing or
// mistyped field as a FieldProblem naming its path ("actor.pid"), in traces/FORMAT.md's words.
// Pure functions, any thread.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "engine/format/event_schema.h"

namespace rscope::tracefile
{

using JsonValue = simdjson::dom::element;
using JsonObject = simdjson::dom::object;

enum class Want
{
    Int,       // fits int64
    Unsigned,  // a non-negative integer (fits uint64)
    String,
    Bool,
    Object,
    Array,
};

inline constexpr const char* kRoles[] = {"master", "reactor", "manager", "worker", "task_worker"};
inline constexpr const char* kProtocols[] = {"raw", "eof", "length"};

// Inline: every field of every line goes through it.
inline bool matches(JsonValue v, Want want)
{
    switch (want)
    {
        case Want::Int:
            return v.get_int64().error() == simdjson::SUCCESS;
        case Want::Unsigned:
            return v.get_uint64().error() == simdjson::SUCCESS;
        case Want::String:
            return v.is_string();
        case Want::Bool:
            return v.is_bool();
        case Want::Object:
            return v.is_object();
        case Want::Array:
            return v.is_array();
    }
    return false;
}
const char* wantName(Want want);
void addError(FieldProblems* problems, std::string message);
// The value as compact JSON text ("\"5\"", "1.5", "{...}").
std::string jsonText(JsonValue v);
// obj[name] when present; nullopt when absent.
std::optional<JsonValue> member(JsonObject obj, std::string_view name);
// The problem of a value that is absent (reported only if required) or mistyped; nullopt.
std::optional<JsonValue> reportField(std::optional<JsonValue> value, std::string_view path,
                                     Want want, FieldProblems* problems, bool required);
// value when it has the wanted type; otherwise reports it (absent: only if required).
inline std::optional<JsonValue> checked(std::optional<JsonValue> value, std::string_view path,
                                        Want want, FieldProblems* problems, bool required = true)
{
    if (value && matches(*value, want)) return value;
    return reportField(value, path, want, problems, required);
}
inline std::optional<JsonValue> field(JsonObject obj, const char* name, std::string_view path,
                                      Want want, FieldProblems* problems, bool required = true)
{
    return checked(member(obj, name), path, want, problems, required);
}

inline std::string_view stringOf(JsonValue v)
{
    return v.get_string().value_unsafe();
}
inline int64_t intOf(JsonValue v)
{
    return v.get_int64().value_unsafe();
}
inline uint64_t unsignedOf(JsonValue v)
{
    return v.get_uint64().value_unsafe();
}

template <size_t N>
bool isOneOf(std::string_view text, const char* const (&names)[N])
{
    for (const char* name : names)
        if (text == name) return true;
    return false;
}

// A string value (already type-checked) that must be one of names.
template <size_t N>
void checkOneOf(std::optional<JsonValue> value, std::string_view path,
                const char* const (&names)[N], FieldProblems* problems)
{
    if (!value || isOneOf(stringOf(*value), names)) return;
    addError(problems, fmt::format("\"{}\" is {}; expected one of: {}", path, jsonText(*value),
                                   fmt::join(names, ", ")));
}

}  // namespace rscope::tracefile
