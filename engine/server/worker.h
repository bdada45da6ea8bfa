// Worker: a PROCESS-mode event worker: one loop on its pipe end, the user callbacks, replies
// back over the pipe of the session's reactor (model 2.7, 3.6, 3.7, 3.9).
// Owner: the worker process. Thread-safety: its only thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/ipc/pipe_codec.h"
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

class Server;
struct SessionSlot;

class Worker : public WorkerContext, private ipc::MessageSink
{
  public:
    Worker(Server& server, int id);
    ~Worker() override;

    // Runs the loop until SIGTERM or max_request; returns the exit code.
    int run();

    bool send(int64_t session, std::string_view data) override;
    bool close(int64_t session, bool reset) override;
    int workerId() const override { return id_; }
    int64_t task(std::string_view data, int dstWorkerId) override;
    bool sendMessage(std::string_view data, int dstWorkerId) override;

  private:
    void onMessage(const ipc::PipeHeader& head, const char* payload, size_t len) override;
    void onReceive(const ipc::PipeHeader& head, const char* payload, size_t len);
    void onPeerClosed(const ipc::PipeHeader& head);
    bool closeAsOwner(int64_t session, SessionSlot* slot, bool reset);
    int ownerOf(SessionSlot* slot) const;
    void sendToReactor(int64_t session, const SessionSlot& slot, uint8_t type, const char* data,
                       size_t len, uint32_t aux);
    void beginExit(const char* reason);
    void traceDiscard(int64_t session, trace::Cause reason, size_t len);
    void traceCloseRequest(int64_t session, const SessionSlot& slot, bool reset, int owner,
                           bool forwarded);
    // Runs a user callback between callback_enter / callback_exit events.
    template <typename Fn>
    void runCallback(trace::CallbackId id, int64_t session, Fn&& fn)
    {
        callbackRan_ = true;
        trace::ev::callback({.session = session, .worker = id_, .flow = flowId_}, id,
                            std::forward<Fn>(fn));
    }
    void checkExit();
    // Task worker for the next task (1.8's swProcessPool_schedule): the first idle one from a
    // shared round-robin start, else the start itself. idle: whether it was idle.
    int chooseTaskWorker(bool* idle);
    // A message to worker dst (event or task) on its pipe_master: tasks and sendMessage.
    bool writeToWorker(int dst, uint8_t type, std::string_view data, uint32_t aux);
    uint64_t nextMsgId() { return (static_cast<uint64_t>(0x100 + id_) << 40) | ++msgCounter_; }

    Server& server_;
    int id_;
    std::unique_ptr<reactor::EventLoop> loop_;
    std::unique_ptr<reactor::SignalChannel> signals_;
    std::unique_ptr<ipc::PipeReader> reader_;
    // Replies go out on workers[i].pipe_worker (delivered to the reactor reading pipe_master);
    // forwarded closes on workers[i].pipe_master (delivered to worker i).
    std::vector<std::unique_ptr<reactor::Channel>> workerEndChannels_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> replyWriters_;
    std::vector<std::unique_ptr<reactor::Channel>> masterEndChannels_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> forwardWriters_;
    // Tasks and messages to task worker worker_num + i, on its pipe_master.
    std::vector<std::unique_ptr<reactor::Channel>> taskChannels_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> taskWriters_;
    std::vector<ipc::PipeWriter*> dirtyWriters_;  // reply writers holding a batch
    std::unique_ptr<reactor::PeriodicTimer> exitTimer_;
    int64_t exitDeadlineMs_ = 0;
    bool exiting_ = false;
    uint64_t msgCounter_ = 0;
    uint64_t flowId_ = 0;       // flow of the message being handled, stamped on replies
    int64_t session_ = 0;       // session of the message being handled, carried by its tasks
    int64_t taskCounter_ = 0;   // task ids: per process from 0, as swoole's
    bool callbackRan_ = false;  // the current message reached a callback (or a discard)
};

}  // namespace rscope::server
