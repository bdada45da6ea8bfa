// Sequence diagram records: columns for the lifelines, fixed heads, rows that scroll under them;
// the cost is the rows in view plus one pass over the window's messages (activations).
#include "viewer/layout/sequence_layout.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include "viewer/layout/layout_text.h"
#include "viewer/layout/startup_parts.h"  // the font's width estimate
#include "viewer/model/sequence_model.h"

namespace rscope::viewer
{

namespace
{

// Sizes in font heights: a row holds its label line above the arrow.
constexpr float kPad = 0.6f;
constexpr float kHeadHeight = 3.0f;  // a title and one subtitle line
constexpr float kHeadLine = 1.05f;   // each further subtitle line
constexpr size_t kHeadMaxLines = 3;  // "master" / "pid 20769" / "tid 20769" in a narrow head
constexpr float kRowHeight = 1.9f;
constexpr float kArrowAt = 0.74f;  // of a row, from its top
constexpr float kNoteHeight = 1.6f;
constexpr float kBarHalf = 0.32f;
constexpr float kLoopHeight = 0.8f;

constexpr Color kLifelineColor = rgba(110, 122, 140, 200);
constexpr Color kHeadFill = rgba(44, 52, 66);
constexpr Color kNoteColor = rgba(170, 178, 192);

Color headBorder(LifelineKind kind)
{
    switch (kind)
    {
        case LifelineKind::MainReactor:
        case LifelineKind::Reactor:
            return rgba(110, 170, 255);
        case LifelineKind::Pipe:
            return rgba(170, 170, 180);
        case LifelineKind::Worker:
            return rgba(120, 210, 130);
        case LifelineKind::Manager:
            return rgba(230, 190, 90);
        case LifelineKind::TaskWorker:
            return rgba(200, 140, 230);
        case LifelineKind::Client:
            break;
    }
    return rgba(200, 200, 210);
}

Color scaleAlpha(Color c, float factor)
{
    float a = static_cast<float>((c >> 24) & 0xFF) * std::clamp(factor, 0.0f, 1.0f);
    return (c & 0x00FFFFFFu) | (static_cast<Color>(std::lround(a)) << 24);
}

// Lighter towards white: the selected session stands out from the palette's other hues.
Color brighten(Color c, float amount)
{
    auto mix = [&](int shift)
    {
        float v = static_cast<float>((c >> shift) & 0xFF);
        return static_cast<Color>(std::lround(v + (255.0f - v) * amount)) << shift;
    };
    return mix(0) | mix(8) | mix(16) | (c & 0xFF000000u);
}

float topNote(const SequenceModel& m, float fs)
{
    return m.truncatedBefore() ? kNoteHeight * fs : 0.0f;
}

// Heads share the canvas width: a column each, a pad between them.
float headWidth(size_t lifelines, float canvasW, float fs)
{
    float colW = std::max(1.0f, (canvasW - 2 * kPad * fs) / static_cast<float>(lifelines));
    return std::clamp(colW - kPad * fs, 4.0f * fs, 15.0f * fs);
}

// A head's subtitle ("pid 20769 tid 20776", "127.0.0.1:33002") in lines that fit `width`: broken
// at spaces, a word too long at its last ':' '/' '.' that fits, at most kHeadMaxLines lines; what
// is still left over ends the last line in "…" (the head's tooltip has it whole).
std::vector<std::string> wrapSubtitle(const std::string& text, float width, float fs)
{
    auto fits = [&](const std::string& t) { return startup::textWidth(t, fs) <= width; };
    std::vector<std::string> lines;
    std::string rest = text;
    while (!rest.empty() && lines.size() < kHeadMaxLines)
    {
        if (fits(rest))
        {
            lines.push_back(rest);
            rest.clear();
            break;
        }
        // The longest prefix that fits and ends before a word ("pid 20769" / "tid 20776": a
        // name stays with its number), else before any space or after a separator.
        size_t cut = std::string::npos;
        for (bool wordsOnly : {true, false})
        {
            for (size_t i = 1; i < rest.size(); ++i)
            {
                bool space = rest[i] == ' ';
                bool word = space && i + 1 < rest.size() &&
                            std::isalpha(static_cast<unsigned char>(rest[i + 1]));
                bool sep = rest[i - 1] == ':' || rest[i - 1] == '/' || rest[i - 1] == '.';
                bool allowed = wordsOnly ? word : (space || sep);
                if (allowed && fits(rest.substr(0, i))) cut = i;
            }
            if (cut != std::string::npos) break;
        }
        if (cut == std::string::npos || lines.size() + 1 == kHeadMaxLines) break;
        lines.push_back(rest.substr(0, cut));
        rest = rest.substr(cut);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    }
    if (!rest.empty()) lines.push_back(startup::fitText(rest, width, fs));
    return lines;
}

// Subtitle lines the heads need at this width: 1, or more when one wraps. The heads' height and
// every row's place follow it.
size_t headLines(const SequenceModel& m, float canvasW, float fs)
{
    if (canvasW <= 0 || m.lifelines.empty()) return 1;
    float w = headWidth(m.lifelines.size(), canvasW, fs) - 0.9f * fs;
    size_t lines = 1;
    for (const SequenceLifeline& l : m.lifelines)
        lines = std::max(lines, wrapSubtitle(l.subtitle, w, fs).size());
    return std::min(lines, kHeadMaxLines);
}

float headHeight(const SequenceModel& m, float canvasW, float fs)
{
    return (kHeadHeight + kHeadLine * static_cast<float>(headLines(m, canvasW, fs) - 1)) * fs;
}

struct Geometry
{
    float fs = 13;
    float pad = 0;
    float colW = 0;
    float x0 = 0;
    float contentTop = 0;  // screen y where rows start (below the heads), at scroll 0 + scrollY
    float bottom = 0;
    float x(int lifeline) const { return x0 + colW * (static_cast<float>(lifeline) + 0.5f); }
};

// Running callback depth per lifeline at each message: arrows end at the bar's edge.
struct Activations
{
    // Per message, the callbacks running on its `from` and `to` lifelines at its row (an exit
    // still counts its own callback: the bar ends at that row).
    std::vector<int> depthFrom;
    std::vector<int> depthTo;
    struct Bar
    {
        int lifeline;
        int nest;
        size_t first;  // message rows; first may be -1 (opened before the window): use 0
        size_t last;
        bool openBefore;
        bool openAfter;
        int64_t session;
        size_t event;
        std::string callback;
    };
    std::vector<Bar> bars;
};

Activations computeActivations(const SequenceModel& m)
{
    Activations a;
    a.depthFrom.resize(m.messages.size(), 0);
    a.depthTo.resize(m.messages.size(), 0);
    std::vector<std::vector<size_t>> open(m.lifelines.size());
    for (size_t i = 0; i < m.messages.size(); ++i)
    {
        const SequenceMessage& msg = m.messages[i];
        std::vector<size_t>& stack = open[msg.to];
        if (msg.activation > 0) stack.push_back(i);
        a.depthFrom[i] = static_cast<int>(open[msg.from].size());
        a.depthTo[i] = static_cast<int>(stack.size()) + (msg.activation < 0 ? 1 : 0);
        if (msg.activation < 0)
        {
            if (stack.empty())
                a.bars.push_back(
                    {msg.to, 0, 0, i, true, false, msg.session, msg.eventIndex, msg.label});
            else
            {
                size_t first = stack.back();
                stack.pop_back();
                const SequenceMessage& enter = m.messages[first];
                a.bars.push_back({msg.to, static_cast<int>(stack.size()), first, i, false, false,
                                  enter.session, enter.eventIndex, enter.label});
            }
        }
    }
    for (size_t line = 0; line < open.size(); ++line)
        for (size_t k = 0; k < open[line].size(); ++k)
        {
            const SequenceMessage& enter = m.messages[open[line][k]];
            a.bars.push_back({static_cast<int>(line), static_cast<int>(k), open[line][k],
                              m.messages.empty() ? 0 : m.messages.size() - 1, false, true,
                              enter.session, enter.eventIndex, enter.label});
        }
    return a;
}

Color messageColor(const SequenceLayoutInput& in, const SequenceMessage& msg, bool future)
{
    Color c = sessionColor(msg.session);
    if (in.selectedSession != 0 && msg.session == in.selectedSession) c = brighten(c, 0.35f);
    float alpha = 1.0f;
    if (in.selectedSession != 0 && msg.session != in.selectedSession) alpha *= 0.55f;
    if (future) alpha *= 0.3f;
    return scaleAlpha(c, alpha);
}

}  // namespace

float sequenceRowHeight(float fontSize)
{
    return kRowHeight * fontSize;
}

float sequenceRowY(const SequenceModel& model, size_t row, float fontSize, float canvasWidth)
{
    return headHeight(model, canvasWidth, fontSize) + kPad * fontSize + topNote(model, fontSize) +
           kRowHeight * fontSize * (static_cast<float>(row) + kArrowAt);
}

float sequenceContentHeight(const SequenceModel& model, float fontSize, float canvasWidth)
{
    return headHeight(model, canvasWidth, fontSize) + 2 * kPad * fontSize +
           topNote(model, fontSize) +
           kRowHeight * fontSize * static_cast<float>(model.messages.size()) +
           (model.truncatedAfter() ? kNoteHeight * fontSize : 0.0f);
}

int sequenceNewestRow(const SequenceModel& model, size_t position)
{
    auto it =
        std::partition_point(model.messages.begin(), model.messages.end(),
                             [&](const SequenceMessage& m) { return m.eventIndex < position; });
    return static_cast<int>(it - model.messages.begin()) - 1;
}

std::string formatDelta(int64_t ns)
{
    if (ns < 0) return {};
    char buf[32];
    double v = static_cast<double>(ns);
    if (ns < 1000)
        std::snprintf(buf, sizeof buf, "+%lld ns", static_cast<long long>(ns));
    else if (ns < 10000)
        std::snprintf(buf, sizeof buf, "+%.1f \xC2\xB5s", v / 1e3);
    else if (ns < 1000000)
        std::snprintf(buf, sizeof buf, "+%.0f \xC2\xB5s", v / 1e3);
    else if (ns < 1000000000)
        std::snprintf(buf, sizeof buf, "+%.1f ms", v / 1e6);
    else
        std::snprintf(buf, sizeof buf, "+%.2f s", v / 1e9);
    return buf;
}

std::string sequenceLabel(const SequenceMessage& msg)
{
    std::string text = msg.fn;
    if (!msg.label.empty()) text.append("  ").append(msg.label);
    std::string dt = formatDelta(msg.deltaNs);
    if (!dt.empty()) text.append("  ").append(dt);
    // Step mode: the time the learner held the server there, apart from the server's own.
    if (!dt.empty() && msg.heldNs > 0)
        text.append(" (held ").append(formatDelta(msg.heldNs).substr(1)).append(")");
    return text;
}

std::string sequenceMessageId(const SequenceMessage& msg)
{
    std::string id = "msg[" + std::to_string(msg.eventIndex) + "]";
    if (msg.derived) id += ".pickup";
    return id;
}

DrawList layoutSequence(const SequenceLayoutInput& in)
{
    DrawList out;
    out.picture = "sequence";
    out.canvas = in.canvas;
    if (in.model == nullptr) return out;
    if (in.model->lifelines.empty())
    {
        out.banner = "no session to show: pick one in the list, or move the cursor to a request";
        return out;
    }
    const SequenceModel& model = *in.model;
    const float fs = in.fontSize;
    Geometry g;
    g.fs = fs;
    g.pad = kPad * fs;
    g.x0 = in.canvas.x + g.pad;
    g.colW = std::max(1.0f, (in.canvas.w - 2 * g.pad) / static_cast<float>(model.lifelines.size()));
    float headH = headHeight(model, in.canvas.w, fs);
    g.contentTop = in.canvas.y + headH + g.pad;
    g.bottom = in.canvas.y + in.canvas.h;
    const float rowH = kRowHeight * fs;
    const size_t n = model.messages.size();
    out.contentHeight = sequenceContentHeight(model, fs, in.canvas.w);
    auto rowY = [&](size_t row)
    { return in.canvas.y + sequenceRowY(model, row, fs, in.canvas.w) - in.scrollY; };

    // Heads, fixed at the top; the lifelines run from them to the last row (or the canvas end).
    float lastY = std::min(g.bottom, in.canvas.y + out.contentHeight - in.scrollY);
    for (size_t i = 0; i < model.lifelines.size(); ++i)
    {
        const SequenceLifeline& l = model.lifelines[i];
        float x = g.x(static_cast<int>(i));
        float w = headWidth(model.lifelines.size(), in.canvas.w, fs);
        NodeRecord head;
        head.id = l.id;
        head.role = "lifeline";
        head.title = startup::fitText(l.title, w - 0.9f * fs, fs);
        if (!l.subtitle.empty()) head.lines = wrapSubtitle(l.subtitle, w - 0.9f * fs, fs);
        head.rect = {x - w / 2, in.canvas.y + g.pad * 0.5f, w, headH - g.pad * 0.5f};
        head.fill = kHeadFill;
        head.border = l.kind == LifelineKind::Client ? sessionColor(l.session) : headBorder(l.kind);
        head.selected = l.kind == LifelineKind::Client && l.session == in.selectedSession &&
                        in.selectedSession != 0;
        head.tooltip.push_back(l.title == l.id ? l.id : l.title + "  (" + l.id + ")");
        if (!l.subtitle.empty()) head.tooltip.push_back(l.subtitle);
        out.nodes.push_back(std::move(head));

        EdgeRecord line;
        line.id = "lifeline:" + l.id;
        line.kind = "lifeline";
        line.from = line.to = l.id;
        line.a = {x, in.canvas.y + headH};
        line.b = {x, std::max(in.canvas.y + headH, lastY)};
        line.thickness = 1.0f;
        line.color = l.kind == LifelineKind::Client ? scaleAlpha(sessionColor(l.session), 0.6f)
                                                    : kLifelineColor;
        line.dashed = true;
        line.session = l.session;
        out.edges.push_back(std::move(line));
    }

    // Rows in view: from the first whose label clears the heads to the last above the bottom.
    float firstRowY = sequenceRowY(model, 0, fs);
    auto rowAt = [&](float canvasY)
    { return static_cast<int64_t>(std::floor((canvasY - firstRowY) / rowH)); };
    int64_t lo = std::max<int64_t>(0, rowAt(in.scrollY + headH + g.pad) + 1);
    int64_t hi = std::min<int64_t>(static_cast<int64_t>(n), rowAt(in.scrollY + in.canvas.h) + 2);
    auto rowVisible = [&](size_t row)
    {
        float y = rowY(row);
        return y - kArrowAt * rowH >= g.contentTop - 1.0f && y <= g.bottom;
    };

    Activations act = computeActivations(model);
    for (const Activations::Bar& bar : act.bars)
    {
        float top = bar.openBefore ? g.contentTop : rowY(bar.first);
        float bottom = bar.openAfter ? lastY : rowY(bar.last);
        top = std::max(top, g.contentTop);
        bottom = std::min(bottom, g.bottom);
        if (bottom <= top) continue;
        float x = g.x(bar.lifeline) + static_cast<float>(bar.nest) * kBarHalf * fs;
        bool future = !bar.openBefore && bar.event >= in.position;
        NodeRecord r;
        r.id = "activation[" + std::to_string(bar.event) + "]";
        r.role = "activation";
        // Its lifeline as a line, not as `parent`: a parent would make the head a container.
        r.lines.push_back(model.lifelines[bar.lifeline].id);
        r.title = bar.callback;
        r.rect = {x - kBarHalf * fs, top, 2 * kBarHalf * fs, bottom - top};
        Color c = sessionColor(bar.session);
        r.fill = scaleAlpha(c, future ? 0.12f : 0.35f);
        r.border = scaleAlpha(c, future ? 0.3f : 0.9f);
        r.state = future ? "future" : "running";
        r.tooltip.push_back(bar.callback + " in " + model.lifelines[bar.lifeline].id);
        out.nodes.push_back(std::move(r));
    }

    int newest = sequenceNewestRow(model, in.position);
    for (int64_t row = lo; row < hi; ++row)
    {
        size_t i = static_cast<size_t>(row);
        if (!rowVisible(i)) continue;
        const SequenceMessage& msg = model.messages[i];
        bool future = msg.eventIndex >= in.position;
        EdgeRecord e;
        e.id = sequenceMessageId(msg);
        e.from = model.lifelines[msg.from].id;
        e.to = model.lifelines[msg.to].id;
        e.label = sequenceLabel(msg);
        e.eventIndex = static_cast<int64_t>(msg.eventIndex);
        e.session = msg.session;
        e.faded = future;
        // The event's own message only: a derived pickup before it is not the hop itself.
        e.emphasized = static_cast<int>(i) == newest;
        e.selected =
            in.selectedEvent >= 0 && msg.eventIndex == static_cast<size_t>(in.selectedEvent);
        e.dashed = msg.derived;
        e.color = messageColor(in, msg, future);
        e.thickness = e.emphasized                                                     ? 3.0f
                      : (in.selectedSession != 0 && msg.session == in.selectedSession) ? 2.2f
                                                                                       : 1.6f;
        float y = rowY(i);
        float xf = g.x(msg.from), xt = g.x(msg.to);
        float bar = kBarHalf * fs;
        if (msg.isSelf())
        {
            e.kind = "self";
            float x = xf + (act.depthTo[i] > 0 ? bar : 0.0f);
            e.a = {x, y - kLoopHeight * fs};
            e.b = {x, y};
        }
        else
        {
            // Arrows start and end at an activation bar's edge while the lifeline is busy.
            e.kind = "message";
            float dir = xt > xf ? 1.0f : -1.0f;
            e.a = {xf + (act.depthFrom[i] > 0 ? dir * bar : 0.0f), y};
            e.b = {xt - (act.depthTo[i] > 0 ? dir * bar : 0.0f), y};
        }
        out.edges.push_back(std::move(e));
    }

    // Notes on the rows left out of the window (the cursor moves the window).
    if (model.truncatedBefore())
    {
        float y = in.canvas.y + headH + kPad * fs - in.scrollY;
        if (y >= g.contentTop - 1.0f && y < g.bottom)
            out.labels.push_back({"\xE2\x80\xA6 " + std::to_string(model.eventsBefore) +
                                      " earlier events (move the cursor back to see them)",
                                  {g.x0, y},
                                  kNoteColor,
                                  "earlier"});
    }
    if (model.truncatedAfter())
    {
        float y = rowY(n) - kArrowAt * rowH + g.pad * 0.5f;
        if (y >= g.contentTop && y < g.bottom)
            out.labels.push_back(
                {"\xE2\x80\xA6 " + std::to_string(model.eventsAfter) + " later events",
                 {g.x0, y},
                 kNoteColor,
                 "later"});
    }
    return out;
}

}  // namespace rscope::viewer
