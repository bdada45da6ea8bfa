// BaseWorker: a SWOOLE_BASE worker (model section 5): accepts on its own SO_REUSEPORT socket,
// reads, frames and runs the callbacks on its own connections; sends to a connection of another
// worker are forwarded over that worker's pipe. Owner: the worker process. Thread-safety: its
// only thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/base/unique_fd.h"
#include "engine/ipc/pipe_codec.h"
#include "engine/protocol/frame_decoder.h"
#include "engine/server/worker_context.h"
#include "engine/trace/events.h"

namespace rscope::reactor
{
class Channel;
class EventLoop;
class PeriodicTimer;
class SignalChannel;
}  // namespace rscope::reactor

namespace rscope::ipc
{
class PipeReader;
class PipeWriter;
}  // namespace rscope::ipc

namespace rscope::server
{

class Connection;
class Server;

class BaseWorker : public WorkerContext, private ipc::MessageSink, private protocol::FrameSink
{
  public:
    BaseWorker(Server& server, int id);
    ~BaseWorker() override;

    int run();

    bool send(int64_t session, std::string_view data) override;
    bool close(int64_t session, bool reset) override;
    int workerId() const override { return id_; }

  private:
    void onAccept();
    void onClientRead(Connection* conn);
    void onClientWrite(Connection* conn);
    void onFrame(const char* data, size_t len) override;
    void onMessage(const ipc::PipeHeader& head, const char* payload, size_t len) override;
    void deliver(Connection* conn, const char* data, size_t len);
    // Runs a user callback between callback_enter and callback_exit events, as the process
    // mode's workers do (a tutorial or the viewer reads BASE mode's callbacks the same way).
    template <typename Fn>
    void tracedCallback(trace::CallbackId id, int64_t session, int fd, Fn&& fn);
    void peerClose(Connection* conn, const char* cause);
    void closeConnection(Connection* conn, const char* reason);
    bool closeOwned(Connection* conn, bool reset);
    Connection* lookup(int64_t session);
    void forward(int owner, int64_t session, uint8_t type, const char* data, size_t len,
                 uint32_t aux);
    void checkHeartbeat();
    void stop();
    // The trace ids of a connection of this worker (its own reactor in BASE mode).
    trace::ev::Ids connIds(int64_t session, int fd) const
    {
        return {.session = session, .fd = fd, .reactor = id_, .worker = id_};
    }

    Server& server_;
    int id_;
    std::unique_ptr<reactor::EventLoop> loop_;
    std::unique_ptr<reactor::SignalChannel> signals_;
    base::UniqueFd listenFd_;
    std::unique_ptr<reactor::Channel> acceptChannel_;
    std::unique_ptr<ipc::PipeReader> reader_;
    std::unique_ptr<reactor::Channel> ownPipeChannel_;
    std::vector<std::unique_ptr<reactor::Channel>> forwardChannels_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> forwardWriters_;
    std::vector<Connection*> conns_;  // indexed by fd
    std::unique_ptr<char[]> readBuffer_;
    std::unique_ptr<reactor::PeriodicTimer> heartbeat_;
    Connection* framing_ = nullptr;
    uint64_t msgCounter_ = 0;
};

}  // namespace rscope::server
