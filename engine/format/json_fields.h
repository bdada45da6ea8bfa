// Internal to the schema checks: typed lookups of JSON fields that report a missing or mistyped
// field as a FieldProblem naming its path ("actor.pid"). Pure functions, any thread.
#pragma once

#include <cstddef>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/format/event_schema.h"

namespace rscope::tracefile
{

enum class Want
{
    Int,       // fits int64
    Unsigned,  // a non-negative integer (fits uint64)
    String,
    Bool,
    Object,
    Array,
};

inline constexpr const char* kRoles[] = {"master", "reactor", "manager", "worker"};
inline constexpr const char* kProtocols[] = {"raw", "eof", "length"};

bool matches(const nlohmann::json& v, Want want);
const char* wantName(Want want);
void addError(FieldProblems* problems, std::string message);
// obj[name] when present with the wanted type; otherwise reports it (missing only if required).
const nlohmann::json* field(const nlohmann::json& obj, const char* name, const std::string& path,
                            Want want, FieldProblems* problems, bool required = true);

template <size_t N>
bool isOneOf(const std::string& text, const char* const (&names)[N])
{
    for (const char* name : names)
        if (text == name) return true;
    return false;
}

template <size_t N>
void checkOneOf(const nlohmann::json* value, const std::string& path, const char* const (&names)[N],
                FieldProblems* problems)
{
    if (value == nullptr || isOneOf(value->get_ref<const std::string&>(), names)) return;
    addError(problems, fmt::format("\"{}\" is {}; expected one of: {}", path, value->dump(),
                                   fmt::join(names, ", ")));
}

}  // namespace rscope::tracefile
