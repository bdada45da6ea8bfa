// The fault matrix's shared pieces (fault_support.h).
#include "tests/fault/fault_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

namespace rscope::fault
{

std::vector<pid_t> ServerTree::all() const
{
    std::vector<pid_t> out = workers;
    if (manager > 0) out.push_back(manager);
    if (master > 0) out.push_back(master);
    return out;
}

ServerTree serverTree(testing::ServerProcess& server, size_t workers)
{
    ServerTree t;
    t.master = server.pid();
    testing::waitUntil(
        [&]
        {
            std::string out = server.output();
            size_t at = out.find("manager pid ");
            if (at != std::string::npos) t.manager = std::atoi(out.c_str() + at + 12);
            if (t.manager > 0) t.workers = testing::childrenOf(t.manager);
            return t.workers.size() >= workers;
        },
        std::chrono::milliseconds(5000));
    return t;
}

bool allGone(const std::vector<pid_t>& pids, int timeoutMs)
{
    return testing::waitUntil(
        [&]
        {
            for (pid_t p : pids)
                if (testing::processExists(p)) return false;
            return true;
        },
        std::chrono::milliseconds(timeoutMs));
}

long rssKb(pid_t pid)
{
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

int connectLoopback(uint16_t port, int rcvbuf)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    {
        ::close(fd);
        return -1;
    }
    return fd;
}

BackgroundLoad::BackgroundLoad(client::LoadOptions options)
    : thread_([this, options] { summary_ = client::runLoad(options); })
{
}

BackgroundLoad::~BackgroundLoad()
{
    if (thread_.joinable()) thread_.join();
}

client::LoadSummary BackgroundLoad::join()
{
    if (thread_.joinable()) thread_.join();
    return summary_;
}

client::LoadOptions echoLoad(uint16_t port, int connections, double seconds)
{
    client::LoadOptions load;
    load.port = port;
    load.connections = connections;
    load.durationS = seconds;
    return load;
}

}  // namespace rscope::fault
