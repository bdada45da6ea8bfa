// What the startup picture's boxes say: step titles (historic), our function, counts and status,
// tooltips with the call chain and the lighting rule; lane titles with pids; handler boxes.
#include <algorithm>
#include <string>

#include "viewer/layout/startup_parts.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer::startup
{

namespace
{

// DejaVu Sans advance widths in ems. ImGui sizes a font by ascent - descent (2384 units) while
// advances are in 2048-unit ems, hence kEmPerPixelHeight.
constexpr float kEmPerPixelHeight = 2048.0f / 2384.0f;

float advanceEm(unsigned char c)
{
    static constexpr float kLower[26] = {
        .613f, .635f, .550f, .635f, .615f, .352f, .635f, .634f, .278f, .278f, .579f, .278f, .974f,
        .634f, .612f, .635f, .635f, .411f, .521f, .392f, .634f, .592f, .818f, .592f, .592f, .525f};
    static constexpr float kUpper[26] = {
        .684f, .686f, .698f, .770f, .632f, .575f, .775f, .752f, .295f, .295f, .656f, .557f, .863f,
        .748f, .787f, .603f, .787f, .695f, .635f, .611f, .732f, .684f, .989f, .685f, .611f, .685f};
    if (c >= 'a' && c <= 'z') return kLower[c - 'a'];
    if (c >= 'A' && c <= 'Z') return kUpper[c - 'A'];
    if (c >= '0' && c <= '9') return .636f;
    switch (c)
    {
        case ' ':
        case '.':
        case ',':
            return .318f;
        case ':':
        case ';':
        case '|':
        case '/':
            return .337f;
        case '(':
        case ')':
        case '[':
        case ']':
            return .390f;
        case '-':
            return .361f;
        case '_':
        case '*':
            return .500f;
        case '>':
        case '<':
        case '=':
            return .838f;
        default:
            return .65f;
    }
}

const char* countVerb(StartupStepId id)
{
    switch (id)
    {
        case StartupStepId::Pipes:
            return "created";
        case StartupStepId::SpawnWorkers:
        case StartupStepId::SpawnTaskWorkers:
            return "forked";
        case StartupStepId::WorkerPipe:
        case StartupStepId::ReactorRegister:
            return "registered";
        default:
            return "started";
    }
}

std::string seqText(const TraceStore* store, size_t index)
{
    if (store == nullptr || index >= store->size()) return "?";
    const Event& e = (*store)[index];
    return "seq " + std::to_string(e.seq) + " (" + trace::kindInfo(e.kind).name + ")";
}

// "2/4" for a step with several instances; "" for a single one.
std::string countText(const StartupLayoutInput& in, const StartupStep& step)
{
    if (step.multiplicity == StepMultiplicity::One) return "";
    size_t have = in.progress->litCount(step.id, in.position);
    size_t want = in.store ? expectedCount(step.id, in.store->topology()) : 0;
    if (step.multiplicity == StepMultiplicity::PerTaskWorker && want == 0 && have == 0)
        return "none";  // task_worker_num 0, the usual server
    return std::to_string(have) + "/" + (want > 0 ? std::to_string(want) : std::string("?"));
}

std::string statusText(const StartupLayoutInput& in, const StartupStep& step)
{
    bool inferred = step.rule != LightRule::Event;
    bool lit = in.progress->lit(step.id, in.position);
    std::string s;
    bool noTasks = step.multiplicity == StepMultiplicity::PerTaskWorker && in.store != nullptr &&
                   expectedCount(step.id, in.store->topology()) == 0 &&
                   in.progress->litCount(step.id, in.position) == 0;
    if (noTasks)
        s = "none: task_worker_num is 0";
    else if (step.multiplicity != StepMultiplicity::One)
    {
        s = countText(in, step) + " " + countVerb(step.id);
        size_t again = in.progress->relitCount(step.id, in.position);
        if (again > 0) s += ", " + std::to_string(again) + " again";
    }
    else
    {
        s = lit ? "done" : "pending";
    }
    if (inferred && lit) s += " (inferred)";
    return s;
}

Color lighter(Color c, int add)
{
    auto ch = [&](int shift) { return std::min(255, static_cast<int>((c >> shift) & 0xff) + add); };
    return rgba(static_cast<uint8_t>(ch(0)), static_cast<uint8_t>(ch(8)),
                static_cast<uint8_t>(ch(16)));
}

constexpr Color kPendingFill = rgba(36, 40, 48);
constexpr Color kPendingBorder = rgba(76, 82, 94);
constexpr Color kBoxFill = rgba(26, 30, 38);

}  // namespace

float textWidth(std::string_view text, float fontSize)
{
    float em = 0;
    for (size_t i = 0; i < text.size(); ++i)
    {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80)
        {
            em += advanceEm(c);
            continue;
        }
        // One non-ASCII code point (→, …, ×, ·): skip its continuation bytes, count it wide.
        while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
        em += .84f;
    }
    return em * fontSize * kEmPerPixelHeight * 1.04f;
}

