// civetweb's context for `rscope web` and its HTTP routes (web_server.h): the viewer's files,
// /traces/, /tutorials/, /api/info; /live is live_endpoint.cpp's.
#include "engine/web/web_server.h"

#include <civetweb.h>

#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/base/log.h"
#include "engine/format/trace_event.h"
#include "engine/web/live_endpoint.h"
#include "engine/web/static_files.h"

namespace rscope::web
{

namespace
{
constexpr std::string_view kNotBuiltPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>Reactorscope</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The web viewer is not built</h1>
<p><code>rscope web</code> found no <code>build-web/site</code> folder. Build it from the source
tree with</p>
<pre>bash scripts/build-web.sh</pre>
<p>then restart <code>rscope web</code> (or point <code>--root</code> at the folder). The live
bridge (<code>/live</code>), <code>/api/info</code>, <code>/traces/</code> and
<code>/tutorials/</code> work already.</p>
</body></html>
)";

void sendBody(mg_connection* conn, const char* mimeType, std::string_view body)
{
    mg_send_http_ok(conn, mimeType, static_cast<long long>(body.size()));
    if (std::strcmp(mg_get_request_info(conn)->request_method, "HEAD") != 0)
        mg_write(conn, body.data(), body.size());
}

int sendInfo(mg_connection* conn, const WebOptions& options)
{
    nlohmann::json info = {
        {"trace", options.traceAddress},
        {"version", fmt::format("{}.{}", trace::kFormatMajor, trace::kFormatMinor)},
        {"format", trace::kFormatName},
        {"root_found", !options.siteRoot.empty()},
        {"live", "/live"},
    };
    sendBody(conn, "application/json", info.dump());
    return 200;
}

// Sends dir/relative, or 403/404 when the path leaves dir or names no file.
int sendFile(mg_connection* conn, const std::string& dir, std::string_view relative)
{
    if (dir.empty())
    {
        mg_send_http_error(conn, 404, "%s", "Not found");
        return 404;
    }
    ResolvedFile file = resolveUnder(dir, relative);
    switch (file.check)
    {
        case FileCheck::Forbidden:
            mg_send_http_error(conn, 403, "%s", "Forbidden: the path leaves the served folder");
            return 403;
        case FileCheck::NotFound:
            mg_send_http_error(conn, 404, "%s", "Not found");
            return 404;
        case FileCheck::Ok:
            break;
    }
    // scripts/build-web.sh puts FILE.gz beside the large files (wasm, data: 11 MB raw, 3.6 MB
    // gzip). civetweb only falls back to FILE.gz when FILE is missing, so the choice is made
    // here: the gzip copy to a browser that takes gzip, with FILE's type.
    const char* accept = mg_get_header(conn, "Accept-Encoding");
    if (accept != nullptr && std::strstr(accept, "gzip") != nullptr)
    {
        ResolvedFile gz = resolveUnder(dir, std::string(relative) + ".gz");
        if (gz.check == FileCheck::Ok)
        {
            mg_send_mime_file2(conn, gz.path.c_str(), mimeTypeFor(file.path),
                               "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
            return 200;
        }
    }
    // civetweb answers HEAD, Range and If-Modified-Since.
    mg_send_mime_file2(conn, file.path.c_str(), mimeTypeFor(file.path), nullptr);
    return 200;
}

int onRequest(mg_connection* conn, void* cbdata)
{
    const auto& options = *static_cast<const WebOptions*>(cbdata);
    const mg_request_info* ri = mg_get_request_info(conn);
    if (std::strcmp(ri->request_method, "GET") != 0 && std::strcmp(ri->request_method, "HEAD") != 0)
    {
        mg_send_http_error(conn, 405, "%s", "rscope web is read-only: GET and HEAD only");
        return 405;
    }
    // The decoded path as sent: civetweb's local_uri has `..` already folded away, which would
    // hide a traversal attempt from resolveUnder instead of refusing it.
    std::string_view uri = ri->local_uri_raw != nullptr ? ri->local_uri_raw : ri->local_uri;
    if (uri == "/api/info") return sendInfo(conn, options);
    for (auto [prefix, dir] :
         {std::pair<std::string_view, const std::string*>{"/traces/", &options.tracesDir},
          {"/tutorials/", &options.tutorialsDir}})
        if (uri.starts_with(prefix)) return sendFile(conn, *dir, uri.substr(prefix.size()));
    std::string_view relative = uri.substr(uri.starts_with('/') ? 1 : 0);
    if (relative.empty()) relative = "index.html";
    if (options.siteRoot.empty() && relative == "index.html")
    {
        sendBody(conn, "text/html; charset=utf-8", kNotBuiltPage);
        return 200;
    }
    return sendFile(conn, options.siteRoot, relative);
}

int onLogMessage(const mg_connection*, const char* message)
{
    RS_WARN("web: civetweb: {}", message);
    return 1;
}
}  // namespace

WebServer::WebServer(WebOptions options) : options_(std::move(options)) {}

WebServer::~WebServer()
{
    stop();
}

bool WebServer::start(std::string* error)
{
    if (mg_check_feature(MG_FEATURES_WEBSOCKET) == 0)
    {
        *error = "this civetweb library was built without WebSocket support";
        return false;
    }
    mg_init_library(MG_FEATURES_WEBSOCKET);
    std::string ports = fmt::format("{}:{}", options_.host, options_.port);
    std::string threads = std::to_string(options_.threads);
    // request_timeout_ms also bounds each write to a browser: a tab that does not read for 10 s
    // has its /live closed ("browser too slow") instead of holding the bridge forever.
    const char* config[] = {"listening_ports",
                            ports.c_str(),
                            "num_threads",
                            threads.c_str(),
                            "request_timeout_ms",
                            "10000",
                            "enable_keep_alive",
                            "yes",
                            nullptr};
    mg_callbacks callbacks{};
    callbacks.log_message = onLogMessage;
    mg_init_data init{};
    init.callbacks = &callbacks;
    init.configuration_options = config;
    mg_error_data errorData{};
    char errorText[256] = {};
    errorData.text = errorText;
    errorData.text_buffer_size = sizeof errorText;
    ctx_ = mg_start2(&init, &errorData);
    if (ctx_ == nullptr)
    {
        *error = fmt::format("{}: {}", ports, errorText[0] != '\0' ? errorText : "civetweb failed");
        mg_exit_library();
        return false;
    }
    // civetweb looks handlers up per request; these are in before the URL is printed.
    mg_set_request_handler(ctx_, "/", onRequest, &options_);
    registerLiveEndpoint(ctx_, this);
    mg_server_port listening[4]{};
    if (mg_get_server_ports(ctx_, 4, listening) > 0)
        port_ = static_cast<uint16_t>(listening[0].port);
    return true;
}

void WebServer::stop()
{
    if (ctx_ == nullptr) return;
    stopping_.store(true);
    // mg_stop ends every connection: the /live read loops see the stop flag, their close
    // handlers join the bridges; then civetweb joins its own threads.
    mg_stop(ctx_);
    ctx_ = nullptr;
    mg_exit_library();
}

}  // namespace rscope::web
