// Geometry of the startup picture: lanes as columns, steps on shared rows (so fork and thread
// edges run straight across), a handler box per lane, and the fall-backs that keep it legible
// in a small canvas: fewer lines per box, tighter rows, a handler box above the lane's steps,
// short handler names, and at last a uniform squeeze.
#include "viewer/layout/startup_layout.h"

#include <algorithm>
#include <array>

#include <climits>

#include "viewer/layout/highlight.h"
#include "viewer/layout/startup_parts.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

using startup::textWidth;

constexpr float kEps = 1e-3f;
// Between columns, in font sizes: room for an edge label; at least room for the arrowheads.
constexpr float kMinGap = 2.0f;
constexpr float kLeastGap = 1.2f;
constexpr Color kCallColor = rgba(176, 186, 202, 235);
constexpr Color kForkColor = rgba(240, 162, 72);
constexpr Color kThreadColor = rgba(96, 204, 214);
constexpr size_t kLaneCount = static_cast<size_t>(StartupLane::Count);
// Columns left to right: the master in the middle of its reactor threads (thread edges go left)
// and the processes it forks (fork edges go right).
constexpr std::array<StartupLane, kLaneCount> kLanes = {StartupLane::Reactor, StartupLane::Master,
                                                        StartupLane::Manager, StartupLane::Worker};

size_t laneIndex(StartupLane lane)
{
    return static_cast<size_t>(lane);  // kLanes is in enum order
}

struct LaneFacts
{
    int minRow = INT_MAX;
    int maxRow = -1;
    size_t handlers = 0;
};

struct Facts
{
    std::array<LaneFacts, kLaneCount> lanes;
    int rows = 0;
};

Facts readFacts()
{
    Facts f;
    for (const StartupStep& s : startupSteps())
    {
        LaneFacts& l = f.lanes[laneIndex(s.lane)];
        l.minRow = std::min(l.minRow, s.row);
        l.maxRow = std::max(l.maxRow, s.row);
        f.rows = std::max(f.rows, s.row + 1);
    }
    for (const StartupHandler& h : startupHandlers()) ++f.lanes[laneIndex(h.lane)].handlers;
    return f;
}

// Heights follow the painter's text placement: title at 0.36 f, 1.15 f to the first line, lines
// 1.05 f apart, a line shown only when a whole font height fits below it. `tight` keeps only a
// sliver of padding under the last line.
float nodeHeight(int lines, float f, bool tight)
{
    if (lines == 0) return (tight ? 1.6f : 1.75f) * f;
    return (2.51f + (tight ? 0.06f : 0.25f) + 1.05f * static_cast<float>(lines - 1)) * f;
}

float boxHeight(size_t lines, float f, bool tight)
{
    return (1.51f + (tight ? 0.12f : 0.3f) + 1.05f * static_cast<float>(lines)) * f;
}

// One vertical arrangement: rows, and for each lane where its handler box goes.
struct Plan
{
    int lines = 2;  // per step node
    bool tight = false;
    float gapY = 0;
    float titleH = 0;
    float nodeH = 0;
    float pitch = 0;
    float rowsTop = 0;
    std::array<float, kLaneCount> boxY{};  // top of each lane's handler box
    bool fits = false;
};

