// The web build's live source: a WebSocket to `rscope web`'s bridge (/live), which forwards the
// server's trace socket as text messages of whole lines and takes the step commands back. The
// browser has no threads here: the callbacks run on the page's event loop between frames, decode
// into the batch and publish at once. Reconnects by itself with backoff, like the desktop's.
// Owner: the app. Thread-safety: one thread (the page's).
#pragma once

#include <string>
#include <string_view>

#include "viewer/model/live_source.h"

namespace rscope::viewer
{

class WebSocketLiveSource final : public LiveSource
{
  public:
    // url: "ws://HOST:PORT/live" (the page's own host unless given).
    explicit WebSocketLiveSource(std::string url);
    ~WebSocketLiveSource() override;

    void start() override;
    void stop() override;
    bool sendCommand(std::string_view line) override;

    // The page's WebSocket callbacks (websocket_live_source.cpp) report here.
    void onOpen();
    void onText(std::string_view bytes);
    void onClose(unsigned short code, const char* reason);
    void retry();  // the backoff timer

  private:
    void connect();

    int socket_ = 0;  // EMSCRIPTEN_WEBSOCKET_T; 0: none
    long retryTimer_ = 0;
    int retryMs_ = 0;
    bool stopped_ = true;
    LineBatcher lines_;
};

}  // namespace rscope::viewer
