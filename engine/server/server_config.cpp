// ServerConfig defaults and validation, following swoole's Server::create/start_check clamps.
#include "engine/server/server_config.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include <climits>
#include <fmt/format.h>

#include "engine/format/trace_limits.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::server
{

namespace
{
// Heartbeat settings are seconds that the reactor threads and BASE workers turn into a timer's
// milliseconds with an int multiplication (seconds * 1000): a week keeps that far inside an
// int, and is far beyond any useful heartbeat.
constexpr int kMaxHeartbeatS = 7 * 24 * 3600;

int cpuCount()
{
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}
}  // namespace

const char* modeName(Mode mode)
{
    return mode == Mode::Process ? "process" : "base";
}

void ServerConfig::applyDefaults()
{
    int cpus = cpuCount();
    if (workerNum <= 0) workerNum = cpus;
    if (reactorNum <= 0) reactorNum = std::min(cpus, 8);
    reactorNum = std::min(reactorNum, workerNum);
    if (maxConnection <= 0)
    {
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        rlim_t soft = limit.rlim_cur == RLIM_INFINITY ? 100000 : limit.rlim_cur;
        maxConnection = static_cast<int>(std::min<rlim_t>(100000, soft));
    }
    // swoole raises package_max_length to at least 64 KiB (Server::start_check).
    protocol.maxLength = std::max<uint32_t>(protocol.maxLength, 64 * 1024);
    if (heartbeatIdleTimeS > 0 && heartbeatCheckIntervalS <= 0)
        heartbeatCheckIntervalS = std::max(1, heartbeatIdleTimeS / 2);
    // Doubled in 64 bits: an int overflow here would come before validate() can refuse it.
    if (heartbeatCheckIntervalS > 0 && heartbeatIdleTimeS <= 0)
        heartbeatIdleTimeS =
            static_cast<int>(std::min<int64_t>(int64_t{heartbeatCheckIntervalS} * 2, INT_MAX));
}

bool ServerConfig::traceListenIsLocal() const
{
    if (traceListen == "off" || traceListen.rfind("unix:", 0) == 0) return true;
    size_t colon = traceListen.rfind(':');
    std::string traceHost = colon == std::string::npos ? traceListen : traceListen.substr(0, colon);
    return reactor::isLoopbackHost(traceHost);
}

std::string ServerConfig::validate() const
{
    if (workerNum < 1 || workerNum > trace::kMaxWorkerNum)
        return fmt::format("worker_num must be between 1 and {}", trace::kMaxWorkerNum);
    if (reactorNum < 1 || reactorNum > workerNum)
        return "reactor_num must be between 1 and worker_num";
    if (dispatchMode < 1 || dispatchMode > 5) return "dispatch_mode must be 1, 2, 3, 4 or 5";
    if (taskWorkerNum < 0 || taskWorkerNum > trace::kMaxWorkerNum)
        return fmt::format("task_worker_num must be between 0 and {}", trace::kMaxWorkerNum);
    // Modes 2 and 3 are System V message queues in swoole (model 10.2); only the default is built.
    if (taskIpcMode != 1)
        return "task_ipc_mode must be 1 (a unix socket pair per task worker, the idle one "
               "chosen); swoole's message-queue modes 2 and 3 are not built";
    if (taskWorkerNum > 0 && mode != Mode::Process)
        return "task workers need process mode here (--mode process); BASE mode runs none";
    if (maxConnection < 16) return "max_connection must be at least 16";
    if (maxWaitTimeS < 1) return "max_wait_time must be at least 1 second";
    if (socketBufferSize < 1) return "socket_buffer_size must be at least 1 byte";
    // A reply travels with a 32-bit length (model 3.5), so no send() can be bigger anyway.
    if (bufferOutputSize < 1 || bufferOutputSize > UINT32_MAX)
        return fmt::format("buffer_output_size must be between 1 and {} bytes", UINT32_MAX);
    if (heartbeatCheckIntervalS < 0 || heartbeatCheckIntervalS > kMaxHeartbeatS)
        return fmt::format("heartbeat_check_interval must be between 0 (off) and {} seconds",
                           kMaxHeartbeatS);
    if (heartbeatIdleTimeS < 0 || heartbeatIdleTimeS > kMaxHeartbeatS)
        return fmt::format("heartbeat_idle_time must be between 0 (off) and {} seconds",
                           kMaxHeartbeatS);
    if (traceStep && traceListen == "off")
        return "trace_step needs a trace socket (trace_listen is off): the steps come through it";
    if (!traceListenIsLocal() && !traceAllowRemote)
        return fmt::format(
            "--trace-listen {}: not a loopback address; the trace stream carries payload "
            "previews and step commands can pause the server, so anyone who can reach it could "
            "read or freeze it. Use 127.0.0.1:PORT or unix:PATH, or pass --trace-allow-remote",
            traceListen);
    return protocol.validate();
}

}  // namespace rscope::server
