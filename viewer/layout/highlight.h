// Tutorial highlights on a laid-out picture: the nodes and edges a lesson step names are marked
// (a full halo, an amber border or line) so the learner's eye goes there first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

inline constexpr Color kHighlightColor = rgba(255, 196, 61);  // amber, like the tutorial panel

// True when `pattern` names `id`: equal, or a prefix ending in '*' ("worker[*" names every
// worker, "step.master.*" every master step).
bool highlightMatches(std::string_view pattern, std::string_view id);

// Marks every node / edge of `list` that one of the patterns names. Returns how many records
// were marked (a lesson naming nothing in the picture is an authoring mistake worth showing).
size_t markHighlights(DrawList& list, const std::vector<std::string>& nodes,
                      const std::vector<std::string>& edges);

}  // namespace rscope::viewer
