// One browser's live view: a thread that connects to the trace socket, forwards its stream to
// the browser as WebSocket text messages of whole lines, and forwards the browser's step
// commands back (traces/FORMAT.md section 10).
// Owner: WebServer's state for one /live connection: made in civetweb's ready handler, ended
// and destroyed in its close handler, both on civetweb's thread for that connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/base/unique_fd.h"

namespace rscope::web
{

// Close codes (RFC 6455 section 7.4.1) the bridge ends a WebSocket with.
inline constexpr uint16_t kCloseTraceSocket = 1011;  // unreachable, closed or failed
inline constexpr uint16_t kCloseLineTooLong = 1009;
inline constexpr uint16_t kCloseBrowserTooSlow = 1008;

// Where the bridge's output goes: the WebSocket. sendText runs on the bridge thread; close on
// the bridge thread or on civetweb's thread for the connection (the first close is sent).
class BrowserSink
{
  public:
    virtual ~BrowserSink() = default;
    // Blocks until the message is written; false when the browser is gone or did not take it in
    // time (civetweb's request_timeout_ms).
    virtual bool sendText(std::string_view text) = 0;
    // Sends a close frame; the browser answers it and civetweb then ends the connection.
    virtual void close(uint16_t code, std::string_view reason) = 0;
    // True once the whole web server is stopping: a failed write is then no slow browser.
    virtual bool serverStopping() const { return false; }
};

struct BridgeOptions
{
    std::string traceAddress;
    std::string peer;              // the browser's address, for messages
    bool peerIsLoopback = false;   // only then are step commands forwarded ...
    bool allowRemoteStep = false;  // ... unless `rscope web --allow-remote-step`
    int connectTimeoutMs = 3000;
};

// Thread-safety: onBrowserMessage and stop from civetweb's thread for this connection; the
// trace socket and the sink belong to the bridge thread.
class TraceBridge
{
  public:
    TraceBridge(BridgeOptions options, BrowserSink& sink);
    ~TraceBridge();  // stop()
    TraceBridge(const TraceBridge&) = delete;
    TraceBridge& operator=(const TraceBridge&) = delete;

    // Starts the bridge thread (it connects, then forwards). False if no thread could be made.
    bool start();
    // A message from the browser: a step command is queued for the trace socket, anything else
    // is dropped (one warning per connection). whole: a complete text frame, not a fragment
    // or binary (those are always dropped).
    void onBrowserMessage(std::string_view message, bool whole = true);
    // Ends the bridge thread and closes the trace socket; returns when the thread is joined.
    void stop();

  private:
    void run();
    bool forwardStream(int traceFd);
    bool sendQueuedCommands(int traceFd);
    static void signal(const base::UniqueFd& eventFd);

    BridgeOptions options_;
    BrowserSink& sink_;
    base::UniqueFd commandFd_;  // eventfd: commands queued
    base::UniqueFd stopFd_;     // eventfd: stop; apart, so a command cannot end a pending connect
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::string> commands_;  // guarded by mutex_
    // Civetweb's connection thread only: one warning each per connection.
    bool warnedRefused_ = false;
    bool warnedRemote_ = false;
};

// reason cut to what a close frame holds (123 bytes), at a UTF-8 character boundary.
std::string closeReason(std::string_view reason);

}  // namespace rscope::web
