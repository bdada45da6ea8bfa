// StartupProgress: finds in a trace the events that light each step of the startup tables
// (startup_flow_tables.cpp), incrementally, and answers for any cursor position.
#include "viewer/model/startup_flow.h"

#include <algorithm>
#include <iterator>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

using S = StartupStepId;
using K = EventKind;
using M = StepMultiplicity;
using R = LightRule;

// Indices beyond this come from a damaged trace: never let one size a table.
constexpr int kMaxInstance = 1024;

int instanceOf(const StartupStep& step, const Event& e, const TraceStore& store)
{
    switch (step.multiplicity)
    {
        case M::One:
            return 0;
        case M::PerWorker:
            return e.worker >= 0 ? e.worker : store.actorOf(e).index;
        case M::PerReactor:
            return e.reactor >= 0 ? e.reactor : store.actorOf(e).index;
        case M::PerTaskWorker:
            return e.worker >= 0 ? e.worker : store.actorOf(e).index;
    }
    return 0;
}

}  // namespace

StartupProgress::StartupProgress()
{
    clear();
}

void StartupProgress::clear()
{
    for (StepProgress& s : steps_) s = StepProgress{};
    handlerFirst_.assign(startupHandlers().size(), kNone);
    processed_ = 0;
}

void StartupProgress::light(StartupStepId step, size_t index, int instance)
{
    if (instance < 0 || instance >= kMaxInstance) instance = 0;
    StepProgress& s = steps_[static_cast<size_t>(step)];
    s.lightings.push_back({index, instance});
    if (static_cast<size_t>(instance) >= s.seen.size()) s.seen.resize(instance + 1, false);
    if (!s.seen[instance])
    {
        s.seen[instance] = true;
        s.firsts.push_back(index);
    }
}

// Complete = every instance the header promises has been lit; without a header, one is enough.
bool StartupProgress::complete(StartupStepId step, const Topology& topology) const
{
    size_t expected = expectedCount(step, topology);
    size_t have = steps_[static_cast<size_t>(step)].firsts.size();
    // No task workers configured: nothing to wait for (the usual server).
    if (startupStep(step).multiplicity == M::PerTaskWorker && expected == 0) return true;
    return expected > 0 ? have >= expected : have > 0;
}

void StartupProgress::checkAfterAll(size_t index, const Topology& topology)
{
    for (const StartupStep& step : startupSteps())
    {
        if (step.rule != R::AfterAll || !steps_[static_cast<size_t>(step.id)].lightings.empty())
            continue;
        bool ready = true;
        for (StartupStepId dep : step.after)
            if (dep != kNoStep && !complete(dep, topology)) ready = false;
        if (ready) light(step.id, index, 0);
    }
}

void StartupProgress::extend(const TraceStore& store)
{
    const Topology& topology = store.topology();
    for (size_t i = processed_; i < store.size(); ++i)
    {
        const Event& e = store[i];
        // Only the startup kinds, worker_restart and reactor_register light anything; the rest
        // of a long trace costs one compare per event.
        if (e.kind > K::Listen && e.kind != K::WorkerRestart && e.kind != K::ReactorRegister)
            continue;
        // A task worker's worker_start lights the task workers' steps, never the workers'.
        bool taskEvent = e.byTaskWorker;
        bool any = false;
        for (const StartupStep& step : startupSteps())
        {
            if (step.rule == R::AfterAll) continue;
            if (e.kind != step.kind && e.kind != step.alsoKind) continue;
            if (taskEvent != (step.multiplicity == M::PerTaskWorker)) continue;
            StepProgress& s = steps_[static_cast<size_t>(step.id)];
            if (step.rule == R::FirstOf && !s.lightings.empty()) continue;
            light(step.id, i, instanceOf(step, e, store));
            any = true;
        }
        for (size_t h = 0; h < startupHandlers().size(); ++h)
            if (startupHandlers()[h].kind == e.kind && handlerFirst_[h] == kNone)
                handlerFirst_[h] = i;
        if (any) checkAfterAll(i, topology);
    }
    processed_ = store.size();
}

std::span<const StartupProgress::Lighting> StartupProgress::lightings(StartupStepId step) const
{
    return steps_[static_cast<size_t>(step)].lightings;
}

bool StartupProgress::lit(StartupStepId step, size_t position) const
{
    const StepProgress& s = steps_[static_cast<size_t>(step)];
    return !s.firsts.empty() && s.firsts.front() < position;
}

size_t StartupProgress::litCount(StartupStepId step, size_t position) const
{
    const std::vector<size_t>& f = steps_[static_cast<size_t>(step)].firsts;
    return static_cast<size_t>(std::lower_bound(f.begin(), f.end(), position) - f.begin());
}

size_t StartupProgress::relitCount(StartupStepId step, size_t position) const
{
    const std::vector<Lighting>& l = steps_[static_cast<size_t>(step)].lightings;
    auto end = std::lower_bound(l.begin(), l.end(), position,
                                [](const Lighting& a, size_t p) { return a.eventIndex < p; });
    return static_cast<size_t>(end - l.begin()) - litCount(step, position);
}

size_t StartupProgress::firstEvent(StartupStepId step) const
{
    const std::vector<size_t>& f = steps_[static_cast<size_t>(step)].firsts;
    return f.empty() ? kNone : f.front();
}

size_t StartupProgress::lastEventBefore(StartupStepId step, size_t position) const
{
    const std::vector<Lighting>& l = steps_[static_cast<size_t>(step)].lightings;
    auto end = std::lower_bound(l.begin(), l.end(), position,
                                [](const Lighting& a, size_t p) { return a.eventIndex < p; });
    return end == l.begin() ? kNone : std::prev(end)->eventIndex;
}

size_t StartupProgress::eventToShow(StartupStepId step, size_t position) const
{
    size_t event = lastEventBefore(step, position);
    return event != kNone ? event : firstEvent(step);
}

size_t StartupProgress::newestEventBefore(size_t position) const
{
    size_t newest = kNone;
    for (size_t s = 0; s < kStartupStepCount; ++s)
    {
        size_t last = lastEventBefore(static_cast<StartupStepId>(s), position);
        if (last != kNone && (newest == kNone || last > newest)) newest = last;
    }
    return newest;
}

bool StartupProgress::isNewest(StartupStepId step, size_t position) const
{
    size_t newest = newestEventBefore(position);
    return newest != kNone && lastEventBefore(step, position) == newest;
}

StartupStepId StartupProgress::newestStep(size_t position) const
{
    size_t newest = newestEventBefore(position);
    if (newest == kNone) return kNoStep;
    StartupStepId best = kNoStep;
    for (const StartupStep& step : startupSteps())
    {
        if (lastEventBefore(step.id, position) != newest) continue;
        // The step whose own actor emitted the event names it best; inferred companions follow.
        if (best == kNoStep || step.rule == R::Event || startupStep(best).rule != R::Event)
            best = step.id;
    }
    return best;
}

size_t StartupProgress::handlerEvent(size_t handlerIndex) const
{
    if (handlerIndex >= startupHandlers().size()) return kNone;
    const StartupHandler& h = startupHandlers()[handlerIndex];
    if (h.step != kNoStep) return firstEvent(h.step);
    return handlerFirst_[handlerIndex];
}

bool StartupProgress::handlerRegistered(size_t handlerIndex, size_t position) const
{
    size_t at = handlerEvent(handlerIndex);
    return at != kNone && at < position;
}

}  // namespace rscope::viewer
