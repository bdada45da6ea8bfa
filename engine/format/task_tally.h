// TaskTally: the task worker figures of a trace (docs/process-model.md section 10), counted one
// way for `rscope trace stats` and the viewer's Statistics tab: per task worker the tasks it ran
// (onTask returned) and their onTask time (callback_exit duration_ns, in the hops' histogram), per
// event worker the tasks it dispatched and whether the task worker chosen was idle or busy.
// Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/format/latency_histogram.h"
#include "engine/format/trace_event.h"

namespace rscope::trace
{

// What the tally reads of one event.
struct TaskFacts
{
    EventKind kind = EventKind::Count;
    int actorWorker = -1;                    // the emitting event or task worker's id
    bool byTaskWorker = false;               // the actor's role is task_worker
    CallbackId callback = CallbackId::None;  // callback_exit: args.callback
    int64_t durationNs = -1;                 // callback_exit: args.duration_ns
    std::optional<bool> idle;                // task_dispatch: args.idle
};

// One counted step: a task dispatched by event worker `worker`, or an onTask of `durationNs`
// that returned in task worker `worker`.
struct TaskSample
{
    enum class Type : uint8_t
    {
        Dispatch,
        OnTask,
    };
    Type type = Type::Dispatch;
    bool idle = false;  // Dispatch: the task worker chosen was idle
    int32_t worker = -1;
    int64_t durationNs = 0;
};

struct TaskWorkerFigures
{
    uint64_t tasks = 0;  // onTask callbacks that returned
    LatencyHistogram onTask;
};

struct TaskCallerFigures
{
    uint64_t dispatched = 0;
    uint64_t toIdle = 0;  // to a task worker that was idle
    uint64_t toBusy = 0;  // every task worker was busy: the task waits in a pipe
};

class TaskTally
{
  public:
    // Empty, with a row for each event worker and task worker the header names.
    void reset(int workerNum, int taskWorkerNum);

    // The sample an event contributes: task_dispatch from an event worker, callback_exit of
    // onTask in a task worker (the rules' test: role task_worker, or an id past worker_num when
    // the header has task workers). Ids out of every sane range contribute nothing.
    std::optional<TaskSample> sampleOf(const TaskFacts& facts) const;
    void add(const TaskSample& sample);
    void count(const TaskFacts& facts)
    {
        if (std::optional<TaskSample> s = sampleOf(facts)) add(*s);
    }

    int workerNum() const { return workerNum_; }
    // [i] is task worker workerNum() + i; rows beyond the header's are added as ids appear.
    const std::vector<TaskWorkerFigures>& taskWorkers() const { return taskWorkers_; }
    // [w] is event worker w.
    const std::vector<TaskCallerFigures>& callers() const { return callers_; }
    // Task workers in the header or in the trace: whether there is anything to show.
    bool hasTaskWorkers() const { return !taskWorkers_.empty(); }

  private:
    int workerNum_ = 0;
    int taskWorkerNum_ = 0;
    std::vector<TaskWorkerFigures> taskWorkers_;
    std::vector<TaskCallerFigures> callers_;
};

}  // namespace rscope::trace
