// Statistics as JSON: the keys are the contract of the layout dump's readers (tests, scripts).
#include "viewer/layout/statistics_dump.h"

#include "viewer/model/trace_statistics.h"

namespace rscope::viewer
{

namespace
{

nlohmann::json channelMaxima(const TimeSeries& series, const std::vector<size_t>& channels)
{
    nlohmann::json out = nlohmann::json::array();
    for (size_t c : channels) out.push_back(series.maxValue(c));
    return out;
}

}  // namespace

nlohmann::json statisticsJson(const TraceStatistics& stats, size_t position)
{
    HopHistograms at;
    stats.histogramsAt(position, at);
    nlohmann::json hops = nlohmann::json::object();
    for (size_t h = 0; h < at.size(); ++h)
    {
        const LatencyHistogram& hist = at[h];
        hops[hopName(static_cast<RequestHop>(h))] = {{"count", hist.count()},
                                                     {"p50_ns", hist.percentileNs(50)},
                                                     {"p90_ns", hist.percentileNs(90)},
                                                     {"p99_ns", hist.percentileNs(99)},
                                                     {"max_ns", hist.maxNs()}};
    }

    nlohmann::json workers = nlohmann::json::array();
    for (size_t w = 0; w < stats.workers().size(); ++w)
    {
        const WorkerTotals& t = stats.workers()[w];
        workers.push_back({{"worker", w},
                           {"requests", t.requests},
                           {"received", t.received},
                           {"busy_ns", t.busyNs},
                           {"pipe_depth", t.pipeDepth}});
    }
    nlohmann::json reactors = nlohmann::json::array();
    for (size_t r = 0; r < stats.reactors().size(); ++r)
    {
        const ReactorTotals& t = stats.reactors()[r];
        reactors.push_back({{"reactor", r},
                            {"connections", t.connections},
                            {"reads", t.reads},
                            {"bytes_read", t.bytesRead},
                            {"writes", t.writes},
                            {"bytes_written", t.bytesWritten}});
    }

    const TimeSeries& s = stats.series();
    const StatisticsChannels& ch = stats.channels();
    bool hasSeries = s.channels() > 0;
    nlohmann::json series = {{"origin_ns", s.originNs()},
                             {"width_ns", s.widthNs()},
                             {"buckets", s.buckets()},
                             {"requests_max", hasSeries ? s.maxValue(ch.requests) : 0.0},
                             {"events_max", hasSeries ? s.maxValue(ch.events) : 0.0},
                             {"pipe_depth_max", channelMaxima(s, ch.pipeDepth)},
                             {"bytes_read_max", channelMaxima(s, ch.bytesRead)},
                             {"bytes_written_max", channelMaxima(s, ch.bytesWritten)}};

    nlohmann::json out = {{"processed", stats.processed()},
                          {"position", position},
                          {"requests", stats.requests()},
                          {"open_flows", stats.openFlows()},
                          {"hops", hops},
                          {"workers", workers},
                          {"reactors", reactors},
                          {"series", series}};
    if (!stats.tasks().hasTaskWorkers()) return out;
    trace::TaskTally tasks;
    stats.tasksAt(position, tasks);
    nlohmann::json taskWorkers = nlohmann::json::array();
    for (size_t i = 0; i < tasks.taskWorkers().size(); ++i)
    {
        const trace::TaskWorkerFigures& t = tasks.taskWorkers()[i];
        taskWorkers.push_back({{"worker", tasks.workerNum() + static_cast<int>(i)},
                               {"tasks", t.tasks},
                               {"on_task",
                                {{"count", t.onTask.count()},
                                 {"p50_ns", t.onTask.percentileNs(50)},
                                 {"p90_ns", t.onTask.percentileNs(90)},
                                 {"p99_ns", t.onTask.percentileNs(99)},
                                 {"max_ns", t.onTask.maxNs()}}}});
    }
    nlohmann::json dispatch = nlohmann::json::array();
    for (size_t w = 0; w < tasks.callers().size(); ++w)
    {
        const trace::TaskCallerFigures& c = tasks.callers()[w];
        dispatch.push_back({{"worker", w},
                            {"dispatched", c.dispatched},
                            {"to_idle", c.toIdle},
                            {"to_busy", c.toBusy}});
    }
    out["task_workers"] = taskWorkers;
    out["task_dispatch"] = dispatch;
    return out;
}

}  // namespace rscope::viewer