Plan planRows(const StartupLayoutInput& in, const Facts& facts, int lines, bool tight, float gapY,
              bool allowAbove, float margin)
{
    float f = in.fontSize;
    float top = in.canvas.y + margin;
    float bottom = in.canvas.y + in.canvas.h - margin;
    Plan p;
    p.lines = lines;
    p.tight = tight;
    p.gapY = gapY;
    p.titleH = nodeHeight(lines == 2 ? 1 : 0, f, tight);
    p.nodeH = nodeHeight(lines, f, tight);
    p.pitch = p.nodeH + gapY;
    p.rowsTop = top + p.titleH + std::max(gapY, 0.5f * f);
    p.fits = p.rowsTop + static_cast<float>(facts.rows) * p.pitch - gapY <= bottom;
    for (StartupLane lane : kLanes)
    {
        const LaneFacts& l = facts.lanes[laneIndex(lane)];
        if (l.handlers == 0) continue;
        float h = boxHeight(l.handlers, f, tight);
        float below = p.rowsTop + static_cast<float>(l.maxRow) * p.pitch + p.nodeH + gapY;
        float aboveTop = top + p.titleH + gapY;
        float aboveBottom = p.rowsTop + static_cast<float>(l.minRow) * p.pitch - gapY;
        if (below + h <= bottom)
            p.boxY[laneIndex(lane)] = below;
        else if (allowAbove && aboveBottom - aboveTop >= h)
            p.boxY[laneIndex(lane)] = aboveTop;
        else
            p.fits = false;
    }
    return p;
}

// The richest arrangement that fits: more lines per box first, then every handler box under its
// lane, then padded boxes, then the widest row gap. None fits: title-only boxes, boxes below,
// squeezed afterwards.
Plan choosePlan(const StartupLayoutInput& in, const Facts& facts, float margin)
{
    const float f = in.fontSize;
    const float gaps[] = {1.6f * f, 1.2f * f, 0.9f * f, 0.65f * f, 0.45f * f, 0.3f * f};
    for (int lines = 2; lines >= 0; --lines)
        for (bool allowAbove : {false, true})
            for (bool tight : {false, true})
                for (float gap : gaps)
                {
                    Plan p = planRows(in, facts, lines, tight, gap, allowAbove, margin);
                    if (p.fits) return p;
                }
    Plan p = planRows(in, facts, 0, true, 0.3f * f, false, margin);
    float below = p.rowsTop + static_cast<float>(facts.rows) * p.pitch;
    for (StartupLane lane : kLanes) p.boxY[laneIndex(lane)] = below;
    return p;
}

struct Columns
{
    std::array<float, kLaneCount> x{};
    std::array<float, kLaneCount> w{};
    float gap = 0;
};

using startup::HandlerForm;
constexpr HandlerForm kForms[] = {HandlerForm::Full, HandlerForm::Medium, HandlerForm::Short};

float padded(float textW, float f)
{
    return textW + 2 * 0.45f * f + 2;
}

// The width the lane's boxes need for their text: its steps' titles, their lines (`withLines`:
// our names and counts, which have a tooltip) and its title box (`withLaneTitle`: it has a short
// form).
float stepsWidthOf(const StartupLayoutInput& in, const DrawList& list, StartupLane lane,
                   bool withLaneTitle, bool withLines)
{
    float f = in.fontSize;
    float w = 0;
    for (const NodeRecord& n : list.nodes)
    {
        bool mine = (withLaneTitle && n.id == startupLaneNodeId(lane)) ||
                    (n.role == "step" && startupStep(startupStepOfNode(n.id)).lane == lane);
        if (!mine) continue;
        w = std::max(w, textWidth(n.title, f));
        if (!withLines) continue;
        for (const std::string& line : n.lines) w = std::max(w, textWidth(line, f));
    }
    return padded(w, f);
}

float stepsWidth(const StartupLayoutInput& in, const DrawList& list, StartupLane lane)
{
    return stepsWidthOf(in, list, lane, true, true);
}

float handlersWidth(StartupLane lane, HandlerForm form, float f)
{
    float w = 0;
    for (const StartupHandler& h : startupHandlers())
        if (h.lane == lane) w = std::max(w, textWidth(startup::handlerText(h, form), f));
    return padded(w, f);
}

// The narrowest a lane's column may be: every step's title whole, the lane's short title, each
// handler in its short form.
float laneMinWidth(const StartupLayoutInput& in, const DrawList& contents, StartupLane lane)
{
    float f = in.fontSize;
    float w = std::max(stepsWidthOf(in, contents, lane, false, false),
                       handlersWidth(lane, HandlerForm::Short, f));
    return std::max(w, padded(textWidth(startup::laneText(lane, in.store).shortTitle, f), f));
}

