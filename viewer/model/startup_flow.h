// The startup call flow of process mode (model section 2, seed article's call graph): a static
// table of steps per actor, their call / fork / thread edges and the event handlers each actor
// registers, plus StartupProgress, which finds in a trace the events that light each step.
// Owner: the GUI thread (StartupProgress); the tables are constant data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

class TraceStore;

// One column of the picture: the thread or process that runs the step.
enum class StartupLane : uint8_t
{
    Reactor,  // reactor threads of the master
    Master,   // the master's main thread
    Manager,
    Worker,
    Count
};
const char* startupLaneName(StartupLane lane);  // "reactor", "master", "manager", "worker"

enum class StartupStepId : uint8_t
{
    Create,
    Start,
    Pipes,
    ForkManager,
    Listen,
    ReactorThreads,
    MainLoop,
    ManagerStart,
    SpawnWorkers,
    ManagerWait,
    WorkerLoop,
    WorkerPipe,
    ReactorInit,
    ReactorRegister,
    SpawnTaskWorkers,  // model section 10: none unless task_worker_num
    TaskWorkerLoop,
    Count
};
inline constexpr size_t kStartupStepCount = static_cast<size_t>(StartupStepId::Count);
// "No step": a dependency slot left empty, or no step lit yet.
inline constexpr StartupStepId kNoStep = StartupStepId::Count;

// How many instances a step has: one, one per worker, one per reactor thread.
enum class StepMultiplicity : uint8_t
{
    One,
    PerWorker,
    PerReactor,
    PerTaskWorker,  // lit only by task workers' events; instance = the task worker's id
};

// How events light a step.
enum class LightRule : uint8_t
{
    Event,     // each event of `kind` (or `alsoKind`) lights one instance: the step emits it
    SameAs,    // inferred: each event of `kind` lights it (the step runs in the same function,
               // just before or after the emit site)
    FirstOf,   // inferred: only the first event of `kind` or `alsoKind` (either proves it ran)
    AfterAll,  // inferred: once, at the event that completes every step of `after`
};

struct StartupStep
{
    StartupStepId id;
    const char* key;  // stable id part: "master.create"
    StartupLane lane;
    int row;                   // vertical slot: steps of one row happen at about the same time
    const char* historic;      // the swoole 1.8 function (the node's title)
    const char* historicMore;  // the call chain around it (tooltip), may be ""
    const char* ours;          // our engine's function that does it
    const char* oursIn;        // where ours is called from ("" when evident)
    const char* description;
    StepMultiplicity multiplicity;
    LightRule rule;
    EventKind kind;          // the event that lights it (Count: none)
    EventKind alsoKind;      // Event / FirstOf: a second kind (Count: none)
    StartupStepId after[2];  // AfterAll: the steps that must be complete (Count: unused)
    const char* ruleText;    // the lighting rule as the tooltip states it
};

enum class StartupEdgeKind : uint8_t
{
    Call,    // then / calls, in the same thread
    Fork,    // fork(): the child process starts here
    Thread,  // a new thread starts here
};
const char* startupEdgeKindName(StartupEdgeKind kind);  // "call", "fork", "thread"

struct StartupEdge
{
    StartupStepId from;
    StartupStepId to;
    StartupEdgeKind kind;
};

// A handler an actor's reactor runs for one fd type (the article's lists, master / thread /
// worker). Registered once `step` is lit, or at the first event of `kind` when step is Count.
struct StartupHandler
{
    StartupLane lane;
    const char* fdType;         // "SW_FD_LISTEN"
    const char* fdShort;        // "LISTEN": narrow boxes
    const char* historic;       // "swServer_master_onAccept"
    const char* historicShort;  // "onAccept": narrow boxes (the lane names the prefix)
    const char* ours;           // "Master::onAccept", "" when our engine has none
    StartupStepId step;
    EventKind kind;
    const char* note;  // when and where ours registers it
};

std::span<const StartupStep> startupSteps();  // in StartupStepId order
std::span<const StartupEdge> startupEdges();
std::span<const StartupHandler> startupHandlers();
const StartupStep& startupStep(StartupStepId id);

// How many instances the header promises (workers, reactor threads); 0 when unknown.
size_t expectedCount(StartupStepId step, const Topology& topology);

// The events of a trace that light each step, found incrementally (O(new events) per extend).
// Positions are Playback positions: events [0, position) have happened.
class StartupProgress
{
  public:
    static constexpr size_t kNone = static_cast<size_t>(-1);

    struct Lighting
    {
        size_t eventIndex = 0;
        int instance = 0;  // worker or reactor index; 0 for single steps
    };

    StartupProgress();
    void clear();
    void extend(const TraceStore& store);
    size_t processed() const { return processed_; }

    // Every lighting of a step, in event order (a restarted worker lights its steps again).
    std::span<const Lighting> lightings(StartupStepId step) const;
    bool lit(StartupStepId step, size_t position) const;
    // Distinct instances lit before `position` (a restart does not count twice).
    size_t litCount(StartupStepId step, size_t position) const;
    // Lightings before `position` beyond the first of each instance (restarts).
    size_t relitCount(StartupStepId step, size_t position) const;
    // The first event that lit the step, the newest one before `position` (kNone if none).
    size_t firstEvent(StartupStepId step) const;
    size_t lastEventBefore(StartupStepId step, size_t position) const;
    // Where a click on the step takes the cursor: the newest lighting before `position` (the
    // picture stays as it is), else its first lighting ahead (kNone when it never lights).
    size_t eventToShow(StartupStepId step, size_t position) const;

    // The newest lighting event before `position`, and whether `step` was lit by it (the glow);
    // several steps share an event when some are inferred from it.
    size_t newestEventBefore(size_t position) const;
    bool isNewest(StartupStepId step, size_t position) const;
    // The one step to name as newest: a step that emits the event wins over inferred ones,
    // then the later one in table order. Count when nothing is lit.
    StartupStepId newestStep(size_t position) const;

    // Whether the handler is registered before `position`, and at which event (kNone if not yet).
    size_t handlerEvent(size_t handlerIndex) const;
    bool handlerRegistered(size_t handlerIndex, size_t position) const;

  private:
    void light(StartupStepId step, size_t index, int instance);
    bool complete(StartupStepId step, const Topology& topology) const;
    void checkAfterAll(size_t index, const Topology& topology);

    struct StepProgress
    {
        std::vector<Lighting> lightings;
        std::vector<size_t> firsts;  // event index of each instance's first lighting, ascending
        std::vector<bool> seen;      // by instance
    };
    StepProgress steps_[kStartupStepCount];
    std::vector<size_t> handlerFirst_;  // per handler of kind rules: first event of its kind
    size_t processed_ = 0;
};

}  // namespace rscope::viewer
