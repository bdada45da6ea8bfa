// Lays out the architecture picture (seed article, figure 1): three columns (clients, the master
// box with the main reactor over its reactor threads, the manager over the workers), boxes stacked
// at font-derived sizes and shrunk together when the canvas is small, then the edges between them
// and the activity (tokens, or rates in rate mode) on those edges.
#include "viewer/layout/architecture_layout.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "viewer/layout/architecture_parts.h"
#include "viewer/layout/highlight.h"
#include "viewer/layout/layout_text.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

std::string nodeIdReactor(int index)
{
    return "reactor[" + std::to_string(index) + "]";
}
std::string nodeIdWorker(int index)
{
    return "worker[" + std::to_string(index) + "]";
}
std::string nodeIdTaskWorker(int index)
{
    return "task_worker[" + std::to_string(index) + "]";
}
std::string nodeIdClient(int64_t session)
{
    return "client[" + std::to_string(session) + "]";
}
std::string edgeIdPipe(int reactor, int worker)
{
    return "pipe[" + std::to_string(reactor) + "->" + std::to_string(worker) + "]";
}

namespace
{

using namespace arch;

struct Span
{
    float y = 0;
    float h = 0;
};

// Stacks boxes of the desired `heights` into [top, bottom], `gaps[i]` above box i (gaps[0] is
// ignored): at their desired size when they fit, the block centred on `centreY` but kept inside;
// otherwise boxes and gaps shrink by one factor so the block fills the range. Gaps stay positive
// whenever the range has room, so boxes never overlap.
std::vector<Span> stack(float top, float bottom, const std::vector<float>& heights,
                        const std::vector<float>& gaps, float centreY)
{
    float avail = std::max(0.0f, bottom - top);
    float boxes = 0;
    float spacing = 0;
    for (size_t i = 0; i < heights.size(); ++i)
    {
        boxes += heights[i];
        if (i > 0) spacing += gaps[i];
    }
    // Short of room, the gaps give way first (down to a fifth), and only then the boxes, so a
    // crowded column keeps readable boxes rather than wide gaps between clipped ones.
    float gapScale = 1.0f;
    float boxScale = 1.0f;
    if (boxes + spacing > avail && boxes + spacing > 0)
    {
        constexpr float kMinGapScale = 0.2f;
        if (spacing > 0 && boxes + kMinGapScale * spacing <= avail)
            gapScale = (avail - boxes) / spacing;
        else
        {
            gapScale = spacing > 0 ? kMinGapScale : 1.0f;
            boxScale = boxes > 0 ? std::max(0.0f, avail - gapScale * spacing) / boxes : 1.0f;
        }
    }
    float block = boxes * boxScale + spacing * gapScale;
    float y = std::clamp(centreY - block / 2, top, std::max(top, top + avail - block));
    std::vector<Span> spans;
    for (size_t i = 0; i < heights.size(); ++i)
    {
        if (i > 0) y += gaps[i] * gapScale;
        spans.push_back({y, heights[i] * boxScale});
        y += heights[i] * boxScale;
    }
    return spans;
}

// The three columns and the vertical band they share.
struct Frame
{
    float margin = 0;
    float top = 0;
    float bottom = 0;
    float clientX = 0;
    float clientW = 0;
    float masterX = 0;
    float masterW = 0;
    float workerX = 0;
    float workerW = 0;
    // Task workers (model section 10): a fourth column right of the workers, 0 wide without.
    float taskX = 0;
    float taskW = 0;
};

Frame frameFor(const RectF& c, const Metrics& m, bool banner, bool taskColumn)
{
    Frame f;
    float w = std::max(0.0f, c.w);
    float h = std::max(0.0f, c.h);
    float fs = m.fontSize;
    f.margin = std::min(fs, std::min(w, h) * 0.03f);
    // The painter puts the rate-mode banner in a band along the bottom: keep boxes out of it.
    float bannerH = banner ? std::min(2.4f * fs, h * 0.15f) : 0.0f;
    f.top = c.y + f.margin;
    f.bottom = std::max(f.top, c.y + h - f.margin - bannerH);
    float usable = std::max(0.0f, w - 2 * f.margin);
    // Widths that hold the longest titles ("worker[12]  pid 104876") and leave the gaps room for
    // edge labels and tokens; a narrow canvas scales all of them alike.
    float cw = 14 * fs, mw = 30 * fs, ww = 20 * fs, g1 = 5 * fs, g2 = 6 * fs;
    // With task workers the master box gives up some width (its lines are short) to the
    // task column and the gap where the task pipes run.
    float tw = 0, g3 = 0;
    if (taskColumn) mw = 24 * fs, ww = 18 * fs, tw = 17 * fs, g3 = 4 * fs;
    float need = cw + mw + ww + g1 + g2 + tw + g3;
    float left = c.x + f.margin;
    if (need > usable)
    {
        float s = need > 0 ? usable / need : 0.0f;
        cw *= s, mw *= s, ww *= s, g1 *= s, g2 *= s, tw *= s, g3 *= s;
    }
    else
    {
        // A wide canvas: longer edges first (tokens travel further), then wider boxes, and
        // what is left centres the picture instead of stretching it.
        float extra = usable - need;
        float dg = std::min(extra * 0.4f, 16 * fs);
        g1 += dg * 0.45f;
        g2 += dg * 0.55f;
        extra -= dg;
        float cols = cw + mw + ww;
        float dc = std::min(extra, cols * 0.5f);
        cw += dc * cw / cols, mw += dc * mw / cols, ww += dc * ww / cols;
        extra -= dc;
        left += extra / 2;
    }
    f.clientX = left;
    f.clientW = cw;
    f.masterX = left + cw + g1;
    f.masterW = mw;
    f.workerX = f.masterX + mw + g2;
    f.workerW = ww;
    f.taskX = f.workerX + ww + g3;
    f.taskW = tw;
    return f;
}

float bottomOf(const RectF& r)
{
    return r.y + r.h;
}

// Desired heights of a column of boxes and the gap above each (the first gap is unused).
struct Column
{
    std::vector<float> heights;
    std::vector<float> gaps;
    void add(float height, float gap)
    {
        heights.push_back(height);
        gaps.push_back(heights.size() == 1 ? 0.0f : gap);
    }
    float need() const
    {
        float sum = 0;
        for (size_t i = 0; i < heights.size(); ++i) sum += heights[i] + gaps[i];
        return sum;
    }
};

// The master box: a title band, the main reactor across the box, the reactor threads below it
// indented by a lane where the handoff edges fan out (returns the fan's x). The box is centred,
// but moves up when the client column, which starts below the main reactor, needs the room.
float placeMaster(const Frame& f, const Metrics& m, float clientNeed, NodeRecord& master,
                  NodeRecord& mainReactor, std::vector<NodeRecord>& reactors)
{
    float padX = std::min(m.pad, f.masterW * 0.05f);
    float titleBand = m.lineHeight + m.pad;
    Column inner;
    inner.add(nodeHeight(m, mainReactor.lines.size()), 0);
    for (size_t i = 0; i < reactors.size(); ++i)
        inner.add(nodeHeight(m, reactors[i].lines.size()), i == 0 ? 2 * m.gap : m.gap);
    float masterNeed = titleBand + inner.need() + m.pad;
    Span box = stack(f.top, f.bottom, {masterNeed}, {0}, (f.top + f.bottom) / 2)[0];
    float s = box.h / masterNeed;
    float mainBottom = box.y + (titleBand + inner.heights[0]) * s;
    float below = f.bottom - mainBottom - m.gap;
    if (clientNeed > below) box.y -= std::min(clientNeed - below, box.y - f.top);
    master.rect = {f.masterX, box.y, f.masterW, box.h};
    std::vector<Span> spans = stack(box.y + titleBand * s, box.y + box.h - m.pad * s, inner.heights,
                                    inner.gaps, box.y + box.h / 2);
    float x = f.masterX + padX;
    float w = std::max(0.0f, f.masterW - 2 * padX);
    float lane = reactors.empty() ? 0.0f : std::min(4 * m.fontSize, w * 0.2f);
    mainReactor.rect = {x, spans[0].y, w, spans[0].h};
    for (size_t i = 0; i < reactors.size(); ++i)
        reactors[i].rect = {x + lane, spans[i + 1].y, w - lane, spans[i + 1].h};
    return x + lane * 0.5f;
}

// The task column: the task workers, level with the workers, their manager fan in a lane on
// their right (returns the fan's x).
float placeTaskWorkers(const Frame& f, const Metrics& m, float top,
                       std::vector<NodeRecord>& taskWorkers)
{
    if (taskWorkers.empty()) return 0.0f;
    Column column;
    for (const NodeRecord& t : taskWorkers) column.add(nodeHeight(m, t.lines.size()), m.gap);
    std::vector<Span> spans = stack(top, f.bottom, column.heights, column.gaps, top);
    float lane = std::min(3 * m.fontSize, f.taskW * 0.15f);
    for (size_t i = 0; i < taskWorkers.size(); ++i)
        taskWorkers[i].rect = {f.taskX, spans[i].y, f.taskW - lane, spans[i].h};
    return f.taskX + f.taskW - lane * 0.5f;
}

// The right column: the manager over the workers it forks (and over the task column, when
// there is one); its edges fan out in a lane on the right of the workers (returns the fan's x).
float placeWorkers(const Frame& f, const Metrics& m, NodeRecord* manager,
                   std::vector<NodeRecord>& workers)
{
    Column column;
    if (manager != nullptr) column.add(nodeHeight(m, manager->lines.size()), 0);
    for (const NodeRecord& w : workers)
        column.add(nodeHeight(m, w.lines.size()),
                   manager != nullptr && column.heights.size() == 1 ? 2 * m.gap : m.gap);
    std::vector<Span> spans =
        stack(f.top, f.bottom, column.heights, column.gaps, (f.top + f.bottom) / 2);
    float lane =
        manager != nullptr && !workers.empty() ? std::min(3 * m.fontSize, f.workerW * 0.15f) : 0.0f;
    size_t next = 0;
    if (manager != nullptr)
    {
        float w = f.taskW > 0 ? f.taskX + f.taskW - f.workerX : f.workerW;
        manager->rect = {f.workerX, spans[next].y, w, spans[next].h};
        ++next;
    }
    for (NodeRecord& w : workers)
    {
        w.rect = {f.workerX, spans[next].y, f.workerW - lane, spans[next].h};
        ++next;
    }
    return f.workerX + f.workerW - lane * 0.5f;
}

// The left column: below the main reactor's level (accepts arrive at its side) and centred on
// the reactor threads, so client edges run right without crossing the main reactor.
void placeClients(const Frame& f, const Metrics& m, const Column& column,
                  const NodeRecord& mainReactor, const std::vector<NodeRecord>& reactors,
                  std::vector<NodeRecord>& clients)
{
    float mid = (f.top + f.bottom) / 2;
    float top = std::max(f.top, std::min(bottomOf(mainReactor.rect) + m.gap, mid));
    float centre = reactors.empty()
                       ? (top + f.bottom) / 2
                       : (reactors.front().rect.y + bottomOf(reactors.back().rect)) / 2;
    std::vector<Span> spans = stack(top, f.bottom, column.heights, column.gaps, centre);
    for (size_t i = 0; i < clients.size(); ++i)
        clients[i].rect = {f.clientX, spans[i].y, f.clientW, spans[i].h};
}

std::string glowTarget(const Glow& g)
{
    switch (g.role)
    {
        case Role::Master:
            return "main_reactor";
        case Role::Reactor:
            return nodeIdReactor(g.index);
        case Role::Manager:
            return "manager";
        case Role::Worker:
            return nodeIdWorker(g.index);
        case Role::TaskWorker:
            return nodeIdTaskWorker(g.index);
        case Role::Unknown:
            break;
    }
    return {};
}

}  // namespace

