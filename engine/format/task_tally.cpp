// TaskTally: which events count, and the rows they land in.
#include "engine/format/task_tally.h"

#include <algorithm>

#include "engine/format/trace_limits.h"

namespace rscope::trace
{

void TaskTally::reset(int workerNum, int taskWorkerNum)
{
    workerNum_ = std::clamp(workerNum, 0, kMaxWorkerNum);
    taskWorkerNum_ = std::clamp(taskWorkerNum, 0, kMaxWorkerNum);
    taskWorkers_.assign(static_cast<size_t>(taskWorkerNum_), TaskWorkerFigures{});
    callers_.assign(static_cast<size_t>(workerNum_), TaskCallerFigures{});
}

std::optional<TaskSample> TaskTally::sampleOf(const TaskFacts& f) const
{
    if (f.actorWorker < 0 || f.actorWorker >= 2 * kMaxWorkerNum) return std::nullopt;
    bool inTaskWorker = f.byTaskWorker || (taskWorkerNum_ > 0 && f.actorWorker >= workerNum_);
    TaskSample s;
    s.worker = f.actorWorker;
    if (f.kind == EventKind::TaskDispatch && !inTaskWorker)
    {
        s.type = TaskSample::Type::Dispatch;
        s.idle = f.idle.value_or(false);
        return s;
    }
    // A task worker numbered below worker_num contradicts the header: no row to put it in.
    if (f.kind == EventKind::CallbackExit && f.callback == CallbackId::OnTask && inTaskWorker &&
        f.actorWorker >= workerNum_)
    {
        s.type = TaskSample::Type::OnTask;
        s.durationNs = std::max<int64_t>(0, f.durationNs);
        return s;
    }
    return std::nullopt;
}

void TaskTally::add(const TaskSample& s)
{
    if (s.type == TaskSample::Type::Dispatch)
    {
        size_t w = static_cast<size_t>(s.worker);
        if (w >= callers_.size()) callers_.resize(w + 1);
        TaskCallerFigures& c = callers_[w];
        ++c.dispatched;
        ++(s.idle ? c.toIdle : c.toBusy);
        return;
    }
    size_t i = static_cast<size_t>(s.worker - workerNum_);
    if (i >= taskWorkers_.size()) taskWorkers_.resize(i + 1);
    TaskWorkerFigures& t = taskWorkers_[i];
    ++t.tasks;
    t.onTask.add(s.durationNs);
}

}  // namespace rscope::trace