// The narrowest canvas on which every lane gets its minimum: the layout never goes below it
// (the tab scrolls sideways instead of cutting a step's name).
float minCanvasWidth(const StartupLayoutInput& in, const DrawList& contents, float margin)
{
    float sum = 0;
    for (StartupLane lane : kLanes) sum += laneMinWidth(in, contents, lane);
    return sum + 3 * kLeastGap * in.fontSize + 2 * margin;
}

// Steps first: every column gets what its boxes need (or a fair share of a narrow canvas).
// Slack then goes to the handler boxes, the article's full names if all fit, else the shorter
// forms; then to the gaps (room for edge labels); the rest is shared by the columns.
Columns chooseColumns(const StartupLayoutInput& in, const DrawList& list, float margin)
{
    float f = in.fontSize;
    Columns c;
    float minGap = kMinGap * f;
    float room = std::max(1.0f, in.canvas.w - 2 * margin - 3 * minGap);
    std::array<float, kLaneCount> want{};
    float sum = 0;
    for (StartupLane lane : kLanes) sum += want[laneIndex(lane)] = stepsWidth(in, list, lane);
    c.gap = minGap;
    if (sum > room)
    {
        // Each column keeps its minimum (step titles whole); what is left goes to the lines
        // and full lane titles. Below the minimum canvas (never, from layoutStartup) all shrink.
        std::array<float, kLaneCount> least{};
        float leastSum = 0;
        for (StartupLane lane : kLanes)
            leastSum += least[laneIndex(lane)] = laneMinWidth(in, list, lane);
        float extra = 0;
        for (size_t i = 0; i < kLaneCount; ++i)
        {
            want[i] = std::max(want[i], least[i]);
            extra += want[i] - least[i];
        }
        sum = leastSum + extra;
        // The gaps give way first (their labels become the legend), down to the arrowheads.
        float give = std::clamp(sum - room, 0.0f, 3 * (kMinGap - kLeastGap) * f);
        c.gap -= give / 3;
        room += give;
        // Shrinking every column alike keeps the lines' proportions (our names under the
        // titles); it is taken when it leaves every column its minimum.
        bool alike = true;
        for (size_t i = 0; i < kLaneCount; ++i) alike = alike && want[i] * room / sum >= least[i];
        for (size_t i = 0; i < kLaneCount; ++i)
        {
            if (alike)
                want[i] *= room / sum;
            else if (leastSum >= room)
                want[i] = least[i] * room / leastSum;
            else
                want[i] =
                    least[i] + (want[i] - least[i]) * (room - leastSum) / std::max(extra, kEps);
        }
    }
    else
    {
        float slack = room - sum;
        for (HandlerForm form : kForms)
        {
            std::array<float, kLaneCount> need{};
            float total = 0;
            for (StartupLane lane : kLanes)
            {
                size_t i = laneIndex(lane);
                need[i] = std::max(0.0f, handlersWidth(lane, form, f) - want[i]);
                total += need[i];
            }
            if (total > slack) continue;
            for (size_t i = 0; i < kLaneCount; ++i) want[i] += need[i];
            slack -= total;
            break;
        }
        float gapAdd = std::min(slack / 2 / 3, 3.0f * f);
        c.gap += gapAdd;
        slack -= 3 * gapAdd;
        for (float& w : want) w += slack / static_cast<float>(kLaneCount);
    }
    float x = in.canvas.x + margin;
    for (size_t i = 0; i < kLaneCount; ++i)
    {
        c.x[i] = x;
        c.w[i] = want[i];
        x += want[i] + c.gap;
    }
    return c;
}

