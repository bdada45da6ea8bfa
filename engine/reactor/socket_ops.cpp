// Syscall wrappers for sockets and signals (see socket_ops.h).
#include "engine/reactor/socket_ops.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "engine/base/log.h"

namespace rscope::reactor
{

bool makeAddress(const std::string& host, uint16_t port, sockaddr_in* out)
{
    *out = sockaddr_in{};
    out->sin_family = AF_INET;
    out->sin_port = htons(port);
    const char* text = host == "localhost" ? "127.0.0.1" : host.c_str();
    return ::inet_pton(AF_INET, text, &out->sin_addr) == 1;
}

bool isLoopbackHost(const std::string& host)
{
    if (host == "localhost" || host == "::1" || host == "[::1]") return true;
    in_addr v4{};
    return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

bool isLoopbackPeer(int fd)
{
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) < 0) return false;
    if (peer.ss_family == AF_UNIX) return true;
    if (peer.ss_family == AF_INET)
        return (ntohl(reinterpret_cast<sockaddr_in*>(&peer)->sin_addr.s_addr) >> 24) == 127;
    if (peer.ss_family == AF_INET6)
    {
        const in6_addr& a = reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
        return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
    }
    return false;
}

std::string addressText(const sockaddr_in& addr)
{
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr.sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(addr.sin_port));
}

int bindTcp(const std::string& host, uint16_t port, bool reusePort, const char** what)
{
    sockaddr_in addr;
    if (!makeAddress(host, port, &addr))
    {
        *what = "inet_pton";
        return -EINVAL;
    }
    base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid())
    {
        *what = "socket";
        return -errno;
    }
    int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
    {
        *what = "setsockopt(SO_REUSEADDR)";
        return -errno;
    }
    if (reusePort && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
    {
        *what = "setsockopt(SO_REUSEPORT)";
        return -errno;
    }
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    {
        *what = "bind";
        return -errno;
    }
    return fd.release();
}

int listenFd(int fd, int backlog)
{
    return ::listen(fd, backlog) < 0 ? -errno : 0;
}

uint16_t localPort(int fd)
{
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return 0;
    return ntohs(addr.sin_port);
}

int acceptConnection(int listenFd, sockaddr_in* peer)
{
    for (;;)
    {
        socklen_t len = sizeof *peer;
        int fd = ::accept4(listenFd, reinterpret_cast<sockaddr*>(peer), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) return fd;
        if (errno == EINTR) continue;
        return -errno;
    }
}

int connectTcp(const sockaddr_in& addr, bool nonblocking)
{
    int flags = SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
    base::UniqueFd fd(::socket(AF_INET, flags, 0));
    if (!fd.valid()) return -errno;
    for (;;)
    {
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) break;
        if (errno == EINTR) continue;
        if (errno == EINPROGRESS) break;
        return -errno;
    }
    return fd.release();
}

ssize_t readSome(int fd, void* buf, size_t len)
{
    for (;;)
    {
        ssize_t n = ::recv(fd, buf, len, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return -errno;
    }
}

ssize_t writeSome(int fd, const void* buf, size_t len)
{
    for (;;)
    {
        ssize_t n = ::send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return -errno;
    }
}

void setNoDelay(int fd)
{
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int setBufferSizes(int fd, int bytes)
{
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) < 0) return -errno;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) < 0) return -errno;
    return 0;
}

void blockServerSignals()
{
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGUSR1, SIGUSR2, SIGIO, SIGHUP, SIGALRM})
        sigaddset(&set, sig);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A peer that vanishes must surface as EPIPE, never kill the process.
    ::signal(SIGPIPE, SIG_IGN);
}

void dieWithErrno(const char* call, const std::string& object, int err)
{
    RS_ERROR("{}({}): {}; exiting", call, object, base::errnoText(err));
    std::exit(1);
}

}  // namespace rscope::reactor
