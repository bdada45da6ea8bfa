// The live trace-socket client: a thread that connects to the server's trace socket, reads JSON
// Lines, decodes them with its own LineParser and queues the results; the GUI thread drains the
// queue at the start of each frame within a budget. Reconnects by itself with backoff.
// Owner: the GUI thread owns the object; the socket thread owns the fd and the parser.
// Thread-safety: drain(), status() and stop() are safe from the GUI thread; the queue is the only
// shared state (one mutex, held for a swap of two vectors).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "viewer/model/line_parser.h"

namespace rscope::viewer
{

class TraceStore;

enum class LiveStatus : uint8_t
{
    Connecting,
    Connected,
    Retrying,  // "disconnected, retrying": the UI shows this
    Stopped
};
const char* liveStatusName(LiveStatus s);

class LiveSource
{
  public:
    // address: "HOST:PORT" (loopback by default) or "unix:PATH".
    explicit LiveSource(std::string address);
    ~LiveSource();  // stops and joins
    LiveSource(const LiveSource&) = delete;
    LiveSource& operator=(const LiveSource&) = delete;

    void start();
    void stop();

    // Moves up to `maxLines` decoded lines into the store: a header clears the store and starts a
    // new recording (a server restart or a reconnect); events are appended; errors recorded.
    // Returns how many lines were taken; `headerSeen` set when a new header arrived.
    size_t drain(TraceStore& store, size_t maxLines, bool& headerSeen);

    LiveStatus status() const { return status_.load(std::memory_order_relaxed); }
    const std::string& address() const { return address_; }
    std::string lastError() const;
    uint64_t linesReceived() const { return linesReceived_.load(std::memory_order_relaxed); }
    size_t queued() const;  // lines waiting for the GUI thread (lag indicator)

    // Sends one command line to the server on the current connection ("hold", "step", "step 5",
    // "run": traces/FORMAT.md, "Client commands"). Any thread. False when not connected or the
    // socket would block (a command is a few bytes: the send buffer is never full of ours).
    bool sendCommand(std::string_view line);

  private:
    void run();
    void runConnections();
    // Socket thread: hands `count` decoded lines of `batch` to the GUI thread; `batch` gets spare
    // lines back (their strings keep their capacity) and count is reset.
    void publish(std::vector<ParsedLine>& batch, size_t& count);
    void setLastError(std::string message);
    // Socket thread: sleeps up to `ms`; false when stop() woke it.
    bool sleepUnlessStopped(int ms);

    std::string address_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<LiveStatus> status_{LiveStatus::Stopped};
    std::atomic<uint64_t> linesReceived_{0};
    int wakeFd_ = -1;  // eventfd that interrupts the socket thread's poll on stop()

    // The connected socket for sendCommand: published by the socket thread, which takes the lock
    // before it closes the fd, so a command never goes to a reused descriptor.
    std::mutex commandMutex_;
    int commandFd_ = -1;

    mutable std::mutex mutex_;       // guards queue_, queueCount_ and lastError_
    std::vector<ParsedLine> queue_;  // decoded lines, oldest first; past queueCount_: spares
    size_t queueCount_ = 0;
    std::string lastError_;

    // GUI thread only: the batch being drained (swapped with queue_ when used up).
    std::vector<ParsedLine> pending_;
    size_t pendingCount_ = 0;
    size_t pendingPos_ = 0;
};

}  // namespace rscope::viewer
