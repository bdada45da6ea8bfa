// WorkerContext: what Server's in-callback API (send, close) delegates to inside a worker
// process; implemented by the PROCESS worker and the BASE worker. Owner: the worker process.
#pragma once

#include <cstdint>
#include <string_view>

namespace rscope::server
{

class WorkerContext
{
  public:
    virtual ~WorkerContext() = default;
    virtual bool send(int64_t session, std::string_view data) = 0;
    virtual bool close(int64_t session, bool reset) = 0;
    virtual int workerId() const = 0;
    // Task workers and messages (model section 10); a role that cannot do one says no.
    virtual int64_t task(std::string_view /*data*/, int /*dstWorkerId*/) { return -1; }
    virtual bool finish(std::string_view /*data*/) { return false; }
    virtual bool sendMessage(std::string_view /*data*/, int /*dstWorkerId*/) { return false; }
    virtual bool isTaskWorker() const { return false; }
};

}  // namespace rscope::server
