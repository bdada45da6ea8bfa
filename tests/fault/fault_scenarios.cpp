// The fault matrix's scenarios (fault_scenarios.h). Every wait is bounded; every server is
// stopped (ServerProcess kills its process group at the latest).
#include "tests/fault/fault_scenarios.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rscope::fault
{
namespace
{
using namespace std::chrono_literals;
using testing::ServerProcess;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

Outcome fail(Outcome o, std::string why)
{
    o.passed = false;
    o.why = std::move(why);
    return o;
}

// A fresh connection gets its echo: the server still serves.
bool stillServes(uint16_t port)
{
    testing::TestClient c(port, 3000);
    return c.connected() && c.sendAll("alive?") && c.recvExact(6) == "alive?";
}

// A directory of its own under /tmp, removed afterwards (unmounted first if a tmpfs is there).
struct ScratchDir
{
    explicit ScratchDir(const char* what)
        : path(fmt::format("/tmp/rscope-fault-{}-{}", what, ::getpid()))
    {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~ScratchDir()
    {
        if (mounted) ::umount2(path.c_str(), MNT_DETACH);
        std::filesystem::remove_all(path);
    }
    std::string path;
    bool mounted = false;
};

// The last line of a file, parsed; null JSON if it is not one.
nlohmann::json lastLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return nlohmann::json::parse(last, nullptr, false);
}

// Processes that spin on a CPU until killed: a machine as busy as the probe's.
struct BusyLoops
{
    explicit BusyLoops(int n)
    {
        for (int i = 0; i < n; ++i)
        {
            pid_t p = ::fork();
            if (p == 0)
            {
                ::alarm(60);  // never outlives a stuck matrix
                for (;;)      // a busy core: the barrier keeps the compiler from dropping the loop
                    asm volatile("" ::: "memory");
            }
            if (p > 0) pids.push_back(p);
        }
    }
    ~BusyLoops()
    {
        for (pid_t p : pids)
        {
            ::kill(p, SIGKILL);
            ::waitpid(p, nullptr, 0);
        }
    }
    std::vector<pid_t> pids;
};

Outcome workerKills(const Scale& s)
{
    Outcome o;
    o.name = "worker_sigkill";
    int kills = s.pick(20, 3);
    ServerProcess server(
        {"--handler", "echo", "--worker-num", "4", "--reactor-num", "2", "--trace-listen", "off"});
    if (!server.start()) return fail(o, "the server did not start");
    ServerTree tree = serverTree(server, 4);
    client::LoadOptions load = echoLoad(server.port(), 16, 0.2 * kills + 1.0);
    load.requestTimeoutMs = 2000;
    BackgroundLoad traffic(load);
    int restarts = 0;
    for (int k = 0; k < kills; ++k)
    {
        std::this_thread::sleep_for(150ms);
        std::vector<pid_t> before = testing::childrenOf(tree.manager);
        if (before.empty()) return fail(o, "no workers under the manager");
        pid_t victim = before[static_cast<size_t>(k) % before.size()];
        ::kill(victim, SIGKILL);
        bool replaced = testing::waitUntil(
            [&]
            {
                std::vector<pid_t> now = testing::childrenOf(tree.manager);
                return now.size() == before.size() &&
                       std::find(now.begin(), now.end(), victim) == now.end();
            },
            2000ms);
        restarts += replaced ? 1 : 0;
    }
    client::LoadSummary sum = traffic.join();
    bool serves = stillServes(server.port());
    int code = server.stop();
    o.figure = fmt::format(
        "{} kills, {} restarts, {} requests, {} errors (a request inside a "
        "killed worker is lost), stop {}",
        kills, restarts, sum.requests, sum.errors, code);
    if (restarts != kills) return fail(o, "not every killed worker was restarted");
    if (sum.errors > static_cast<uint64_t>(kills)) return fail(o, "more errors than kills");
    if (!serves) return fail(o, "the server stopped serving");
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

Outcome workerStop(const Scale& s)
{
    Outcome o;
    o.name = "worker_sigstop";
    ServerProcess server(
        {"--handler", "echo", "--worker-num", "4", "--reactor-num", "2", "--trace-listen", "off"});
    if (!server.start()) return fail(o, "the server did not start");
    ServerTree tree = serverTree(server, 4);
    if (tree.workers.empty()) return fail(o, "no workers");
    auto stopped = std::chrono::milliseconds(s.pick(1000, 300));
    client::LoadOptions load = echoLoad(server.port(), 16, s.pick(3.0, 1.5));
    load.requestTimeoutMs = 5000;
    BackgroundLoad traffic(load);
    std::this_thread::sleep_for(300ms);
    ::kill(tree.workers[0], SIGSTOP);
    std::this_thread::sleep_for(stopped);
    ::kill(tree.workers[0], SIGCONT);
    client::LoadSummary sum = traffic.join();
    int code = server.stop();
    o.figure = fmt::format("worker stopped {} ms: {} requests, {} errors, max latency {:.0f} ms",
                           stopped.count(), sum.requests, sum.errors, sum.latency.maxUs() / 1000);
    if (sum.errors != 0) return fail(o, "requests failed while a worker was stopped");
    if (sum.latency.maxUs() < static_cast<double>(stopped.count()) * 500)
        return fail(o, "no request waited for the stopped worker: the fault did not happen");
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

// SIGKILL to one of the server's own processes: everything else goes within 5 s, no orphan.
Outcome killOne(const char* name, bool master)
{
    Outcome o;
    o.name = name;
    ServerProcess server(
        {"--handler", "echo", "--worker-num", "3", "--reactor-num", "2", "--trace-listen", "off"});
    if (!server.start()) return fail(o, "the server did not start");
    ServerTree tree = serverTree(server, 3);
    std::vector<pid_t> everyone = tree.all();
    if (tree.manager <= 0 || tree.workers.size() != 3) return fail(o, "unexpected process tree");
    auto start = Clock::now();
    ::kill(master ? tree.master : tree.manager, SIGKILL);
    // The master is our child: reap it as it goes (by itself after the manager's death), never
    // with a signal to its process group, which would hide an orphan.
    int status = 0;
    bool masterExited = testing::waitUntil(
        [&] { return ::waitpid(tree.master, &status, WNOHANG) == tree.master; }, 5000ms);
    bool gone = allGone(everyone, 5000);
    double took = secondsSince(start);
    int code = !masterExited       ? -1
               : WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + WTERMSIG(status);
    std::vector<pid_t> left;
    for (pid_t p : everyone)
        if (testing::processExists(p)) left.push_back(p);
    o.figure = fmt::format("{} processes, all gone in {:.2f} s{}", everyone.size(), took,
                           master ? "" : fmt::format(", master exit status {}", code));
    if (!masterExited) return fail(o, "the master did not exit");
    if (!gone) return fail(o, fmt::format("{} processes left behind", left.size()));
    o.passed = true;
    return o;
}

Outcome sigtermWithTraceFile(const Scale& s)
{
    Outcome o;
    o.name = "sigterm_trace_file";
    ScratchDir dir("sigterm");
    std::string file = dir.path + "/trace.jsonl";
    ServerProcess server({"--handler", "echo", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "off", "--trace-file", file});
    if (!server.start()) return fail(o, "the server did not start");
    client::LoadOptions load = echoLoad(server.port(), 50, s.pick(5.0, 1.0));
    client::LoadSummary sum;
    {
        BusyLoops busy(2);  // the probe's two busy loops: the writer gets no idle CPU
        sum = client::runLoad(load);
        auto start = Clock::now();
        int code = server.stop(15000ms);
        double took = secondsSince(start);
        nlohmann::json end = lastLine(file);
        bool ended = end.is_object() && end.value("type", "") == "trace_end";
        uint64_t events = ended ? end.value("events", uint64_t{0}) : 0;
        uint64_t unwritten = ended ? end.value("unwritten", uint64_t{0}) : 0;
        o.figure = fmt::format(
            "{} requests at full load next to 2 busy loops; SIGTERM to exit "
            "{:.2f} s; {} events written, {} unwritten",
            sum.requests, took, events, unwritten);
        if (code != 0) return fail(o, fmt::format("exit status {}", code));
        if (took > 3.0 + 2.0) return fail(o, "the stop took longer than max_wait_time + 2 s");
        if (!ended) return fail(o, "the file does not end with trace_end");
        if (events == 0) return fail(o, "no events in the file");
    }
    if (sum.errors != 0) return fail(o, "client errors");
    o.passed = true;
    return o;
}

Outcome fullDisk(const Scale& s)
{
    Outcome o;
    o.name = "full_disk_trace_file";
    if (::geteuid() != 0)
    {
        o.skipped = true;
        o.figure = "skipped: mounting a tmpfs needs root";
        return o;
    }
    ScratchDir dir("disk");
    if (::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=16m") != 0)
        return fail(o, "mount tmpfs failed");
    dir.mounted = true;
    std::string file = dir.path + "/trace.jsonl";
    ServerProcess server({"--handler", "echo", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "off", "--trace-file", file});
    if (!server.start()) return fail(o, "the server did not start");
    client::LoadSummary sum = client::runLoad(echoLoad(server.port(), 20, s.pick(3.0, 1.5)));
    auto start = Clock::now();
    int code = server.stop(15000ms);
    double took = secondsSince(start);
    nlohmann::json end = lastLine(file);
    bool ended = end.is_object() && end.value("type", "") == "trace_end";
    uint64_t unwritten = ended ? end.value("unwritten", uint64_t{0}) : 0;
    o.figure = fmt::format(
        "16 MiB tmpfs: {} requests, {} errors; file {} kB ending {}, {} events "
        "unwritten; stop {:.2f} s",
        sum.requests, sum.errors, std::filesystem::file_size(file) / 1024,
        ended ? "with trace_end" : "WITHOUT trace_end", unwritten, took);
    if (sum.errors != 0) return fail(o, "the server stopped serving when the disk filled");
    if (code != 0) return fail(o, fmt::format("exit status {}", code));
    if (!ended) return fail(o, "the file does not end with trace_end");
    if (unwritten == 0) return fail(o, "the disk never filled: the fault did not happen");
    o.passed = true;
    return o;
}

Outcome slowloris(const Scale& s)
{
    Outcome o;
    o.name = "slowloris";
    int slow = s.pick(500, 50);
    ServerProcess server({"--handler", "echo", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "off", "--protocol", "eof", "--package-eof", "\\r\\n"});
    if (!server.start()) return fail(o, "the server did not start");
    std::vector<int> fds;
    for (int i = 0; i < slow; ++i)
        if (int fd = connectLoopback(server.port()); fd >= 0) fds.push_back(fd);
    std::atomic<bool> stop{false};
    std::thread trickle(
        [&]
        {
            // One byte per connection every 50 ms, never a whole packet.
            while (!stop)
            {
                for (int fd : fds) ::send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                std::this_thread::sleep_for(50ms);
            }
        });
    client::LoadOptions load = echoLoad(server.port(), 16, s.pick(3.0, 1.0));
    load.framing = client::LoadOptions::Framing::Eof;
    load.size = 64;
    client::LoadSummary sum = client::runLoad(load);
    stop = true;
    trickle.join();
    long rss = rssKb(server.pid());
    for (int fd : fds) ::close(fd);
    int code = server.stop();
    o.figure = fmt::format(
        "{} trickling connections: others did {} requests, {} errors, p99 "
        "{:.1f} ms; master {} MB",
        fds.size(), sum.requests, sum.errors, sum.latency.percentileUs(0.99) / 1000, rss / 1024);
    if (fds.size() != static_cast<size_t>(slow)) return fail(o, "could not open every connection");
    if (sum.errors != 0 || sum.requests == 0) return fail(o, "other clients were not served");
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

Outcome neverReading(const Scale& s)
{
    Outcome o;
    o.name = "never_reading_client";
    ServerProcess server({"--handler", "echo", "--worker-num", "1", "--reactor-num", "1",
                          "--trace-listen", "off", "--socket-buffer-size", "1048576"});
    if (!server.start()) return fail(o, "the server did not start");
    long before = rssKb(server.pid());
    int fd = connectLoopback(server.port(), 4096);
    if (fd < 0) return fail(o, "connect failed");
    std::string chunk(65536, 'x');
    size_t sent = 0;
    auto until = Clock::now() + std::chrono::milliseconds(s.pick(5000, 1000));
    while (Clock::now() < until)
    {
        ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    bool serves = stillServes(server.port());
    long grown = rssKb(server.pid()) - before;
    ::close(fd);
    int code = server.stop();
    std::string err = server.stderrText();
    size_t warnings = 0;
    for (size_t at = err.find("output buffer full"); at != std::string::npos;
         at = err.find("output buffer full", at + 1))
        ++warnings;
    o.figure = fmt::format(
        "{} MB sent, never read: {} warning lines, master +{} MB, others "
        "served: {}",
        sent >> 20, warnings, grown / 1024, serves ? "yes" : "no");
    if (!serves) return fail(o, "another client was not served");
    if (warnings == 0) return fail(o, "the buffer never filled: the fault did not happen");
    if (warnings > 6) return fail(o, "the log is flooded");
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

Outcome manyConnections(const Scale& s)
{
    Outcome o;
    o.name = "connections";
    int connections = s.pick(10000, 1000);
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    rlim_t want = static_cast<rlim_t>(connections) + 512;  // per process: client and server
    if (limit.rlim_cur < want)
    {
        limit.rlim_cur = std::min(want, limit.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &limit);  // the server inherits it: its max_connection too
    }
    if (limit.rlim_cur < want)
    {
        o.skipped = true;
        o.figure = fmt::format("skipped: the fd limit is {} (need {})", limit.rlim_cur, want);
        return o;
    }
    ServerProcess server(
        {"--handler", "echo", "--worker-num", "2", "--reactor-num", "2", "--trace-listen", "off"});
    if (!server.start()) return fail(o, "the server did not start");
    client::LoadOptions load = echoLoad(server.port(), connections, 0);
    load.durationS = 0;
    load.requests = static_cast<uint64_t>(connections) * 3;
    client::LoadSummary sum = client::runLoad(load);
    long rss = rssKb(server.pid());
    int code = server.stop();
    o.figure = fmt::format("{} concurrent connections: {} requests, {} errors, master {} MB",
                           connections, sum.requests, sum.errors, rss / 1024);
    if (sum.errors != 0) return fail(o, sum.firstError);
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

Outcome manyRequests(const Scale& s)
{
    Outcome o;
    o.name = "requests";
    uint64_t requests = static_cast<uint64_t>(s.pick(1'000'000, 20'000));
    ServerProcess server(
        {"--handler", "echo", "--worker-num", "2", "--reactor-num", "2", "--trace-listen", "off"});
    if (!server.start()) return fail(o, "the server did not start");
    client::LoadOptions load = echoLoad(server.port(), 100, 0);
    load.requests = requests;
    client::LoadSummary sum = client::runLoad(load);
    int code = server.stop();
    o.figure = fmt::format("{} requests, {} errors, {:.0f} requests/s, p99 {:.2f} ms", sum.requests,
                           sum.errors, sum.requestsPerSec, sum.latency.percentileUs(0.99) / 1000);
    if (sum.errors != 0 || sum.requests != requests) return fail(o, sum.firstError);
    if (code != 0) return fail(o, "SIGTERM did not exit 0");
    o.passed = true;
    return o;
}

}  // namespace

std::vector<Scenario> allScenarios()
{
    return {
        {"worker_sigkill", "SIGKILL a worker again and again under load", workerKills},
        {"worker_sigstop", "SIGSTOP a worker under load, then SIGCONT", workerStop},
        {"manager_sigkill", "SIGKILL the manager",
         [](const Scale&) { return killOne("manager_sigkill", false); }},
        {"master_sigkill", "SIGKILL the master",
         [](const Scale&) { return killOne("master_sigkill", true); }},
        {"sigterm_trace_file", "SIGTERM at full load with a trace file, CPUs busy",
         sigtermWithTraceFile},
        {"full_disk_trace_file", "the trace file's disk fills up", fullDisk},
        {"slowloris", "connections that send a byte at a time", slowloris},
        {"never_reading_client", "a client that sends and never reads", neverReading},
        {"connections", "10,000 concurrent connections", manyConnections},
        {"requests", "1,000,000 verified requests", manyRequests},
    };
}

}  // namespace rscope::fault
