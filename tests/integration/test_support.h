// Integration-test support: run the real rscope server (as a child process or in-process via
// fork), blocking loopback clients with timeouts, and process-tree inspection.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace rscope::testing
{

// `rscope server --port 0 <args>` in its own process group; stdout is captured.
class ServerProcess
{
  public:
    explicit ServerProcess(std::vector<std::string> args);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Waits for the "listening on" line; false on timeout or early exit.
    bool start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM, then waits; returns the exit status (-1 on timeout, then SIGKILLs the group).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Everything the server printed to stdout so far (reads what is pending).
    std::string output();
    std::string stderrText() const;

    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

  private:
    std::vector<std::string> args_;
    pid_t pid_ = -1;
    int stdoutFd_ = -1;
    std::string stderrPath_;
    std::string out_;
    uint16_t port_ = 0;
};

// SIGTERM to pid, then waits up to timeout for its exit status (exit code, or 128 + signal);
// on timeout SIGKILLs its process group and returns -1. Resets *pid to -1 either way.
int terminateAndWait(pid_t* pid, std::chrono::milliseconds timeout);

// Children of pid (from /proc/PID/task/*/children).
std::vector<pid_t> childrenOf(pid_t pid);
// All descendants (children, grandchildren ...).
std::vector<pid_t> descendantsOf(pid_t pid);
bool processExists(pid_t pid);
int threadCount(pid_t pid);

// Blocking loopback client with a receive/send timeout.
class TestClient
{
  public:
    explicit TestClient(uint16_t port, int timeoutMs = 5000);
    ~TestClient();
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    bool sendAll(const std::string& data);
    // Exactly n bytes, or what arrived before EOF/timeout.
    std::string recvExact(size_t n);
    // Everything until the server closes (or timeout); *closed tells which.
    std::string recvUntilClose(bool* closed);
    // Closes with SO_LINGER 0 so the server sees a reset.
    void resetConnection();
    void close();

  private:
    int fd_ = -1;
};

// The trace socket port from the server's "listening on" line ("trace 127.0.0.1:PORT"); 0 if
// tracing is off or on a unix socket.
uint16_t traceSocketPort(const std::string& serverOutput);

// A loopback trace-socket client that reads the stream line by line and can send commands
// (traces/FORMAT.md, "Client commands").
class TraceConnection
{
  public:
    explicit TraceConnection(uint16_t port);
    ~TraceConnection();
    TraceConnection(const TraceConnection&) = delete;
    TraceConnection& operator=(const TraceConnection&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Sends text + "\n"; false if the connection is gone.
    bool sendLine(const std::string& text);
    // The next complete line (without "\n"), or "" on timeout, EOF or a closed connection.
    std::string nextLine(std::chrono::milliseconds timeout);
    void close();

  private:
    int fd_ = -1;
    std::string buf_;
};

// One article request ("hello world\n", then the reply until close) on its own thread: the
// server may be held in step mode, so nothing here may block the test. reply() is read after
// done() turns true; the destructor joins.
class ArticleRequest
{
  public:
    explicit ArticleRequest(uint16_t port)
        : thread_(
              [this, port]
              {
                  TestClient client(port, 20000);
                  if (client.sendAll("hello world\n"))
                  {
                      bool closed = false;
                      reply_ = client.recvUntilClose(&closed);
                  }
                  done_ = true;
              })
    {
    }
    ~ArticleRequest() { thread_.join(); }
    ArticleRequest(const ArticleRequest&) = delete;
    ArticleRequest& operator=(const ArticleRequest&) = delete;
    bool done() const { return done_.load(); }
    const std::string& reply() const { return reply_; }

  private:
    std::string reply_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

// Polls cond every 5 ms until true or the deadline; returns cond's last value.
bool waitUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

std::string rscopeBinary();

// `rscope <args>` with stdout and stderr to outPath and stdin from /dev/null; returns its pid
// (the caller reaps it).
pid_t spawnRscope(const std::vector<std::string>& args, const std::string& outPath);

}  // namespace rscope::testing