std::string fitText(const std::string& text, float width, float fontSize)
{
    if (textWidth(text, fontSize) <= width) return text;
    std::string cut = text;
    while (!cut.empty() && textWidth(cut + "…", fontSize) > width)
    {
        cut.pop_back();
        // Never leave half of a UTF-8 sequence behind.
        while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80)
            cut.pop_back();
        if (!cut.empty() && static_cast<unsigned char>(cut.back()) >= 0xC0) cut.pop_back();
    }
    return cut + "…";
}

Color laneColor(StartupLane lane)
{
    switch (lane)
    {
        case StartupLane::Reactor:
            return rgba(28, 108, 116);
        case StartupLane::Master:
            return rgba(46, 86, 150);
        case StartupLane::Manager:
            return rgba(104, 70, 146);
        case StartupLane::Worker:
            return rgba(40, 112, 66);
        case StartupLane::Count:
            break;
    }
    return kPendingFill;
}

LaneText laneText(StartupLane lane, const TraceStore* store)
{
    LaneText t;
    std::vector<const Actor*> actors;
    if (store != nullptr)
        for (const Actor& a : store->topology().threads)
        {
            bool match = (lane == StartupLane::Reactor && a.role == Role::Reactor) ||
                         (lane == StartupLane::Master && a.role == Role::Master) ||
                         (lane == StartupLane::Manager && a.role == Role::Manager) ||
                         (lane == StartupLane::Worker && a.role == Role::Worker);
            if (match) actors.push_back(&a);
        }
    auto list = [&](bool tids)
    {
        std::string s;
        for (const Actor* a : actors)
            s += (s.empty() ? "" : " ") + std::to_string(tids ? a->tid : a->pid);
        return s;
    };
    std::string n = actors.empty() ? "" : " ×" + std::to_string(actors.size());
    switch (lane)
    {
        case StartupLane::Reactor:
            t.title = "reactor threads" + n;
            t.shortTitle = "reactors";
            if (!actors.empty()) t.ids = "tids " + list(true);
            t.tooltip = {"reactor threads of the master: each owns the client fds fd % reactor_num",
                         "== id and polls the pipes of workers w % reactor_num == id"};
            break;
        case StartupLane::Master:
            t.title = "master main thread";
            t.shortTitle = "master";
            if (!actors.empty()) t.ids = "pid " + list(false);
            t.tooltip = {"the master process's first thread: it forks the manager, listens,",
                         "starts the reactor threads and runs the main reactor (accept)"};
            break;
        case StartupLane::Manager:
            t.title = "manager process";
            t.shortTitle = "manager";
            if (!actors.empty()) t.ids = "pid " + list(false);
            t.tooltip = {"forked by the master before any thread exists; forks, reaps and",
                         "restarts the workers"};
            break;
        case StartupLane::Worker:
            t.title = "worker processes" + n;
            t.shortTitle = "workers";
            if (!actors.empty()) t.ids = "pids " + list(false);
            t.tooltip = {"children of the manager: each polls its own pipe and runs the user",
                         "callbacks"};
            break;
        case StartupLane::Count:
            break;
    }
    // The short ids line leaves out what the title can spare (a thread's pid, the master's tid).
    for (const Actor* a : actors)
        t.tooltip.push_back(a->name + ": pid " + std::to_string(a->pid) + ", tid " +
                            std::to_string(a->tid));
    return t;
}

NodeRecord laneNode(const StartupLayoutInput& in, StartupLane lane, bool withIds)
{
    LaneText t = laneText(lane, in.store);
    NodeRecord n;
    n.id = startupLaneNodeId(lane);
    n.role = "lane";
    n.title = t.title;
    if (withIds && !t.ids.empty()) n.lines.push_back(t.ids);
    n.tooltip = t.tooltip;
    n.fill = kBoxFill;
    n.border = lighter(laneColor(lane), 40);
    return n;
}