DrawList layoutArchitecture(const ArchitectureLayoutInput& in)
{
    DrawList list;
    list.picture = "architecture";
    list.canvas = in.canvas;
    list.rateMode = in.activity != nullptr && in.activity->rateMode;
    const Metrics m = metricsFor(in.fontSize);
    const Facts facts = readFacts(in);
    const ClientSet clients = chooseClients(in);

    // Contents first: a box's height follows its number of lines.
    NodeRecord master = masterNode(in, facts);
    NodeRecord mainReactor = mainReactorNode(in, facts);
    std::vector<NodeRecord> reactors;
    for (int r : facts.reactors) reactors.push_back(reactorNode(in, facts, r));
    std::optional<NodeRecord> manager;
    if (facts.hasManager) manager = managerNode(in, facts);
    std::vector<NodeRecord> workers;
    for (int w : facts.workers) workers.push_back(workerNode(in, facts, w));
    std::vector<NodeRecord> taskWorkers;
    for (int t : facts.taskWorkers) taskWorkers.push_back(workerNode(in, facts, t));
    std::vector<NodeRecord> clientNodes;
    for (const ClientInfo& c : clients.shown) clientNodes.push_back(clientNode(in, c));
    if (!clients.folded.empty()) clientNodes.push_back(foldedClientsNode(in, clients));

    const Frame f = frameFor(in.canvas, m, list.rateMode, !taskWorkers.empty());
    // The colour legend: a band along the top left as wide as the client and master columns,
    // which move down for it; the workers' column, the tallest as a rule, keeps its height.
    // Left out when the canvas is too short to spare the band.
    const RectF legendArea{in.canvas.x + f.margin, in.canvas.y + f.margin,
                           std::max(0.0f, f.workerX - 2 * m.fontSize - (in.canvas.x + f.margin)),
                           0};
    float legend = legendHeight(in, m, legendArea.w);
    if (legend > 0.15f * in.canvas.h) legend = 0;
    Frame belowLegend = f;
    if (legend > 0) belowLegend.top += legend + 0.3f * m.lineHeight;
    Column left;
    for (const NodeRecord& c : clientNodes) left.add(nodeHeight(m, c.lines.size()), m.gap);
    const float handoffX = placeMaster(belowLegend, m, left.need(), master, mainReactor, reactors);
    const float managerX = placeWorkers(f, m, manager ? &*manager : nullptr, workers);
    const float taskManagerX =
        placeTaskWorkers(f, m, workers.empty() ? f.top : workers.front().rect.y, taskWorkers);
    placeClients(belowLegend, m, left, mainReactor, reactors, clientNodes);

    // Containers first: the painter draws in order.
    list.nodes.push_back(std::move(master));
    list.nodes.push_back(std::move(mainReactor));
    for (NodeRecord& r : reactors) list.nodes.push_back(std::move(r));
    if (manager) list.nodes.push_back(std::move(*manager));
    for (NodeRecord& w : workers) list.nodes.push_back(std::move(w));
    for (NodeRecord& t : taskWorkers) list.nodes.push_back(std::move(t));
    for (NodeRecord& c : clientNodes) list.nodes.push_back(std::move(c));
    for (NodeRecord& n : list.nodes)
    {
        if (n.id != "master") fitLines(n, m);
        // A busy worker always glows: a callback runs there now, not only when it began.
        if (n.state == "busy") n.glow = 0.6f;
    }

    EdgeBook book(list, m, f.clientX + f.clientW);
    book.indexNodes();
    book.setFans(handoffX, managerX, taskManagerX);
    if (in.activity != nullptr)
        for (const Glow& g : in.activity->glows)
            if (NodeRecord* n = book.mutableNode(glowTarget(g)))
                n->glow = std::max(n->glow, static_cast<float>(std::clamp(g.intensity, 0.0, 1.0)));

    addFigureEdges(in, facts, clients, book);

    if (list.rateMode)
    {
        addRates(in, clients, book);
        list.banner = "events arrive faster than they can be animated: edges show rates";
    }
    else
    {
        addTokens(in, clients, book);
    }
    if (const EdgeRecord* accept = book.edge("accept"); accept != nullptr && !facts.listen.empty())
        list.labels.push_back({"listen " + facts.listen,
                               {f.clientX, std::max(in.canvas.y, accept->a.y - m.lineHeight)},
                               rgba(170, 180, 195),
                               "listen"});
    if (in.slowTraceReader)
        if (const NodeRecord* box = list.findNode("master"))
            list.labels.push_back(
                {"slow trace reader: the master drops its events",
                 {box->rect.x, std::min(in.canvas.y + in.canvas.h - m.lineHeight,
                                        box->rect.y + box->rect.h + m.lineHeight * 0.3f)},
                 rgba(250, 200, 80),
                 "slow_reader"});
    if (legend > 0) addLegend(in, m, legendArea, list);
    static const std::vector<std::string> kNone;
    markHighlights(list, in.highlightNodes ? *in.highlightNodes : kNone,
                   in.highlightEdges ? *in.highlightEdges : kNone);
    finishEdges(in, list, m);
    return list;
}

}  // namespace rscope::viewer
