// The worker choice of every dispatch mode (model section 3.4).
#include "engine/dispatch/dispatch_policy.h"

#include <set>

#include <gtest/gtest.h>

namespace rscope::dispatch
{
namespace
{

const auto kNeverBusy = [](int) { return false; };

TEST(DispatchPolicy, FdModuloKeepsAConnectionOnOneWorker)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{13, 0x7f000001, 0};
    for (int i = 0; i < 10; ++i) EXPECT_EQ(chooseWorker(kFdMod, 4, key, round, kNeverBusy), 1);
    key.fd = 14;
    EXPECT_EQ(chooseWorker(kFdMod, 4, key, round, kNeverBusy), 2);
    EXPECT_EQ(round.load(), 0u) << "fd modulo must not touch the shared counter";
}

TEST(DispatchPolicy, RoundRobinSpreadsOneConnectionOverAllWorkers)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{13, 0, 0};
    std::vector<int> picks;
    for (int i = 0; i < 8; ++i)
        picks.push_back(chooseWorker(kRoundRobin, 4, key, round, kNeverBusy));
    EXPECT_EQ(picks, (std::vector<int>{0, 1, 2, 3, 0, 1, 2, 3}));
}

TEST(DispatchPolicy, IdleWorkerSkipsBusyWorkers)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{5, 0, 0};
    auto busy = [](int w) { return w == 0 || w == 1; };
    for (int i = 0; i < 6; ++i)
    {
        int w = chooseWorker(kIdleWorker, 4, key, round, busy);
        EXPECT_TRUE(w == 2 || w == 3) << w;
    }
}

TEST(DispatchPolicy, IdleWorkerFallsBackWhenAllAreBusy)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{5, 0, 0};
    int w = chooseWorker(kIdleWorker, 4, key, round, [](int) { return true; });
    EXPECT_GE(w, 0);
    EXPECT_LT(w, 4);
    EXPECT_EQ(round.load(), 5u) << "worker_num + 1 probes";
}

TEST(DispatchPolicy, IpModuloUsesTheHostOrderAddress)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{99, 0x7f000001, 0};  // 127.0.0.1 = 2130706433
    EXPECT_EQ(chooseWorker(kIpMod, 4, key, round, kNeverBusy), 2130706433 % 4);
    EXPECT_EQ(chooseWorker(kIpMod, 3, key, round, kNeverBusy), 2130706433 % 3);
}

TEST(DispatchPolicy, UidModuloUsesUidOnceBoundElseFd)
{
    std::atomic<uint64_t> round{0};
    DispatchKey key{7, 0, 0};
    EXPECT_EQ(chooseWorker(kUidMod, 4, key, round, kNeverBusy), 3);
    key.uid = 10;
    EXPECT_EQ(chooseWorker(kUidMod, 4, key, round, kNeverBusy), 2);
}

}  // namespace
}  // namespace rscope::dispatch
