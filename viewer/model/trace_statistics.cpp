// Per-event bookkeeping of the statistics: totals, series samples and hop samples, plus the
// keyframes that make histogramsAt cheap.
#include "viewer/model/trace_statistics.h"

#include <algorithm>

#include "viewer/model/event_args.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

// An id from the trace indexes a vector only when it is in range (never trusted).
template <typename T>
T* slotAt(std::vector<T>& v, int index)
{
    return index >= 0 && static_cast<size_t>(index) < v.size() ? &v[index] : nullptr;
}

}  // namespace

TraceStatistics::TraceStatistics()
{
    keyframes_.emplace_back();
    taskKeyframes_.emplace_back();
}

void TraceStatistics::reset(const Topology& topology)
{
    int workers = topology.workerNum;
    // A task worker's pipe is in the list too: its worker id is no event worker's.
    for (const Pipe& p : topology.pipes)
        if (topology.taskWorkerNum <= 0 || p.worker < topology.workerNum)
            workers = std::max(workers, p.worker + 1);
    workers_.assign(static_cast<size_t>(std::max(workers, 0)), WorkerTotals{});
    reactors_.assign(static_cast<size_t>(std::max(topology.reactorNum, 0)), ReactorTotals{});
    requests_ = 0;
    processed_ = 0;
    series_.reset(0);
    channels_ = StatisticsChannels{};
    hops_.clear();
    histograms_ = HopHistograms{};
    samples_.clear();
    keyframes_.assign(1, HopHistograms{});
    tasks_.reset(topology.workerNum, topology.taskWorkerNum);
    taskSamples_.clear();
    taskKeyframes_.assign(1, tasks_);
}

void TraceStatistics::startSeries(int64_t originNs)
{
    using Kind = TimeSeries::ChannelKind;
    series_.reset(originNs);
    channels_.requests = series_.addChannel(Kind::Count);
    channels_.events = series_.addChannel(Kind::Count);
    for (size_t w = 0; w < workers_.size(); ++w)
        channels_.pipeDepth.push_back(series_.addChannel(Kind::Level));
    for (size_t r = 0; r < reactors_.size(); ++r)
    {
        channels_.bytesRead.push_back(series_.addChannel(Kind::Count));
        channels_.bytesWritten.push_back(series_.addChannel(Kind::Count));
    }
}

void TraceStatistics::extend(const TraceStore& store)
{
    if (store.size() < processed_) return;
    if (processed_ == 0 && store.size() > 0) startSeries(store[0].tsNs);
    held_ = &store.held();
    for (size_t i = processed_; i < store.size(); ++i)
    {
        apply(store[i], static_cast<uint32_t>(i));
        applyTask(store[i], static_cast<uint32_t>(i), store);
    }
    processed_ = store.size();
}

void TraceStatistics::applyTask(const Event& e, uint32_t index, const TraceStore& store)
{
    if (e.kind != EventKind::TaskDispatch &&
        !(e.kind == EventKind::CallbackExit && e.callback == CallbackId::OnTask))
        return;
    const Actor& actor = store.actorOf(e);
    trace::TaskFacts f;
    f.kind = e.kind;
    f.byTaskWorker = actor.role == Role::TaskWorker;
    if (actor.role == Role::Worker || f.byTaskWorker) f.actorWorker = actor.index;
    f.callback = e.callback;
    // The few args Event does not decode, read for these events only.
    std::string_view args = store.args(e);
    if (e.kind == EventKind::CallbackExit)
        f.durationNs = intArgIn(args, "duration_ns").value_or(-1);
    if (e.kind == EventKind::TaskDispatch) f.idle = boolArgIn(args, "idle");
    std::optional<trace::TaskSample> sample = tasks_.sampleOf(f);
    if (!sample) return;
    tasks_.add(*sample);
    taskSamples_.push_back({index, *sample});
    if (taskSamples_.size() % kKeyframeSamples == 0) taskKeyframes_.push_back(tasks_);
}

void TraceStatistics::tasksAt(size_t position, trace::TaskTally& out) const
{
    auto end =
        std::partition_point(taskSamples_.begin(), taskSamples_.end(),
                             [position](const TaskSampleAt& s) { return s.event < position; });
    size_t count = static_cast<size_t>(end - taskSamples_.begin());
    size_t k = std::min(count / kKeyframeSamples, taskKeyframes_.size() - 1);
    out = taskKeyframes_[k];
    for (size_t i = k * kKeyframeSamples; i < count; ++i) out.add(taskSamples_[i].sample);
}

