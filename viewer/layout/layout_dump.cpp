// Draw records as JSON: the layout tests and `--dump-layout` read pictures without a display.
// Keys are the contract of those tests; colours are written as "#RRGGBBAA".
#include "viewer/layout/layout_dump.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace rscope::viewer
{

namespace
{

// NaN or infinity would be written as null and break every reader's arithmetic: never emit it.
double finite(double v)
{
    return std::isfinite(v) ? v : 0.0;
}

nlohmann::json point(Vec2f p)
{
    return nlohmann::json::array({finite(p.x), finite(p.y)});
}

nlohmann::json rect(const RectF& r)
{
    return nlohmann::json::array({finite(r.x), finite(r.y), finite(r.w), finite(r.h)});
}

std::string colorText(Color c)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02X%02X%02X%02X", c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF,
                  (c >> 24) & 0xFF);
    return buf;
}

}  // namespace

nlohmann::json toJson(const DrawList& list)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const NodeRecord& n : list.nodes)
        nodes.push_back({{"id", n.id},
                         {"role", n.role},
                         {"parent", n.parent},
                         {"title", n.title},
                         {"lines", n.lines},
                         {"state", n.state},
                         {"rect", rect(n.rect)},
                         {"glow", finite(n.glow)},
                         {"selected", n.selected},
                         {"highlighted", n.highlighted},
                         {"fill", colorText(n.fill)},
                         {"border", colorText(n.border)},
                         {"tooltip", n.tooltip}});
    nlohmann::json edges = nlohmann::json::array();
    for (const EdgeRecord& e : list.edges)
        edges.push_back({{"id", e.id},
                         {"kind", e.kind},
                         {"from", e.from},
                         {"to", e.to},
                         {"a", point(e.a)},
                         {"b", point(e.b)},
                         {"thickness", finite(e.thickness)},
                         {"color", colorText(e.color)},
                         {"label", e.label},
                         {"rate", finite(e.ratePerSec)},
                         {"count", e.count},
                         {"event_index", e.eventIndex},
                         {"session", e.session},
                         {"dashed", e.dashed},
                         {"faded", e.faded},
                         {"emphasized", e.emphasized},
                         {"selected", e.selected},
                         {"highlighted", e.highlighted},
                         {"current", e.current}});
    nlohmann::json tokens = nlohmann::json::array();
    for (const TokenRecord& t : list.tokens)
        tokens.push_back({{"seq", t.seq},
                          {"event_index", t.eventIndex},
                          {"edge", t.edge},
                          {"reverse", t.reverse},
                          {"progress", finite(t.progress)},
                          {"pos", point(t.pos)},
                          {"radius", finite(t.radius)},
                          {"label", t.label},
                          {"kind", t.kind},
                          {"session", t.session},
                          {"color", colorText(t.color)},
                          {"selected", t.selected},
                          {"current", t.current},
                          {"tooltip", t.tooltip}});
    nlohmann::json labels = nlohmann::json::array();
    for (const LabelRecord& l : list.labels)
        labels.push_back(
            {{"id", l.id}, {"text", l.text}, {"pos", point(l.pos)}, {"color", colorText(l.color)}});
    return {{"picture", list.picture},
            {"canvas", rect(list.canvas)},
            {"nodes", std::move(nodes)},
            {"edges", std::move(edges)},
            {"tokens", std::move(tokens)},
            {"labels", std::move(labels)},
            {"rate_mode", list.rateMode},
            {"banner", list.banner},
            {"content_height", finite(list.contentHeight)}};
}

bool writeLayoutDump(const std::string& path, const std::vector<const DrawList*>& pictures,
                     const nlohmann::json& extra, std::string& error)
{
    nlohmann::json doc = nlohmann::json::object();
    if (extra.is_object())
        doc = extra;
    else if (!extra.is_null())
    {
        error = "layout dump " + path + ": extra fields must be a JSON object";
        return false;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const DrawList* p : pictures)
        if (p != nullptr) list.push_back(toJson(*p));
    // The pictures are the dump's point: an `extra` field of that name cannot replace them.
    doc["pictures"] = std::move(list);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
    {
        error = "layout dump: open(" + path + "): " + std::strerror(errno);
        return false;
    }
    // Invalid UTF-8 in a title (a payload preview) is replaced rather than aborting the dump.
    out << doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out)
    {
        error = "layout dump: write(" + path + "): " + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace rscope::viewer
