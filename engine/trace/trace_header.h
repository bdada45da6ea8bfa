// The first line of every trace stream: format, version, settings and the live topology
// (processes, threads, pipes, listeners, current connections). The trace layer knows nothing of
// the server: the server describes itself as a Topology (a plain snapshot, taken again for every
// header so a late trace client sees the pids and connections of now).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rscope::trace
{

class TraceBuffers;
struct TraceOptions;

// What the header says about the server, in the header's own terms (traces/FORMAT.md, "Header").
struct Topology
{
    struct Settings
    {
        std::string mode = "process";  // "process" | "base"
        std::string host;
        int port = 0;
        int workerNum = 0;
        int taskWorkerNum = 0;  // their ids follow the workers': worker_num + i
        int reactorNum = 0;     // 0 in BASE mode
        int dispatchMode = 0;
        std::string protocol = "raw";  // "raw" | "eof" | "length"
        int64_t packageMaxLength = 0;
        int64_t maxRequest = 0;
        int heartbeatIdleTimeS = 0;
        int heartbeatCheckIntervalS = 0;
        int64_t socketBufferSize = 0;  // the output-buffer limits of model 3.8
        int64_t bufferOutputSize = 0;
    };
    struct Process
    {
        std::string role;  // "master" | "manager" | "worker" | "task_worker"
        int index = -1;
        int pid = 0;
        int generation = -1;  // workers only (-1: not written)
    };
    struct Pipe
    {
        int worker = 0;
        int masterFd = -1;
        int workerFd = -1;
        int reactor = -1;  // the reactor thread that reads it; -1 in BASE mode and for task workers
    };
    struct Listener
    {
        std::string host;
        int port = 0;
        int fd = -1;
    };
    struct Connection
    {
        int64_t session = 0;
        int fd = -1;
        int reactor = -1;
        std::string peer;  // "127.0.0.1:55868"
    };
    Settings settings;
    std::vector<Process> processes;
    std::vector<Pipe> pipes;
    std::vector<Listener> listeners;
    std::vector<Connection> connections;
};

// Called on the collector thread whenever a header is written; must only read state that is
// safe to read from there (atomics of the shared tables, fields fixed before the collector
// started).
using TopologySource = std::function<Topology()>;

// The header line (ending in '\n'). The threads come from the trace rings that are attached.
// replayEvents / liveFromSeq: what a late joiner gets before live events (0 and 1 for a file).
std::string buildHeaderLine(const Topology& topology, TraceBuffers& buffers,
                            const TraceOptions& options, uint64_t replayEvents = 0,
                            uint64_t liveFromSeq = 1);

}  // namespace rscope::trace
