// `rscope server`: CLI11 options onto ServerConfig, a demo handler, then Server::start().
#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>

#include "engine/base/log.h"
#include "engine/cli/commands.h"
#include "engine/server/handlers.h"
#include "engine/server/server.h"

namespace rscope::cli
{

namespace
{
struct ServerOptions
{
    server::ServerConfig config;
    std::string mode = "process";
    std::string handler = "article";
    std::string protocol = "raw";
    std::string lengthType = "N";
    std::string sched = "batch";
    std::string tracePayload = "preview";
};
}  // namespace

void addServerCommand(CLI::App& app)
{
    auto opts = std::make_shared<ServerOptions>();
    server::ServerConfig& c = opts->config;
    CLI::App* cmd = app.add_subcommand(
        "server", "Run the process-mode TCP server (master, reactor threads, manager, workers)");
    cmd->add_option("--host", c.host, "Address to listen on")->capture_default_str();
    cmd->add_option("--port", c.port, "TCP port (0 = any free port)")->capture_default_str();
    cmd->add_option("--mode", opts->mode, "process (SWOOLE_PROCESS) or base (SWOOLE_BASE)")
        ->check(CLI::IsMember({"process", "base"}))
        ->capture_default_str();
    cmd->add_option("--worker-num", c.workerNum, "Event workers (default: CPU count)");
    cmd->add_option("--task-worker-num", c.taskWorkerNum,
                    "Task workers forked by the manager (ids worker-num .. worker-num + N - 1)")
        ->capture_default_str();
    cmd->add_option("--task-ipc-mode", c.taskIpcMode,
                    "1: a unix socket pair per task worker, the first idle one chosen (swoole's "
                    "default; its message-queue modes 2 and 3 are not built)")
        ->capture_default_str();
    cmd->add_option("--task-max-request", c.taskMaxRequest,
                    "Recycle a task worker after N tasks (0 = off)")
        ->capture_default_str();
    cmd->add_option("--reactor-num", c.reactorNum,
                    "Reactor threads (default: min(CPU count, 8), at most worker-num)");
    cmd->add_option("--dispatch-mode", c.dispatchMode,
                    "1 round robin, 2 fd modulo, 3 idle worker, 4 IP modulo, 5 uid modulo")
        ->check(CLI::Range(1, 5))
        ->capture_default_str();
    cmd->add_option("--handler", opts->handler,
                    "article, echo, sleep:MS, task:MS (needs --task-worker-num) or message")
        ->capture_default_str();
    cmd->add_option("--protocol", opts->protocol,
                    "Framing: raw (none), eof (split on --package-eof), length (length field)")
        ->check(CLI::IsMember({"raw", "eof", "length"}))
        ->capture_default_str();
    cmd->add_option("--package-eof", c.protocol.packageEof,
                    "Delimiter for --protocol eof (C escapes allowed, e.g. '\\r\\n')");
    cmd->add_option("--package-length-type", opts->lengthType,
                    "pack() code of the length field: c C s S n v i I l L N V q Q")
        ->capture_default_str();
    cmd->add_option("--package-length-offset", c.protocol.lengthOffset,
                    "Byte offset of the length field")
        ->capture_default_str();
    cmd->add_option("--package-body-offset", c.protocol.bodyOffset,
                    "Packet length = body offset + length field")
        ->capture_default_str();
    cmd->add_option("--package-max-length", c.protocol.maxLength,
                    "Largest packet; a bigger one closes only its connection (min 65536)")
        ->capture_default_str();
    cmd->add_option("--socket-buffer-size", c.socketBufferSize,
                    "Output queued per connection before send() fails (swoole's "
                    "socket_buffer_size); the connection stays open")
        ->capture_default_str();
    cmd->add_option("--buffer-output-size", c.bufferOutputSize,
                    "Largest single send(); a bigger reply is refused (swoole's "
                    "buffer_output_size)")
        ->capture_default_str();
    cmd->add_option("--max-request", c.maxRequest, "Recycle a worker after N requests (0 = off)")
        ->capture_default_str();
    cmd->add_option("--max-connection", c.maxConnection,
                    "Connection table size (default: min(100000, ulimit -n))");
    cmd->add_option("--heartbeat-idle-time", c.heartbeatIdleTimeS,
                    "Close a connection idle for S seconds");
    cmd->add_option("--heartbeat-check-interval", c.heartbeatCheckIntervalS,
                    "Check idle connections every S seconds");
    cmd->add_option("--max-wait-time", c.maxWaitTimeS, "Seconds a worker gets to exit gracefully")
        ->capture_default_str();
    cmd->add_option("--sched", opts->sched,
                    "Scheduling policy of the server's threads: batch (fewer preemptions, more "
                    "throughput) or normal")
        ->check(CLI::IsMember({"batch", "normal"}))
        ->capture_default_str();
    cmd->add_flag("--enable-unsafe-event", c.enableUnsafeEvent,
                  "Deliver onConnect/onClose in non-hash dispatch modes (1, 3, 5)");
    cmd->add_option("--pid-file", c.pidFile, "Write the master pid here");
    cmd->add_option("--trace-listen", c.traceListen,
                    "Trace socket: host:port, unix:PATH, or off (JSON Lines, traces/FORMAT.md)")
        ->capture_default_str();
    cmd->add_option("--trace-file", c.traceFile, "Also record the trace to this JSON Lines file");
    cmd->add_flag("--trace-step", c.traceStep,
                  "Live step mode: a trace client that sends `hold` pauses every traced thread "
                  "after each event until it sends `step` (traces/FORMAT.md, Client commands)");
    cmd->add_flag("--trace-allow-remote", c.traceAllowRemote,
                  "Allow --trace-listen on a non-loopback address and step commands from "
                  "non-loopback peers (the stream carries payload previews; `hold` pauses the "
                  "server)");
    cmd->add_option("--trace-payload", opts->tracePayload,
                    "preview: up to 32 escaped payload bytes in read/frame events; none: no bytes")
        ->check(CLI::IsMember({"preview", "none"}))
        ->capture_default_str();

    cmd->callback(
        [opts]
        {
            server::ServerConfig& config = opts->config;
            config.mode = opts->mode == "base" ? server::Mode::Base : server::Mode::Process;
            if (opts->protocol == "eof")
                config.protocol.protocol = protocol::Protocol::Eof;
            else if (opts->protocol == "length")
                config.protocol.protocol = protocol::Protocol::Length;
            if (opts->lengthType.size() != 1)
            {
                RS_ERROR("--package-length-type must be one pack() code letter");
                std::exit(2);
            }
            config.protocol.lengthType = opts->lengthType[0];
            config.schedBatch = opts->sched == "batch";
            config.tracePayload = opts->tracePayload == "preview";
            config.protocol.packageEof = unescape(config.protocol.packageEof);
            server::Server srv(config.host, config.port, config.mode);
            srv.settings() = config;
            std::string bad = server::installHandler(srv, opts->handler);
            if (!bad.empty())
            {
                RS_ERROR("{}", bad);
                std::exit(2);
            }
            std::exit(srv.start());
        });
}

}  // namespace rscope::cli