void addEdges(const StartupLayoutInput& in, DrawList& list, const Columns& cols)
{
    float f = in.fontSize;
    for (const StartupEdge& e : startupEdges())
    {
        const NodeRecord* a = list.findNode(startupStepNodeId(e.from));
        const NodeRecord* b = list.findNode(startupStepNodeId(e.to));
        if (a == nullptr || b == nullptr) continue;
        EdgeRecord r;
        r.kind = startupEdgeKindName(e.kind);
        r.from = a->id;
        r.to = b->id;
        r.id = r.kind + ":" + startupStep(e.from).key + "->" + startupStep(e.to).key;
        if (e.kind == StartupEdgeKind::Call)
        {
            float cx = a->rect.x + a->rect.w / 2;
            r.a = {cx, a->rect.y + a->rect.h};
            r.b = {cx, b->rect.y};
        }
        else if (b->rect.x < a->rect.x)
        {
            r.a = {a->rect.x, a->rect.y + a->rect.h / 2};
            r.b = {b->rect.x + b->rect.w, b->rect.y + b->rect.h / 2};
        }
        else
        {
            r.a = {a->rect.x + a->rect.w, a->rect.y + a->rect.h / 2};
            r.b = {b->rect.x, b->rect.y + b->rect.h / 2};
        }
        bool lit = in.progress->lit(e.from, in.position) && in.progress->lit(e.to, in.position);
        r.count = lit ? 1 : 0;
        switch (e.kind)
        {
            case StartupEdgeKind::Call:
                r.color = lit ? kCallColor : rgba(84, 90, 104, 220);
                break;
            case StartupEdgeKind::Fork:
                r.color = lit ? kForkColor : rgba(120, 92, 64, 220);
                r.label = "fork()";
                break;
            case StartupEdgeKind::Thread:
                r.color = lit ? kThreadColor : rgba(62, 106, 112, 220);
                r.label = "thread";
                break;
        }
        r.thickness = (lit ? 0.15f : 0.1f) * f;
        // A label only where the gap between columns can hold it without covering a box.
        if (!r.label.empty() && textWidth(r.label, f) + 0.8f * f > cols.gap) r.label.clear();
        list.edges.push_back(std::move(r));
    }
}

void addHandlerLabels(const StartupLayoutInput& in, DrawList& list)
{
    float f = in.fontSize;
    auto handlers = startupHandlers();
    std::array<int, kLaneCount> next{};
    for (size_t i = 0; i < handlers.size(); ++i)
    {
        const StartupHandler& h = handlers[i];
        const NodeRecord* box = list.findNode(startupHandlerBoxId(h.lane));
        if (box == nullptr) continue;
        int k = next[laneIndex(h.lane)]++;
        LabelRecord l;
        l.id = startupHandlerLabelId(i);
        float pad = 0.45f * f;
        l.pos = {box->rect.x + pad, box->rect.y + (0.36f + 1.15f + 1.05f * k) * f};
        // The richest form in which every line of this box fits; cut only when none does.
        HandlerForm form = HandlerForm::Short;
        for (HandlerForm candidate : kForms)
        {
            if (handlersWidth(h.lane, candidate, f) > box->rect.w + kEps) continue;
            form = candidate;
            break;
        }
        l.text = startup::fitText(startup::handlerText(h, form), box->rect.w - 2 * pad, f);
        l.color =
            in.progress->handlerRegistered(i, in.position) ? kHandlerRegistered : kHandlerPending;
        list.labels.push_back(std::move(l));
    }
}

