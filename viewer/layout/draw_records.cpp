// Lookups in a draw list by stable id (painter hit-testing, tests). Linear: a picture holds tens
// of records, and the lookups happen a few times per frame at most.
#include "viewer/layout/draw_records.h"

#include <algorithm>

namespace rscope::viewer
{

const NodeRecord* DrawList::findNode(const std::string& id) const
{
    auto it =
        std::find_if(nodes.begin(), nodes.end(), [&](const NodeRecord& n) { return n.id == id; });
    return it == nodes.end() ? nullptr : &*it;
}

const EdgeRecord* DrawList::findEdge(const std::string& id) const
{
    auto it =
        std::find_if(edges.begin(), edges.end(), [&](const EdgeRecord& e) { return e.id == id; });
    return it == edges.end() ? nullptr : &*it;
}

}  // namespace rscope::viewer
