// Statistics derived from the trace, extended as events arrive (a file loading in slices, a live
// session): per-worker and per-reactor totals, rates and pipe depths over time, latency
// histograms per hop and the task worker figures (trace::TaskTally, as `rscope trace stats`
// counts them), both readable at any cursor position without rescanning the trace.
// Owner: the GUI thread (ViewerApp resets and extends it with the store). Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/format/hops.h"
#include "engine/format/latency_histogram.h"
#include "engine/format/task_tally.h"
#include "viewer/model/hop_tracker.h"
#include "viewer/model/time_series.h"

namespace rscope::viewer
{

class TraceStore;
struct Topology;

// The hops' latencies: the same histograms, and so the same percentiles, as `rscope trace stats`.
using trace::HopHistograms;
using trace::LatencyHistogram;

// Event workers only: a task worker's events (its ids follow worker_num) are in TaskTally.
struct WorkerTotals
{
    uint64_t requests = 0;  // onReceive callbacks finished (callback_exit)
    uint64_t received = 0;  // messages taken from the pipe (worker_receive)
    int64_t busyNs = 0;     // outermost callback_enter -> callback_exit (nesting counted once)
    int64_t pipeDepth = 0;  // messages written to its pipe and not yet received (never < 0)
    int callbackDepth = 0;  // callbacks running now
    int64_t busySinceNs = 0;
};

struct ReactorTotals
{
    uint64_t connections = 0;  // connections it registered (reactor_register)
    uint64_t reads = 0;
    uint64_t bytesRead = 0;  // read events' bytes
    uint64_t writes = 0;
    uint64_t bytesWritten = 0;  // reactor_write events' bytes
};

// Channel ids of TraceStatistics::series(); per-worker and per-reactor vectors are indexed by
// worker / reactor.
struct StatisticsChannels
{
    size_t requests = 0;  // Count: onReceive callback_exit events (requests/s = value / width)
    size_t events = 0;    // Count: every event
    std::vector<size_t> pipeDepth;     // Level: WorkerTotals::pipeDepth over time
    std::vector<size_t> bytesRead;     // Count: bytes read per reactor
    std::vector<size_t> bytesWritten;  // Count: bytes written per reactor
};

class TraceStatistics
{
  public:
    // Cumulative histograms are kept every kKeyframeSamples hop samples: histogramsAt costs at
    // most that many adds.
    static constexpr size_t kKeyframeSamples = 2048;

    TraceStatistics();
    // Empty statistics shaped by the header (one entry per worker and reactor).
    void reset(const Topology& topology);
    // Applies the events appended since the last call: O(new events). A store that shrank (it
    // was cleared and refilled without a reset) is ignored until reset.
    void extend(const TraceStore& store);
    size_t processed() const { return processed_; }

    const std::vector<WorkerTotals>& workers() const { return workers_; }
    const std::vector<ReactorTotals>& reactors() const { return reactors_; }
    uint64_t requests() const { return requests_; }
    // The time series start at the first event (empty before it).
    const TimeSeries& series() const { return series_; }
    const StatisticsChannels& channels() const { return channels_; }

    // RequestHop latencies over every event processed, and over events [0, position) only.
    const HopHistograms& histograms() const { return histograms_; }
    void histogramsAt(size_t position, HopHistograms& out) const;
    // Every hop measured, in the order of the events that completed them.
    const std::vector<HopSample>& samples() const { return samples_; }
    size_t openFlows() const { return hops_.openFlows(); }

    // Task figures over every event processed, and over events [0, position) only (at most
    // kKeyframeSamples task samples replayed).
    const trace::TaskTally& tasks() const { return tasks_; }
    // A worker id past worker_num when the header has task workers: the tables that list event
    // workers (ArchitectureState's include every pipe's worker) leave it out.
    bool isTaskWorkerId(int id) const
    {
        return tasks_.hasTaskWorkers() && id >= tasks_.workerNum();
    }
    void tasksAt(size_t position, trace::TaskTally& out) const;

  private:
    struct TaskSampleAt
    {
        uint32_t event = 0;
        trace::TaskSample sample;
    };

    void startSeries(int64_t originNs);
    void apply(const Event& e, uint32_t index);
    void applyTask(const Event& e, uint32_t index, const TraceStore& store);
    void addSample(const HopSample& s);

    std::vector<WorkerTotals> workers_;
    std::vector<ReactorTotals> reactors_;
    uint64_t requests_ = 0;
    size_t processed_ = 0;
    TimeSeries series_;
    StatisticsChannels channels_;
    HopTracker hops_;
    const HeldTime* held_ = nullptr;  // the store's, set by extend: held time is not counted
    HopHistograms histograms_;
    std::vector<HopSample> samples_;
    std::vector<HopHistograms> keyframes_;  // keyframes_[k]: histograms of samples [0, k*N)
    trace::TaskTally tasks_;
    std::vector<TaskSampleAt> taskSamples_;
    std::vector<trace::TaskTally> taskKeyframes_;  // [k]: the tally of task samples [0, k*N)
};

}  // namespace rscope::viewer