// When the gaps are too narrow for the edge labels, a key to the edge colours goes at the
// bottom of the first column, if the column has a free line there.
void addLegend(const StartupLayoutInput& in, DrawList& list, const Columns& cols, float margin)
{
    bool labelled = std::any_of(list.edges.begin(), list.edges.end(),
                                [](const EdgeRecord& e) { return !e.label.empty(); });
    if (labelled) return;
    float f = in.fontSize;
    float bottom = in.canvas.y + in.canvas.h - margin;
    float used = in.canvas.y;
    for (const NodeRecord& n : list.nodes)
        if (n.rect.x < cols.x[0] + cols.w[0]) used = std::max(used, n.rect.y + n.rect.h);
    float y = bottom - 1.05f * f;
    if (y < used + 0.3f * f) return;
    struct Key
    {
        const char* text;
        Color color;
        StartupEdgeKind kind;
    };
    const Key keys[] = {{"→ call", kCallColor, StartupEdgeKind::Call},
                        {"→ fork()", kForkColor, StartupEdgeKind::Fork},
                        {"→ thread", kThreadColor, StartupEdgeKind::Thread}};
    float x = cols.x[0];
    std::vector<LabelRecord> labels;
    for (const Key& key : keys)
    {
        LabelRecord l;
        l.id = std::string("legend.") + startupEdgeKindName(key.kind);
        l.text = key.text;
        l.color = key.color;
        l.pos = {x, y};
        x += textWidth(l.text, f) + 1.0f * f;
        labels.push_back(std::move(l));
    }
    if (x - 1.0f * f > cols.x[0] + cols.w[0]) return;
    for (LabelRecord& l : labels) list.labels.push_back(std::move(l));
}

NodeRecord* findNode(DrawList& list, const std::string& id)
{
    for (NodeRecord& n : list.nodes)
        if (n.id == id) return &n;
    return nullptr;
}

// The boxes' texts for `plan` (how many lines a step shows), without rectangles yet.
void addContents(const StartupLayoutInput& in, const Facts& facts, const Plan& plan, DrawList& list)
{
    for (StartupLane lane : kLanes)
    {
        list.nodes.push_back(startup::laneNode(in, lane, plan.lines == 2));
        if (facts.lanes[laneIndex(lane)].handlers > 0)
            list.nodes.push_back(startup::handlerBox(in, lane));
    }
    for (const StartupStep& s : startupSteps())
        list.nodes.push_back(startup::stepNode(in, s, plan.lines));
}

// Nothing fitted: squeeze every y and height towards the top by one factor (order is kept, so
// nothing overlaps; the painter clips the text that no longer fits).
void squeeze(DrawList& list, float top, float bottom)
{
    float used = top;
    for (const NodeRecord& n : list.nodes) used = std::max(used, n.rect.y + n.rect.h);
    if (used <= bottom || used <= top) return;
    float s = (bottom - top) / (used - top);
    for (NodeRecord& n : list.nodes)
    {
        n.rect.y = top + (n.rect.y - top) * s;
        n.rect.h *= s;
    }
}

}  // namespace

std::string startupStepNodeId(StartupStepId step)
{
    return std::string("step.") + startupStep(step).key;
}

std::string startupLaneNodeId(StartupLane lane)
{
    return std::string("lane.") + startupLaneName(lane);
}

std::string startupHandlerBoxId(StartupLane lane)
{
    return std::string("handlers.") + startupLaneName(lane);
}

std::string startupHandlerLabelId(size_t handler)
{
    return "handler[" + std::to_string(handler) + "]";
}

StartupStepId startupStepOfNode(const std::string& id)
{
    for (const StartupStep& s : startupSteps())
        if (id == startupStepNodeId(s.id)) return s.id;
    return StartupStepId::Count;
}

float startupMinCanvasWidth(const StartupLayoutInput& in)
{
    if (in.store == nullptr || in.progress == nullptr) return 0;
    StartupLayoutInput input = in;
    if (!(input.fontSize > 1.0f)) input.fontSize = 13.0f;
    const float margin = 0.4f * input.fontSize;
    Facts facts = readFacts();
    DrawList contents;
    addContents(input, facts, choosePlan(input, facts, margin), contents);
    return minCanvasWidth(input, contents, margin);
}

