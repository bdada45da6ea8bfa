// TraceBuffers: anonymous shared rings, zero-filled by the kernel.
#include "engine/trace/trace_buffers.h"

#include <sys/mman.h>

#include <cerrno>
#include <new>

#include "engine/reactor/socket_ops.h"

namespace rscope::trace
{

const char* actorRoleName(ActorRole role)
{
    switch (role)
    {
        case ActorRole::Master:
            return "master";
        case ActorRole::Reactor:
            return "reactor";
        case ActorRole::Manager:
            return "manager";
        case ActorRole::Worker:
            return "worker";
        case ActorRole::TaskWorker:
            return "task_worker";
    }
    return "unknown";
}

TraceBuffers::TraceBuffers(int reactorNum, int workerNum, int taskWorkerNum)
    : reactorNum_(reactorNum),
      workerNum_(workerNum),
      ringCount_(2 + reactorNum + workerNum + taskWorkerNum)
{
    bytes_ = sizeof(Ring) * static_cast<size_t>(ringCount_);
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) reactor::dieWithErrno("mmap", "trace rings", errno);
    rings_ = static_cast<Ring*>(p);
    for (int i = 0; i < ringCount_; ++i)
    {
        RingHeader& h = rings_[i].header;
        if (i == 0)
            h.role = static_cast<uint8_t>(ActorRole::Master), h.index = -1;
        else if (i <= reactorNum)
            h.role = static_cast<uint8_t>(ActorRole::Reactor),
            h.index = static_cast<int16_t>(i - 1);
        else if (i == reactorNum + 1)
            h.role = static_cast<uint8_t>(ActorRole::Manager), h.index = -1;
        else
        {
            int id = i - reactorNum - 2;
            h.role =
                static_cast<uint8_t>(id < workerNum ? ActorRole::Worker : ActorRole::TaskWorker);
            h.index = static_cast<int16_t>(id);
        }
    }
}

TraceBuffers::~TraceBuffers()
{
    ::munmap(rings_, bytes_);
}

int TraceBuffers::ringFor(ActorRole role, int index) const
{
    switch (role)
    {
        case ActorRole::Master:
            return 0;
        case ActorRole::Reactor:
            return 1 + index;
        case ActorRole::Manager:
            return 1 + reactorNum_;
        case ActorRole::Worker:
        case ActorRole::TaskWorker:
            return 2 + reactorNum_ + index;
    }
    return 0;
}

}  // namespace rscope::trace
