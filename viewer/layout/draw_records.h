// Plain draw records: what a picture consists of (boxes, edges, tokens, labels) in canvas
// coordinates, produced by the layout code and painted by viewer/view. No ImGui types here, so
// layouts are testable without a display and can be dumped as JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rscope::viewer
{

struct Vec2f
{
    float x = 0;
    float y = 0;
};

struct RectF
{
    float x = 0;
    float y = 0;
    float w = 0;
    float h = 0;
    bool contains(Vec2f p) const { return p.x >= x && p.x < x + w && p.y >= y && p.y < y + h; }
    Vec2f center() const { return {x + w / 2, y + h / 2}; }
};

// Colours are 0xAABBGGRR (ImGui's IM_COL32 order) so the painter passes them through.
using Color = uint32_t;
constexpr Color rgba(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255)
{
    return (Color(a) << 24) | (Color(b) << 16) | (Color(g) << 8) | Color(r);
}

struct NodeRecord
{
    std::string id;  // stable: "master", "main_reactor", "reactor[1]", "manager", "worker[3]",
                     // "client[42]" (session), "clients" (aggregate)
    // "process", "master", "main_reactor", "reactor", "manager", "worker", "client"; sequence
    // picture: "lifeline" (a head, id = the lifeline id) and "activation" (a callback's bar, id
    // "activation[<event>]", its lifeline in lines)
    std::string role;
    std::string parent;  // enclosing node id ("master" for its threads), empty at top level
    std::string title;   // first line, e.g. "worker[2]  pid 10874"
    std::vector<std::string> lines;  // counters and state, one per line
    std::string state;  // "idle", "busy", "exited", "starting", "open", ... ("" when n/a)
    RectF rect;
    Color fill = 0;
    Color border = 0;
    float glow = 0;  // 0..1, painted as a halo
    bool selected = false;
    bool highlighted = false;  // a tutorial step points at it (markHighlights)
    // Hover details: pid, tid, fd, session, and the historic swoole function names.
    std::vector<std::string> tooltip;
};

struct EdgeRecord
{
    std::string id;    // "accept", "handoff[1]", "pipe[0->2]", "client[42]->reactor[0]", ...
                       // "clients->reactor[0]" (folded or aggregated clients), "write[1->2]"
    std::string kind;  // "accept", "handoff", "pipe", "client", "manager", "write" (a reactor
                       // writes into a pipe another reactor polls: no header pipe for the pair)
    std::string from;  // node ids; "clients" may name the client column itself (no such node)
    std::string to;
    Vec2f a;  // endpoints on the node borders
    Vec2f b;
    float thickness = 1.5f;
    Color color = 0;
    std::string label;  // e.g. "12.3k/s" in rate mode
    // Where the label is centred, when the layout moved it off other edges; else the middle.
    std::optional<Vec2f> labelAt;
    double ratePerSec = 0;
    uint64_t count = 0;
    // Sequence picture: kind "lifeline" (dashed), "message" (a -> b with the label above it) or
    // "self" (a note looping right of a, from a.y down to b.y). The event it draws (-1: none),
    // its session, and how it is shown: future (faded), the cursor's newest (emphasized), the
    // selected event (selected).
    int64_t eventIndex = -1;
    int64_t session = 0;
    bool dashed = false;
    bool faded = false;
    bool emphasized = false;
    bool selected = false;
    bool highlighted = false;  // a tutorial step points at it (markHighlights)
    bool current = false;      // architecture: the edge of the cursor's newest hop
};

struct TokenRecord
{
    uint64_t seq = 0;
    size_t eventIndex = 0;
    std::string edge;      // EdgeRecord::id it travels
    bool reverse = false;  // travels b -> a
    float progress = 0;    // 0..1 along the edge
    Vec2f pos;
    float radius = 6;
    std::string label;  // "RECV_DATA 60B", "accept", "FIN" ...
    std::string kind;   // the event kind name
    int64_t session = 0;
    Color color = 0;
    bool selected = false;
    bool current = false;  // the cursor's newest hop (held where it is, never fading)
    std::vector<std::string> tooltip;
};

struct LabelRecord
{
    std::string text;
    Vec2f pos;
    Color color = 0;
    std::string id;  // for tests ("banner", "callback[2]", ...)
};

struct DrawList
{
    std::string picture;  // "architecture"
    RectF canvas;
    std::vector<NodeRecord> nodes;
    std::vector<EdgeRecord> edges;
    std::vector<TokenRecord> tokens;
    std::vector<LabelRecord> labels;
    bool rateMode = false;
    std::string banner;  // e.g. "events too fast to animate: showing rates per edge"
    // Height of the whole picture when it scrolls (sequence: every row), 0 when it fits the
    // canvas; only the rows in view have records.
    float contentHeight = 0;

    const NodeRecord* findNode(const std::string& id) const;
    const EdgeRecord* findEdge(const std::string& id) const;
};

}  // namespace rscope::viewer
