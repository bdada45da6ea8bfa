// What the fault matrix's scenarios share: one scenario's outcome, the server's process tree,
// memory of a process, raw loopback sockets, and a load running beside a fault.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "engine/client/load_client.h"
#include "tests/integration/test_support.h"

namespace rscope::fault
{

// How hard to push: the full matrix (a few minutes, outside CTest) or the CTest smoke.
struct Scale
{
    bool quick = false;
    int pick(int full, int smoke) const { return quick ? smoke : full; }
    double pick(double full, double smoke) const { return quick ? smoke : full; }
};

struct Outcome
{
    std::string name;
    bool passed = false;
    bool skipped = false;
    std::string figure;  // what was measured, in a line
    std::string why;     // for a failure: the first thing that did not hold
};

// The server's processes from its "listening on" line and /proc: master, manager, workers.
struct ServerTree
{
    pid_t master = -1;
    pid_t manager = -1;
    std::vector<pid_t> workers;
    std::vector<pid_t> all() const;
};
// Waits (up to 5 s) until the manager has `workers` children: "listening on" comes before the
// manager has forked them all, and a slow build (ASan) showed a tree without workers.
ServerTree serverTree(testing::ServerProcess& server, size_t workers);

// Waits up to timeoutMs until none of pids exists any more; true if so.
bool allGone(const std::vector<pid_t>& pids, int timeoutMs);
// Resident memory of pid in kB (0 if gone).
long rssKb(pid_t pid);
// A blocking loopback TCP socket connected to port, or -1.
int connectLoopback(uint16_t port, int rcvbuf = 0);

// runLoad on a thread of its own, beside whatever fault the scenario makes.
class BackgroundLoad
{
  public:
    explicit BackgroundLoad(client::LoadOptions options);
    ~BackgroundLoad();
    BackgroundLoad(const BackgroundLoad&) = delete;
    BackgroundLoad& operator=(const BackgroundLoad&) = delete;
    // Waits for the load to end and returns its summary.
    client::LoadSummary join();

  private:
    client::LoadSummary summary_;
    std::thread thread_;
};

// One load options value for the server on port (echo replies, verified byte for byte).
client::LoadOptions echoLoad(uint16_t port, int connections, double seconds);

}  // namespace rscope::fault
