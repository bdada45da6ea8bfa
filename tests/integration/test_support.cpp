// Integration-test support (see test_support.h).
#include "tests/integration/test_support.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace rscope::testing
{

std::string rscopeBinary()
{
    return RSCOPE_BINARY;
}

pid_t spawnRscope(const std::vector<std::string>& args, const std::string& outPath)
{
    // Everything exec needs is built before fork: the caller may have threads.
    std::vector<std::string> argv = {rscopeBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0)
    {
        int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = ::open("/dev/null", O_RDONLY);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        ::dup2(in, STDIN_FILENO);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    return pid;
}

ServerProcess::ServerProcess(std::vector<std::string> args) : args_(std::move(args)) {}

ServerProcess::~ServerProcess()
{
    if (pid_ > 0)
    {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (stdoutFd_ >= 0) ::close(stdoutFd_);
    if (!stderrPath_.empty()) ::unlink(stderrPath_.c_str());
}

bool ServerProcess::start(std::chrono::milliseconds timeout)
{
    int out[2];
    if (::pipe2(out, O_CLOEXEC) < 0) return false;
    char path[] = "/tmp/rscope-test-stderr-XXXXXX";
    int errFd = ::mkstemp(path);
    stderrPath_ = path;
    std::vector<std::string> argv = {rscopeBinary(), "server", "--port", "0"};
    argv.insert(argv.end(), args_.begin(), args_.end());
    pid_ = ::fork();
    if (pid_ == 0)
    {
        ::setpgid(0, 0);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(errFd, STDERR_FILENO);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    ::close(out[1]);
    ::close(errFd);
    stdoutFd_ = out[0];
    ::fcntl(stdoutFd_, F_SETFL, O_NONBLOCK);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        output();
        auto at = out_.find("listening on ");
        if (at != std::string::npos)
        {
            auto colon = out_.find(':', at);
            auto space = out_.find(' ', colon);
            if (colon != std::string::npos && space != std::string::npos)
            {
                port_ = static_cast<uint16_t>(std::stoi(out_.substr(colon + 1, space - colon - 1)));
                return true;
            }
        }
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_)
        {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

std::string ServerProcess::output()
{
    char buf[65536];
    for (;;)
    {
        ssize_t n = ::read(stdoutFd_, buf, sizeof buf);
        if (n <= 0) break;
        out_.append(buf, static_cast<size_t>(n));
    }
    return out_;
}

std::string ServerProcess::stderrText() const
{
    std::ifstream in(stderrPath_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int terminateAndWait(pid_t* pid, std::chrono::milliseconds timeout)
{
    if (*pid <= 0) return -1;
    ::kill(*pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (::waitpid(*pid, &status, WNOHANG) == *pid)
        {
            *pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(-*pid, SIGKILL);
    ::waitpid(*pid, nullptr, 0);
    *pid = -1;
    return -1;
}

int ServerProcess::stop(std::chrono::milliseconds timeout)
{
    int code = terminateAndWait(&pid_, timeout);
    output();
    return code;
}

std::vector<pid_t> childrenOf(pid_t pid)
{
    std::vector<pid_t> out;
    std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d))
    {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(dir + "/" + e->d_name + "/children");
        pid_t child;
        while (in >> child) out.push_back(child);
    }
    ::closedir(d);
    return out;
}

std::vector<pid_t> descendantsOf(pid_t pid)
{
    std::vector<pid_t> out = childrenOf(pid);
    for (size_t i = 0; i < out.size(); ++i)
        for (pid_t c : childrenOf(out[i])) out.push_back(c);
    return out;
}

bool processExists(pid_t pid)
{
    // A zombie still "exists" for kill(); look at its state instead.
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    if (!in) return false;
    std::string line;
    std::getline(in, line);
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

int threadCount(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
    return 0;
}

TestClient::TestClient(uint16_t port, int timeoutMs)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    {
        ::close(fd);
        return;
    }
    fd_ = fd;
}

TestClient::~TestClient()
{
    close();
}

void TestClient::close()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool TestClient::sendAll(const std::string& data)
{
    size_t off = 0;
    while (off < data.size())
    {
        ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

std::string TestClient::recvExact(size_t n)
{
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n)
    {
        ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
        if (r <= 0) break;
        got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
}

std::string TestClient::recvUntilClose(bool* closed)
{
    std::string out;
    char buf[65536];
    *closed = false;
    for (;;)
    {
        ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
        if (r == 0)
        {
            *closed = true;
            break;
        }
        if (r < 0) break;
        out.append(buf, static_cast<size_t>(r));
    }
    return out;
}

void TestClient::resetConnection()
{
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close();
}

uint16_t traceSocketPort(const std::string& serverOutput)
{
    auto at = serverOutput.find("trace 127.0.0.1:");
    if (at == std::string::npos) return 0;
    return static_cast<uint16_t>(std::atoi(serverOutput.c_str() + at + 16));
}

TraceConnection::TraceConnection(uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    {
        ::close(fd);
        return;
    }
    fd_ = fd;
}

TraceConnection::~TraceConnection()
{
    close();
}

void TraceConnection::close()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool TraceConnection::sendLine(const std::string& text)
{
    if (fd_ < 0) return false;
    std::string line = text + "\n";
    return ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
}

std::string TraceConnection::nextLine(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        size_t nl = buf_.find('\n');
        if (nl != std::string::npos)
        {
            std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (fd_ < 0 || left.count() <= 0) return "";
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
        char chunk[65536];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0)
        {
            close();
            return "";
        }
        buf_.append(chunk, static_cast<size_t>(n));
    }
}

bool waitUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return cond();
}

}  // namespace rscope::testing
