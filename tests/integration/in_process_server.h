// InProcessServer: forks a child that runs server::Server with test callbacks, so tests can
// count callbacks across all server processes through a shared-memory Counters block.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace rscope::server
{
class Server;
}

namespace rscope::testing
{

struct Counters
{
    std::atomic<int> connects;
    std::atomic<int> receives;
    std::atomic<int> closes;
    std::atomic<int> closesByServer;  // onClose with reactorId -1
    std::atomic<int> workerStarts;
    std::atomic<int> workerPid[64];  // by worker id, set in onWorkerStart
    std::atomic<int> receivesByWorker[64];
    std::atomic<int> connectWorkerOfFd[4096];  // worker id + 1 that got onConnect, by fd
};

class InProcessServer
{
  public:
    using Configure = std::function<void(server::Server&, Counters*)>;
    explicit InProcessServer(Configure configure);
    ~InProcessServer();
    InProcessServer(const InProcessServer&) = delete;
    InProcessServer& operator=(const InProcessServer&) = delete;

    bool start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    Counters* counters() { return counters_; }

  private:
    Configure configure_;
    Counters* counters_;
    pid_t pid_ = -1;
    uint16_t port_ = 0;
};

}  // namespace rscope::testing
