// TaskWorker: a task worker process (model section 10): like swoole 1.8's, no event loop, a
// blocking read loop on its own pipe (swProcessPool_worker_loop), onTask / onPipeMessage, and
// results written back, blocking, on the calling event worker's pipe (swTaskWorker_finish).
// Owner: the task worker process. Thread-safety: its only thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/unique_fd.h"
#include "engine/ipc/pipe_codec.h"
#include "engine/server/worker_context.h"
#include "engine/trace/events.h"

namespace rscope::ipc
{
class PipeReader;
class PipeWriter;
}  // namespace rscope::ipc

namespace rscope::server
{

class Server;

class TaskWorker : public WorkerContext, private ipc::MessageSink
{
  public:
    // id: the worker id, worker_num + i.
    TaskWorker(Server& server, int id);
    ~TaskWorker() override;

    // Reads and runs tasks until SIGTERM or task_max_request; returns the exit code.
    int run();

    // A task worker talks to clients through the event worker that called task(): finish().
    bool send(int64_t session, std::string_view data) override;
    bool close(int64_t session, bool reset) override;
    int workerId() const override { return id_; }
    bool finish(std::string_view data) override;
    bool sendMessage(std::string_view data, int dstWorkerId) override;
    bool isTaskWorker() const override { return true; }

  private:
    void onMessage(const ipc::PipeHeader& head, const char* payload, size_t len) override;
    // Writes a message on worker dst's pipe_master and waits until the kernel took all of it
    // (1.8 writes blocking here: a task worker has nothing else to do). False when it was
    // dropped: dst is not running, or the task worker is stopping.
    bool writeBlocking(int dst, uint8_t type, std::string_view data, uint32_t aux,
                       trace::Direction direction);
    // Takes pending signals from the signalfd; SIGTERM ends the loop after the current task.
    void takeSignals();
    void beginExit(trace::Cause reason);
    uint64_t nextMsgId() { return (static_cast<uint64_t>(0x100 + id_) << 40) | ++msgCounter_; }

    Server& server_;
    int id_;
    base::UniqueFd signalFd_;
    std::unique_ptr<ipc::PipeReader> reader_;
    std::vector<std::unique_ptr<ipc::PipeWriter>> writers_;  // by worker id, on pipe_master
    bool exiting_ = false;
    bool inTask_ = false;  // onTask is running: finish() has a task to answer
    uint64_t msgCounter_ = 0;
    // The message being handled.
    uint64_t flowId_ = 0;
    int64_t session_ = 0;
    int64_t taskId_ = 0;
    int srcWorker_ = -1;
    bool callbackRan_ = false;
};

}  // namespace rscope::server
