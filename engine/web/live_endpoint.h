// The /live WebSocket on civetweb: one TraceBridge per browser connection, made when the
// handshake completes and ended when the connection closes.
// Owner: WebServer, which registers it once before its listener accepts anything.
#pragma once

struct mg_context;

namespace rscope::web
{

struct WebOptions;

// Registers /live on ctx; options must outlive ctx (the handlers read it).
void registerLiveEndpoint(mg_context* ctx, const WebOptions* options);

}  // namespace rscope::web
