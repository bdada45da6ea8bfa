// `rscope web`'s HTTP side: a civetweb server with the viewer's static files, the bundled
// traces and tutorials, /api/info, and the /live WebSocket that bridges to a trace socket.
// Owner: the thread that runs `rscope web` (start, stop); civetweb's threads run the handlers.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "engine/format/trace_socket.h"

struct mg_context;

namespace rscope::web
{

struct WebOptions
{
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port (port() tells which)
    std::string traceAddress = tracefile::kDefaultTraceAddress;
    std::string siteRoot;      // "": the viewer is not built; "/" says how to build it
    std::string tracesDir;     // "": /traces/ answers 404
    std::string tutorialsDir;  // "": /tutorials/ answers 404
    bool allowRemoteStep = false;
    int threads = 16;  // civetweb's; each open /live holds one for its lifetime
};

// Thread-safety: start and stop from the owning thread; the handlers only read the options.
class WebServer
{
  public:
    explicit WebServer(WebOptions options);
    ~WebServer();  // stop()
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    // Binds and starts civetweb's threads; false with *error set ("127.0.0.1:8080: why").
    bool start(std::string* error);
    // The bound port, after start.
    uint16_t port() const { return port_; }
    // Closes the listener, ends every /live bridge and joins civetweb's threads.
    void stop();
    const WebOptions& options() const { return options_; }
    // True from the start of stop(). Any thread.
    bool isStopping() const { return stopping_.load(); }

  private:
    WebOptions options_;
    mg_context* ctx_ = nullptr;
    uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
};

}  // namespace rscope::web
