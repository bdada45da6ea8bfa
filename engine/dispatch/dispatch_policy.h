// The choice of worker for a message (model section 3.4): pure functions of the connection's
// keys, a shared round-robin counter and, for mode 3, the workers' busy flags.
#pragma once

#include <atomic>
#include <cstdint>

namespace rscope::dispatch
{

enum DispatchMode : int
{
    kRoundRobin = 1,  // shared counter % worker_num
    kFdMod = 2,       // fd % worker_num (the fd, not the session id)
    kIdleWorker = 3,  // round robin skipping BUSY workers
    kIpMod = 4,       // IPv4 address (host order) % worker_num
    kUidMod = 5,      // uid set by bind(), else fd, % worker_num
};

struct DispatchKey
{
    int fd;
    uint32_t remoteIp;  // host order
    int64_t uid;        // 0 = unbound
};

const char* dispatchModeName(int mode);

// isBusy(workerId) is asked only in mode 3. Returns a worker id in [0, workerNum).
template <typename IsBusy>
int chooseWorker(int mode, int workerNum, const DispatchKey& key, std::atomic<uint64_t>& round,
                 IsBusy&& isBusy)
{
    switch (mode)
    {
        case kRoundRobin:
            return static_cast<int>(round.fetch_add(1, std::memory_order_relaxed) % workerNum);
        case kIdleWorker:
        {
            // Up to worker_num + 1 probes, like swoole; the last probe wins if all are busy.
            int id = 0;
            for (int probe = 0; probe <= workerNum; ++probe)
            {
                id = static_cast<int>(round.fetch_add(1, std::memory_order_relaxed) % workerNum);
                if (!isBusy(id)) return id;
            }
            return id;
        }
        case kIpMod:
            return static_cast<int>(key.remoteIp % static_cast<uint32_t>(workerNum));
        case kUidMod:
            if (key.uid > 0) return static_cast<int>(key.uid % workerNum);
            return key.fd % workerNum;
        case kFdMod:
        default:
            return key.fd % workerNum;
    }
}

}  // namespace rscope::dispatch
