// civetweb's WebSocket callbacks for /live (live_endpoint.h). Each runs on civetweb's thread for
// that connection: ready, then data for each frame, then close, which joins the bridge thread.
#include "engine/web/live_endpoint.h"

#include <civetweb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/base/log.h"
#include "engine/web/browser_command.h"
#include "engine/web/trace_bridge.h"
#include "engine/web/web_server.h"

namespace rscope::web
{

namespace
{
// The bridge's writes into one civetweb connection. mg_websocket_write takes civetweb's lock
// for the connection, so the bridge thread and the connection thread (pong, close echo) never
// interleave frames.
class CivetSink : public BrowserSink
{
  public:
    CivetSink(mg_connection* conn, const WebServer& server) : conn_(conn), server_(server) {}

    bool sendText(std::string_view text) override
    {
        return mg_websocket_write(conn_, MG_WEBSOCKET_OPCODE_TEXT, text.data(), text.size()) > 0;
    }

    void close(uint16_t code, std::string_view reason) override
    {
        if (closeSent_.exchange(true)) return;
        std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
        payload += closeReason(reason);
        mg_websocket_write(conn_, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload.data(),
                           payload.size());
    }

    bool serverStopping() const override { return server_.isStopping(); }

    bool closeSent() const { return closeSent_.load(); }

  private:
    mg_connection* conn_;
    const WebServer& server_;
    std::atomic<bool> closeSent_{false};  // set by whichever thread closes first
};

// What civetweb keeps for one /live connection (its user connection data).
struct LiveConnection
{
    LiveConnection(mg_connection* conn, const WebServer& server, BridgeOptions options)
        : sink(conn, server), bridge(std::move(options), sink)
    {
    }
    CivetSink sink;
    TraceBridge bridge;  // declared after sink: stopped and destroyed first
};

int onConnect(const mg_connection*, void*)
{
    return 0;  // accept the handshake
}

void onReady(mg_connection* conn, void* cbdata)
{
    const auto& server = *static_cast<const WebServer*>(cbdata);
    const WebOptions* options = &server.options();
    const mg_request_info* ri = mg_get_request_info(conn);
    BridgeOptions bridge;
    bridge.traceAddress = options->traceAddress;
    bridge.peer = ri->remote_addr;
    bridge.peerIsLoopback = isLoopbackAddress(ri->remote_addr);
    bridge.allowRemoteStep = options->allowRemoteStep;
    auto live = std::make_unique<LiveConnection>(conn, server, std::move(bridge));
    if (!live->bridge.start()) live->sink.close(kCloseTraceSocket, "rscope web: no bridge thread");
    mg_set_user_connection_data(conn, live.release());  // onClose takes it back
}

int onData(mg_connection* conn, int bits, char* data, size_t length, void*)
{
    auto* live = static_cast<LiveConnection*>(mg_get_user_connection_data(conn));
    if (live == nullptr) return 0;
    bool fin = (bits & 0x80) != 0;
    std::string_view message(data, length);
    switch (bits & 0x0F)
    {
        case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE:
            // The browser closes (or answers our close): echo its code once, as RFC 6455 asks.
            if (!live->sink.closeSent())
                live->sink.close(
                    length >= 2 ? static_cast<uint16_t>((static_cast<unsigned char>(data[0]) << 8) |
                                                        static_cast<unsigned char>(data[1]))
                                : 1000,
                    "");
            return 0;
        case MG_WEBSOCKET_OPCODE_PING:
            mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_PONG, data, length);
            return 1;
        case MG_WEBSOCKET_OPCODE_PONG:
            return 1;
        case MG_WEBSOCKET_OPCODE_TEXT:
            live->bridge.onBrowserMessage(message, fin);
            return 1;
        default:  // binary, or a continuation: commands are short text frames
            live->bridge.onBrowserMessage(message, false);
            return 1;
    }
}

void onClose(const mg_connection* conn, void*)
{
    std::unique_ptr<LiveConnection> live(
        static_cast<LiveConnection*>(mg_get_user_connection_data(conn)));
    mg_set_user_connection_data(conn, nullptr);
    // ~LiveConnection stops and joins the bridge thread, which closes the trace socket.
}
}  // namespace

void registerLiveEndpoint(mg_context* ctx, const WebServer* server)
{
    mg_set_websocket_handler(ctx, "/live", onConnect, onReady, onData, onClose,
                             const_cast<WebServer*>(server));
}

}  // namespace rscope::web
