// A browser's side of `rscope web`'s /live for tests/bench/web_bridge_bench.sh: reads the bridged
// stream for S seconds and prints one JSON line: lines, bytes, messages, trace_dropped events seen,
// and whether (and why) the bridge closed. Usage: web_live_bench WEB_PORT SECONDS
#include <civetweb.h>
#include <string.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace
{
// Written by civetweb's client thread, read by main after the run.
std::atomic<long> gLines{0};
std::atomic<long> gBytes{0};
std::atomic<long> gMessages{0};
std::atomic<long> gDropped{0};
std::atomic<bool> gClosed{false};
std::mutex gReasonMutex;
std::string gReason;  // guarded by gReasonMutex

int onData(mg_connection*, int bits, char* data, size_t length, void*)
{
    if ((bits & 0x0F) == MG_WEBSOCKET_OPCODE_TEXT)
    {
        gBytes += static_cast<long>(length);
        ++gMessages;
        std::string_view text(data, length);
        long lines = 0;
        for (char c : text) lines += c == '\n';
        gLines += lines;
        for (size_t at = text.find("\"trace_dropped\""); at != std::string_view::npos;
             at = text.find("\"trace_dropped\"", at + 1))
            ++gDropped;
    }
    else if ((bits & 0x0F) == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
    {
        std::lock_guard<std::mutex> lock(gReasonMutex);
        if (length > 2) gReason.assign(data + 2, length - 2);
        gClosed = true;
    }
    return 1;
}

void onClose(const mg_connection*, void*)
{
    gClosed = true;
}
}  // namespace

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::fprintf(stderr, "usage: web_live_bench WEB_PORT SECONDS\n");
        return 2;
    }
    mg_init_library(MG_FEATURES_WEBSOCKET);
    char error[256] = {};
    mg_connection* conn =
        mg_connect_websocket_client("127.0.0.1", std::atoi(argv[1]), 0, error, sizeof error,
                                    "/live", nullptr, onData, onClose, nullptr);
    if (conn == nullptr)
    {
        std::fprintf(stderr, "web_live_bench: /live: %s\n", error);
        return 1;
    }
    auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(std::atof(argv[2])));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long lines = gLines.load();
    long messages = gMessages.load();
    std::string reason;
    {
        std::lock_guard<std::mutex> lock(gReasonMutex);
        reason = gReason;
    }
    std::printf(
        "{\"seconds\":%.2f,\"lines\":%ld,\"bytes\":%ld,\"messages\":%ld,"
        "\"lines_per_message\":%.1f,\"trace_dropped_events\":%ld,\"closed\":%s,"
        "\"reason\":\"%s\"}\n",
        secs, lines, gBytes.load(), messages,
        messages > 0 ? static_cast<double>(lines) / messages : 0.0, gDropped.load(),
        gClosed ? "true" : "false", reason.c_str());
    mg_close_connection(conn);
    mg_exit_library();
    return 0;
}