NodeRecord stepNode(const StartupLayoutInput& in, const StartupStep& step, int lines)
{
    NodeRecord n;
    n.id = startupStepNodeId(step.id);
    n.role = "step";
    n.title = step.historic;
    bool lit = in.progress->lit(step.id, in.position);
    n.state = lit ? "lit" : "pending";
    if (lines >= 2)
    {
        n.lines = {step.ours, statusText(in, step)};
    }
    else if (lines == 1)
    {
        // The count first: a narrow box clips the end of the line, and the count matters more.
        // Restarted instances show as "+n": the step lit again by a new worker.
        std::string count = countText(in, step);
        size_t again = in.progress->relitCount(step.id, in.position);
        if (again > 0) count += " +" + std::to_string(again);
        n.lines = {count.empty() ? std::string(step.ours) : count + "  " + step.ours};
    }
    n.fill = lit ? laneColor(step.lane) : kPendingFill;
    n.border = lit ? lighter(laneColor(step.lane), 70) : kPendingBorder;
    if (in.progress->isNewest(step.id, in.position))
        n.glow = in.progress->newestStep(in.position) == step.id ? 1.0f : 0.55f;
    size_t last = in.progress->lastEventBefore(step.id, in.position);
    n.selected =
        in.selectedEvent >= 0 && last != StartupProgress::kNone &&
        std::any_of(in.progress->lightings(step.id).begin(), in.progress->lightings(step.id).end(),
                    [&](const StartupProgress::Lighting& l) {
                        return l.eventIndex < in.position &&
                               static_cast<int64_t>(l.eventIndex) == in.selectedEvent;
                    });

    n.tooltip.push_back(std::string("swoole 1.8: ") +
                        (*step.historicMore ? step.historicMore : step.historic));
    n.tooltip.push_back(std::string("ours: ") + step.ours +
                        (*step.oursIn ? std::string(", in ") + step.oursIn : std::string()));
    n.tooltip.push_back(step.description);
    n.tooltip.push_back(std::string("lit by: ") + step.ruleText);
    n.tooltip.push_back("now: " + statusText(in, step));
    if (lit)
    {
        n.tooltip.push_back("first: " + seqText(in.store, in.progress->firstEvent(step.id)) +
                            ", newest: " + seqText(in.store, last));
        n.tooltip.push_back("click: go to the event that lit it");
    }
    else if (in.progress->firstEvent(step.id) != StartupProgress::kNone)
    {
        n.tooltip.push_back("click: jump ahead to " +
                            seqText(in.store, in.progress->firstEvent(step.id)) +
                            ", where it lights up");
    }
    return n;
}

std::string handlerText(const StartupHandler& h, HandlerForm form)
{
    switch (form)
    {
        case HandlerForm::Full:
            return std::string(h.fdType) + " → " + h.historic;
        case HandlerForm::Medium:
            return std::string(h.fdType) + " → " + h.historicShort;
        case HandlerForm::Short:
            break;
    }
    return std::string(h.fdShort) + " → " + h.historicShort;
}

NodeRecord handlerBox(const StartupLayoutInput& in, StartupLane lane)
{
    NodeRecord n;
    n.id = startupHandlerBoxId(lane);
    n.role = "handlers";
    n.title = "registers";
    n.fill = kBoxFill;
    n.border = laneColor(lane);
    auto handlers = startupHandlers();
    size_t registered = 0, total = 0;
    for (size_t i = 0; i < handlers.size(); ++i)
    {
        const StartupHandler& h = handlers[i];
        if (h.lane != lane) continue;
        ++total;
        bool on = in.progress->handlerRegistered(i, in.position);
        registered += on ? 1 : 0;
        n.tooltip.push_back(handlerText(h, HandlerForm::Full) + (on ? "" : "   (not yet)"));
        n.tooltip.push_back(std::string("    ours: ") + (*h.ours ? h.ours : "none") + "; " +
                            h.note);
        size_t at = in.progress->handlerEvent(i);
        if (on) n.tooltip.push_back("    registered by " + seqText(in.store, at));
    }
    n.state = std::to_string(registered) + "/" + std::to_string(total) + " registered";
    return n;
}

}  // namespace rscope::viewer::startup
