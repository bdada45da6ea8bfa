// Master: the master process's main thread, the main reactor (model 2.8-2.11, 3.1, 4): listen,
// accept, session ids, hand-off to reactor threads, signals, and the shutdown order.
// Owner: the master process. Thread-safety: main thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/base/unique_fd.h"

namespace rscope::reactor
{
class Channel;
class EventLoop;
class PeriodicTimer;
class SignalChannel;
}  // namespace rscope::reactor

namespace rscope::ipc
{
class PipeWriter;
}

namespace rscope::trace
{
class TraceCollector;
}

namespace rscope::server
{

class ReactorThread;
class Server;

class Master
{
  public:
    explicit Master(Server& server);
    ~Master();
    Master(const Master&) = delete;
    Master& operator=(const Master&) = delete;

    // Serves until SIGTERM/SIGINT, then shuts down in order; returns the exit code.
    int run();

  private:
    void onAccept();
    void onSignal(int signo);
    void onHousekeeping();
    void handOff(int fd, int64_t session, uint64_t flow);
    void stopServing();
    int shutdownInOrder();
    void reapManager(bool wait);
    void traceShutdown(uint8_t phase);
    uint64_t nextFlow() { return (uint64_t{0x1000} << 40) | ++flowCounter_; }

    Server& server_;
    std::unique_ptr<reactor::EventLoop> loop_;
    std::unique_ptr<reactor::Channel> acceptChannel_;
    std::unique_ptr<reactor::SignalChannel> signals_;
    std::unique_ptr<reactor::PeriodicTimer> housekeeping_;
    std::vector<std::unique_ptr<ReactorThread>> reactors_;
    std::vector<base::UniqueFd> notifyFds_;  // master ends of the reactor notify pipes
    std::vector<std::unique_ptr<reactor::Channel>> notifyChannels_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> notifyWriters_;
    std::unique_ptr<trace::TraceCollector> collector_;
    uint64_t flowCounter_ = 0;
    bool acceptPaused_ = false;
    bool managerAlive_ = true;
    int exitCode_ = 0;
};

}  // namespace rscope::server
