// The desktop's live source: a thread that connects to the server's trace socket, reads JSON
// Lines, decodes them with its own LineParser and queues the results for the GUI thread's drain.
// Reconnects by itself with backoff.
// Owner: the GUI thread owns the object; the socket thread owns the fd and the parser.
// Thread-safety: as LiveSource; sendCommand from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "viewer/model/live_source.h"

namespace rscope::viewer
{

class SocketLiveSource final : public LiveSource
{
  public:
    explicit SocketLiveSource(std::string address);
    ~SocketLiveSource() override;  // stops and joins

    void start() override;
    void stop() override;
    bool sendCommand(std::string_view line) override;

  private:
    void run();
    void runConnections();
    // Socket thread: sleeps up to `ms`; false when stop() woke it.
    bool sleepUnlessStopped(int ms);

    std::thread thread_;
    std::atomic<bool> stopping_{false};
    int wakeFd_ = -1;  // eventfd that interrupts the socket thread's poll on stop()

    // The connected socket for sendCommand: published by the socket thread, which takes the lock
    // before it closes the fd, so a command never goes to a reused descriptor.
    std::mutex commandMutex_;
    int commandFd_ = -1;
};

}  // namespace rscope::viewer
