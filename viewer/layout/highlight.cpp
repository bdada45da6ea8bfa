// Marks the records a tutorial step names: after the layout, so a highlight never moves a box.
#include "viewer/layout/highlight.h"

#include <algorithm>

namespace rscope::viewer
{

namespace
{

bool anyMatches(const std::vector<std::string>& patterns, std::string_view id)
{
    for (const std::string& p : patterns)
        if (highlightMatches(p, id)) return true;
    return false;
}

}  // namespace

bool highlightMatches(std::string_view pattern, std::string_view id)
{
    if (!pattern.empty() && pattern.back() == '*')
    {
        pattern.remove_suffix(1);
        return id.substr(0, pattern.size()) == pattern;
    }
    return pattern == id;
}

size_t markHighlights(DrawList& list, const std::vector<std::string>& nodes,
                      const std::vector<std::string>& edges)
{
    size_t marked = 0;
    if (!nodes.empty())
        for (NodeRecord& n : list.nodes)
        {
            if (!anyMatches(nodes, n.id)) continue;
            n.highlighted = true;
            n.glow = 1.0f;
            n.border = kHighlightColor;
            ++marked;
        }
    if (!edges.empty())
        for (EdgeRecord& e : list.edges)
        {
            if (!anyMatches(edges, e.id)) continue;
            e.highlighted = true;
            e.color = kHighlightColor;
            e.thickness = std::max(e.thickness, 3.5f);
            ++marked;
        }
    return marked;
}

}  // namespace rscope::viewer
