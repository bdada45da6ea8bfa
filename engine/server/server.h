// Server: the facade in swoole's shape: settings, callbacks, start(); inside callbacks send(),
// close(), connectionInfo(), bind(). Owner: the process that calls start() (it becomes the
// master); a copy lives on in every forked process. Thread-safety: configure before start();
// the in-callback API is for worker processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/unique_fd.h"
#include "engine/server/callbacks.h"
#include "engine/server/server_config.h"
#include "engine/trace/trace_header.h"

namespace rscope::trace
{
class StepGate;
class TraceBuffers;
class TraceCollector;
}  // namespace rscope::trace

namespace rscope::server
{

class SharedState;
class WorkerContext;

// One socketpair(AF_UNIX, SOCK_DGRAM) per worker (model 2.5): the reactor side reads masterEnd.
// Task workers have one too (model 10.1): senders write on masterEnd, nobody reads it.
struct WorkerPipe
{
    base::UniqueFd masterEnd;  // pipe_master: read by reactor (id % reactor_num)
    base::UniqueFd workerEnd;  // pipe_worker: read by the worker
};

class Server
{
  public:
    Server(std::string host, uint16_t port, Mode mode = Mode::Process);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    ServerConfig& settings() { return config_; }
    const ServerConfig& config() const { return config_; }
    Callbacks& on() { return callbacks_; }

    // Runs the server until SIGTERM/SIGINT (or shutdown()); returns the master's exit code.
    int start();

    // --- In callbacks (worker processes) ---
    bool send(int64_t session, std::string_view data);
    bool close(int64_t session, bool reset = false);
    std::optional<ConnectionInfo> connectionInfo(int64_t session);
    bool bind(int64_t session, int64_t uid);
    int workerId() const;
    // Event workers: hands data to a task worker (the first idle one, or dstWorkerId, a task
    // worker's id) and returns the task id (per worker, from 0), -1 on failure. onTask runs
    // there; its finish() result reaches onFinish here.
    int64_t task(std::string_view data, int dstWorkerId = -1);
    // Task workers, in onTask: sends the result to the worker that called task().
    bool finish(std::string_view data);
    // Any worker: data to worker dstWorkerId (event or task, not itself): its onPipeMessage.
    bool sendMessage(std::string_view data, int dstWorkerId);
    bool isTaskWorker() const;
    // Asks the master to stop (SIGTERM) or to reload every worker (SIGUSR1).
    void shutdown();
    void reload();

    // The bound port (known after start() bound it; useful with port 0).
    uint16_t port() const { return port_; }
    pid_t masterPid() const;
    pid_t managerPid() const;

    // --- Internal: the engine's process roles ---
    SharedState& shared() { return *shared_; }
    // nullptr when tracing is off.
    trace::TraceBuffers* traceBuffers() { return traceBuffers_.get(); }
    // nullptr unless --trace-step.
    trace::StepGate* stepGate() { return stepGate_.get(); }
    // The master's collector for the configured sinks, started; nullptr when tracing is off.
    std::unique_ptr<trace::TraceCollector> startTraceCollector();
    // The server as the trace header describes it (trace/trace_header.h).
    trace::TopologySource topologySource();
    // Event workers' pipes, then task workers' (index = worker id).
    std::vector<WorkerPipe>& pipes() { return pipes_; }
    base::UniqueFd& listenFd() { return listenFd_; }
    // The listening socket's fd number as bound, for the trace header: the collector thread
    // reads it while the master may be closing listenFd() at shutdown (TSan found that race).
    int boundListenFd() const { return boundListenFd_; }
    void setContext(WorkerContext* context) { context_ = context; }
    bool notifyConnect() const;
    bool notifyClose() const;

  private:
    int startProcessMode();
    int startBaseMode();
    void createPipes();

    ServerConfig config_;
    Callbacks callbacks_;
    std::unique_ptr<SharedState> shared_;
    std::unique_ptr<trace::TraceBuffers> traceBuffers_;
    std::unique_ptr<trace::StepGate> stepGate_;
    std::vector<WorkerPipe> pipes_;
    base::UniqueFd listenFd_;
    int boundListenFd_ = -1;  // set before the collector thread starts, never changed after
    uint16_t port_ = 0;
    WorkerContext* context_ = nullptr;  // set in worker processes
};

}  // namespace rscope::server