void TraceStatistics::apply(const Event& e, uint32_t index)
{
    series_.add(channels_.events, e.tsNs, 1);
    switch (e.kind)
    {
        case EventKind::CallbackEnter:
            if (WorkerTotals* w = slotAt(workers_, e.worker))
                if (w->callbackDepth++ == 0) w->busySinceNs = e.tsNs;
            break;
        case EventKind::CallbackExit:
            if (WorkerTotals* w = slotAt(workers_, e.worker))
            {
                // An exit without its enter (the trace began inside the callback) adds no time.
                if (w->callbackDepth == 1)
                    w->busyNs += held_ != nullptr ? held_->activeNs(w->busySinceNs, e.tsNs)
                                                  : std::max<int64_t>(0, e.tsNs - w->busySinceNs);
                w->callbackDepth = std::max(0, w->callbackDepth - 1);
                if (e.callback == CallbackId::OnReceive)
                {
                    ++w->requests;
                    ++requests_;
                    series_.add(channels_.requests, e.tsNs, 1);
                }
            }
            break;
        case EventKind::WorkerExit:
        case EventKind::WorkerRestart:
            // The callback that was running will never return: its time is unknown, not added.
            if (WorkerTotals* w = slotAt(workers_, e.worker)) w->callbackDepth = 0;
            break;
        case EventKind::PipeWrite:
            if (e.direction == Direction::ToWorker || e.direction == Direction::ToWorkerForward)
                if (WorkerTotals* w = slotAt(workers_, e.worker))
                    series_.set(channels_.pipeDepth[e.worker], e.tsNs,
                                static_cast<double>(++w->pipeDepth));
            break;
        case EventKind::WorkerReceive:
            if (WorkerTotals* w = slotAt(workers_, e.worker))
            {
                ++w->received;
                // A message written before the trace began (a late joiner) is not counted twice
                // as missing: the depth stays at 0.
                w->pipeDepth = std::max<int64_t>(0, w->pipeDepth - 1);
                series_.set(channels_.pipeDepth[e.worker], e.tsNs,
                            static_cast<double>(w->pipeDepth));
            }
            break;
        case EventKind::ReactorRegister:
            if (ReactorTotals* r = slotAt(reactors_, e.reactor)) ++r->connections;
            break;
        case EventKind::Read:
            if (ReactorTotals* r = slotAt(reactors_, e.reactor))
            {
                uint64_t bytes = static_cast<uint64_t>(std::max(e.bytes, 0));
                ++r->reads;
                r->bytesRead += bytes;
                series_.add(channels_.bytesRead[e.reactor], e.tsNs, static_cast<double>(bytes));
            }
            break;
        case EventKind::ReactorWrite:
            if (ReactorTotals* r = slotAt(reactors_, e.reactor))
            {
                uint64_t bytes = static_cast<uint64_t>(std::max(e.bytes, 0));
                ++r->writes;
                r->bytesWritten += bytes;
                series_.add(channels_.bytesWritten[e.reactor], e.tsNs, static_cast<double>(bytes));
            }
            break;
        default:
            break;
    }
    HopSample out[HopTracker::kMaxSamplesPerEvent];
    int n = hops_.apply(e, index, out, held_);
    for (int k = 0; k < n; ++k) addSample(out[k]);
}

void TraceStatistics::addSample(const HopSample& s)
{
    histograms_[static_cast<size_t>(s.hop)].add(s.ns);
    samples_.push_back(s);
    if (samples_.size() % kKeyframeSamples == 0) keyframes_.push_back(histograms_);
}

void TraceStatistics::histogramsAt(size_t position, HopHistograms& out) const
{
    // Samples are in event order: those completed before `position` are a prefix.
    auto end = std::partition_point(samples_.begin(), samples_.end(),
                                    [position](const HopSample& s) { return s.event < position; });
    size_t count = static_cast<size_t>(end - samples_.begin());
    size_t k = std::min(count / kKeyframeSamples, keyframes_.size() - 1);
    out = keyframes_[k];
    for (size_t i = k * kKeyframeSamples; i < count; ++i)
        out[static_cast<size_t>(samples_[i].hop)].add(samples_[i].ns);
}

}  // namespace rscope::viewer
