// ServerConfig: every setting of the server (model section 6) and its validation/defaults.
// Plain data, copied into each process at fork.
#pragma once

#include <cstdint>
#include <string>

#include "engine/protocol/frame_decoder.h"

namespace rscope::server
{

enum class Mode
{
    Process,  // SWOOLE_PROCESS: master + reactor threads + manager + workers
    Base,     // SWOOLE_BASE: every worker accepts and serves its own connections
};

struct ServerConfig
{
    std::string host = "127.0.0.1";
    uint16_t port = 9502;
    Mode mode = Mode::Process;
    int workerNum = 0;            // 0 = CPU count
    int taskWorkerNum = 0;        // task workers (model section 10); their ids follow the workers'
    int taskIpcMode = 1;          // 1 = one unix socket pair per task worker, the idle one chosen
    uint64_t taskMaxRequest = 0;  // 0 = never recycle task workers
    int reactorNum = 0;           // 0 = min(CPU count, 8); never above workerNum
    int dispatchMode = 2;         // 1 round robin, 2 fd mod, 3 idle worker, 4 ip mod, 5 uid mod
    protocol::ProtocolConfig protocol;
    uint64_t maxRequest = 0;  // 0 = never recycle workers
    int heartbeatIdleTimeS = 0;
    int heartbeatCheckIntervalS = 0;
    int maxConnection = 0;  // 0 = min(100000, RLIMIT_NOFILE)
    int backlog = 512;
    // swoole's socket_buffer_size: a connection whose output buffer holds this much when a reply
    // arrives is marked overflow, and send() to it fails until the buffer is empty (model 3.8).
    size_t socketBufferSize = 8 * 1024 * 1024;
    // swoole's buffer_output_size: the largest single send(); a bigger reply is refused.
    size_t bufferOutputSize = 2 * 1024 * 1024;
    int maxWaitTimeS = 3;  // graceful bound for worker exit and shutdown
    // SCHED_BATCH keeps server threads from preempting each other on every pipe wakeup: a
    // reactor finishes its batch before the worker it woke runs. Measured +15-25% requests/s on
    // 2 cores (docs/benchmarks.md); false = the default SCHED_OTHER behaviour.
    bool schedBatch = true;
    bool enableUnsafeEvent = false;  // keep onConnect/onClose in non-hash dispatch modes
    std::string pidFile;
    // Tracing (traces/FORMAT.md): on whenever a socket or a file is set.
    std::string traceListen = "127.0.0.1:9600";  // "host:port", "unix:PATH" or "off"
    std::string traceFile;
    bool tracePayload = true;  // 32-byte payload previews in read/frame events
    // Live step mode: a trace client may hold every traced thread after each event (StepGate).
    bool traceStep = false;
    // The stream carries payload previews and, with traceStep, lets a client pause the server:
    // a trace socket on a non-loopback address, and step commands from a non-loopback peer,
    // need this set (--trace-allow-remote).
    bool traceAllowRemote = false;
    bool tracingEnabled() const { return traceListen != "off" || !traceFile.empty(); }

    // Fills zero settings with the model's defaults and clamps (reactor_num <= worker_num,
    // package_max_length >= 64 KiB, heartbeat pairing). Call before validate().
    void applyDefaults();
    // Empty when the settings can run, else a sentence naming the bad one.
    std::string validate() const;
    // Modes 2 and 4 keep a connection on one worker, so onConnect/onClose can be delivered.
    bool isHashDispatch() const { return dispatchMode == 2 || dispatchMode == 4; }
    // The trace socket is off, a unix socket, or on a loopback address.
    bool traceListenIsLocal() const;
};

const char* modeName(Mode mode);

}  // namespace rscope::server
