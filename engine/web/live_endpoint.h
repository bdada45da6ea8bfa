// The /live WebSocket on civetweb: one TraceBridge per browser connection, made when the
// handshake completes and ended when the connection closes.
// Owner: WebServer, which registers it once before its listener accepts anything.
#pragma once

struct mg_context;

namespace rscope::web
{

class WebServer;

// Registers /live on ctx; server must outlive ctx (the handlers read its options).
void registerLiveEndpoint(mg_context* ctx, const WebServer* server);

}  // namespace rscope::web