DrawList layoutStartup(const StartupLayoutInput& in)
{
    DrawList list;
    list.picture = "startup";
    list.canvas = in.canvas;
    if (in.store == nullptr || in.progress == nullptr)
    {
        list.banner = "no trace: the startup picture needs one";
        return list;
    }
    StartupLayoutInput input = in;
    if (!(input.fontSize > 1.0f)) input.fontSize = 13.0f;
    const float f = input.fontSize;
    const float margin = 0.4f * f;
    Facts facts = readFacts();
    Plan plan = choosePlan(input, facts, margin);

    // Contents first (the column widths depend on them), then the rectangles. A canvas too
    // narrow for the step names grows to the minimum: the panel scrolls, no name is cut.
    addContents(input, facts, plan, list);
    input.canvas.w = std::max(input.canvas.w, minCanvasWidth(input, list, margin));
    list.canvas = input.canvas;
    Columns cols = chooseColumns(input, list, margin);
    if (plan.lines < 2)
    {
        // Without a line for them, the pids join the lane title when the column can hold them,
        // after the role's short name if need be.
        for (StartupLane lane : kLanes)
        {
            NodeRecord* n = findNode(list, startupLaneNodeId(lane));
            startup::LaneText text = startup::laneText(lane, in.store);
            if (text.ids.empty()) continue;
            for (const std::string& title : {text.title, text.shortTitle})
            {
                std::string joined = title + "  " + text.ids;
                if (textWidth(joined, f) > cols.w[laneIndex(lane)] - 0.9f * f) continue;
                n->title = joined;
                break;
            }
        }
    }

    for (NodeRecord& n : list.nodes)
    {
        size_t col = 0;
        if (n.role == "step")
        {
            const StartupStep& s = startupStep(startupStepOfNode(n.id));
            col = laneIndex(s.lane);
            n.rect = {cols.x[col], plan.rowsTop + static_cast<float>(s.row) * plan.pitch,
                      cols.w[col], plan.nodeH};
            continue;
        }
        for (StartupLane lane : kLanes)
            if (n.id == startupLaneNodeId(lane) || n.id == startupHandlerBoxId(lane))
                col = laneIndex(lane);
        if (n.role == "lane")
            n.rect = {cols.x[col], in.canvas.y + margin, cols.w[col], plan.titleH};
        else
            n.rect = {cols.x[col], plan.boxY[col], cols.w[col],
                      boxHeight(facts.lanes[col].handlers, f, plan.tight)};
    }
    if (!plan.fits) squeeze(list, in.canvas.y + margin, in.canvas.y + in.canvas.h - margin);
    // A lane's title must not be wider than its column: the role's short name, else cut; the
    // tooltip then starts with the whole title.
    for (StartupLane lane : kLanes)
    {
        NodeRecord* n = findNode(list, startupLaneNodeId(lane));
        float room = n->rect.w - 0.9f * f;
        if (textWidth(n->title, f) <= room) continue;
        std::string whole = n->title;
        std::string shortTitle = startup::laneText(lane, in.store).shortTitle;
        n->title = startup::fitText(textWidth(shortTitle, f) <= room ? shortTitle : whole, room, f);
        n->tooltip.insert(n->tooltip.begin(), whole);
    }
    addEdges(input, list, cols);
    addHandlerLabels(input, list);
    addLegend(input, list, cols, margin);

    const Topology& t = in.store->topology();
    if (t.mode == "base")
        list.banner =
            "SWOOLE_BASE trace: no reactor threads, the master plays the manager (this flow is "
            "process mode's)";
    else if (in.store->size() > 0 &&
             in.progress->newestEventBefore(in.store->size()) == StartupProgress::kNone)
        list.banner = "no startup events in this trace (recorded after the server started?)";
    static const std::vector<std::string> kNone;
    markHighlights(list, in.highlightNodes ? *in.highlightNodes : kNone,
                   in.highlightEdges ? *in.highlightEdges : kNone);
    return list;
}

}  // namespace rscope::viewer
