// WebSocketLiveSource: Emscripten's WebSocket API on the page's event loop; makeLiveSource of the
// web build.
#include "viewer/web/websocket_live_source.h"

#include <emscripten/eventloop.h>
#include <emscripten/websocket.h>

#include <algorithm>
#include <cstring>

namespace rscope::viewer
{

namespace
{
constexpr int kFirstRetryMs = 250;  // as the desktop's socket: doubles up to
constexpr int kMaxRetryMs = 2000;
constexpr unsigned short kNormalClose = 1000;

EM_BOOL onOpenCb(int, const EmscriptenWebSocketOpenEvent*, void* self)
{
    static_cast<WebSocketLiveSource*>(self)->onOpen();
    return EM_TRUE;
}

EM_BOOL onMessageCb(int, const EmscriptenWebSocketMessageEvent* e, void* self)
{
    uint32_t n = e->numBytes;
    // A text message arrives with a terminating NUL that is not part of it.
    if (e->isText && n > 0 && e->data[n - 1] == 0) --n;
    static_cast<WebSocketLiveSource*>(self)->onText(
        std::string_view(reinterpret_cast<const char*>(e->data), n));
    return EM_TRUE;
}

EM_BOOL onCloseCb(int, const EmscriptenWebSocketCloseEvent* e, void* self)
{
    static_cast<WebSocketLiveSource*>(self)->onClose(e->code, e->reason);
    return EM_TRUE;
}

void retryCb(void* self)
{
    static_cast<WebSocketLiveSource*>(self)->retry();
}
}  // namespace

std::unique_ptr<LiveSource> makeLiveSource(std::string address)
{
    return std::make_unique<WebSocketLiveSource>(std::move(address));
}

WebSocketLiveSource::WebSocketLiveSource(std::string url) : LiveSource(std::move(url)) {}

WebSocketLiveSource::~WebSocketLiveSource()
{
    stop();
}

void WebSocketLiveSource::start()
{
    if (!stopped_) return;
    stopped_ = false;
    retryMs_ = kFirstRetryMs;
    if (!emscripten_websocket_is_supported())
    {
        setLastError("this browser has no WebSocket: live watching is unavailable");
        status_.store(LiveStatus::Stopped);
        return;
    }
    connect();
}

void WebSocketLiveSource::connect()
{
    status_.store(LiveStatus::Connecting);
    lines_.reset();
    EmscriptenWebSocketCreateAttributes attrs;
    emscripten_websocket_init_create_attributes(&attrs);
    attrs.url = address_.c_str();
    attrs.createOnMainThread = EM_TRUE;
    socket_ = emscripten_websocket_new(&attrs);
    if (socket_ <= 0)
    {
        socket_ = 0;
        onClose(0, "cannot create the WebSocket (a malformed address?)");
        return;
    }
    emscripten_websocket_set_onopen_callback(socket_, this, onOpenCb);
    emscripten_websocket_set_onmessage_callback(socket_, this, onMessageCb);
    emscripten_websocket_set_onclose_callback(socket_, this, onCloseCb);
}

void WebSocketLiveSource::stop()
{
    stopped_ = true;
    if (retryTimer_ != 0) emscripten_clear_timeout(retryTimer_);
    retryTimer_ = 0;
    if (socket_ != 0)
    {
        emscripten_websocket_close(socket_, kNormalClose, "viewer closed");
        emscripten_websocket_delete(socket_);  // no callback reaches a deleted source
        socket_ = 0;
    }
    status_.store(LiveStatus::Stopped);
}

void WebSocketLiveSource::onOpen()
{
    status_.store(LiveStatus::Connected);
    retryMs_ = kFirstRetryMs;
    setLastError("");
}

void WebSocketLiveSource::onText(std::string_view bytes)
{
    std::string why = lines_.feed(bytes);
    publish(lines_);
    if (why.empty()) return;
    if (lines_.headerRefused) retryMs_ = kMaxRetryMs;  // the server will not change soon
    emscripten_websocket_close(socket_, kNormalClose, "the viewer refused the stream");
    onClose(0, why.c_str());
}

void WebSocketLiveSource::onClose(unsigned short code, const char* reason)
{
    if (socket_ != 0)
    {
        emscripten_websocket_delete(socket_);
        socket_ = 0;
    }
    if (stopped_) return;
    // The bridge closes with a reason naming the trace socket ("127.0.0.1:9600: Connection
    // refused"); a page that lost `rscope web` itself gets code 1006 and no reason.
    std::string why = reason && *reason ? reason
                      : code == 1006    ? "the bridge (rscope web) is not reachable"
                                        : "the bridge closed the connection";
    setLastError(address_ + ": " + why + "; retrying in " + std::to_string(retryMs_) + " ms");
    status_.store(LiveStatus::Retrying);
    retryTimer_ = emscripten_set_timeout(retryCb, retryMs_, this);
    retryMs_ = std::min(retryMs_ * 2, kMaxRetryMs);
}

void WebSocketLiveSource::retry()
{
    retryTimer_ = 0;
    if (!stopped_) connect();
}

bool WebSocketLiveSource::sendCommand(std::string_view line)
{
    if (socket_ == 0 || status() != LiveStatus::Connected) return false;
    std::string text(line);  // the bridge adds the newline the trace socket wants
    return emscripten_websocket_send_utf8_text(socket_, text.c_str()) == EMSCRIPTEN_RESULT_SUCCESS;
}

}  // namespace rscope::viewer
