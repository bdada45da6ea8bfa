// The user callback types of the server (swoole's on* events), set before start(), never per event.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rscope::server
{

class Server;

// What connectionInfo() reports; read from the shared session table (no IPC).
struct ConnectionInfo
{
    int64_t session = 0;
    int fd = -1;
    int reactorId = -1;
    std::string remoteIp;
    uint16_t remotePort = 0;
    int64_t connectTimeS = 0;
    int64_t lastRecvMs = 0;
    int64_t uid = 0;
    bool peerClosed = false;
};

// onStart / onShutdown: master main thread.
using ServerCallback = std::function<void(Server&)>;
// onWorkerStart / onWorkerStop: in each worker process.
using WorkerCallback = std::function<void(Server&, int workerId)>;
// onConnect / onClose: in the worker chosen for the session (hash dispatch modes only).
// reactorId is -1 in onClose when the server closed the connection itself.
using ConnectCallback = std::function<void(Server&, int64_t session, int reactorId)>;
using CloseCallback = std::function<void(Server&, int64_t session, int reactorId)>;
// onReceive: one frame of client data, in the worker chosen by the dispatch mode.
using ReceiveCallback =
    std::function<void(Server&, int64_t session, int reactorId, std::string_view data)>;

// onTask: in a task worker, one task() of an event worker; answer with Server::finish().
using TaskCallback =
    std::function<void(Server&, int64_t taskId, int srcWorkerId, std::string_view data)>;
// onFinish: back in the event worker that called task(), with what finish() sent.
using FinishCallback = std::function<void(Server&, int64_t taskId, std::string_view data)>;
// onPipeMessage: in the worker (event or task) that another worker's sendMessage() named.
using PipeMessageCallback = std::function<void(Server&, int srcWorkerId, std::string_view data)>;

struct Callbacks
{
    ServerCallback onStart;
    ServerCallback onShutdown;
    WorkerCallback onWorkerStart;
    WorkerCallback onWorkerStop;
    ConnectCallback onConnect;
    ReceiveCallback onReceive;
    CloseCallback onClose;
    TaskCallback onTask;
    FinishCallback onFinish;
    PipeMessageCallback onPipeMessage;
};

}  // namespace rscope::server
