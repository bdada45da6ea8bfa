// Writes draw records as JSON for the layout tests and --dump-layout (one object per picture).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

nlohmann::json toJson(const DrawList& list);
// {"pictures": [...], "cursor": {...}, ...}: `extra` fields are merged at the top level.
bool writeLayoutDump(const std::string& path, const std::vector<const DrawList*>& pictures,
                     const nlohmann::json& extra, std::string& error);

}  // namespace rscope::viewer
