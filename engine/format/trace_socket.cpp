// The trace-socket client: resolve an address, connect with a timeout (trace_socket.h).
#include "engine/format/trace_socket.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "engine/base/log.h"
#include "engine/base/unique_fd.h"

namespace rscope::tracefile
{

bool resolveTraceAddress(const std::string& address, sockaddr_storage* addr, socklen_t* len,
                         std::string* error)
{
    *addr = sockaddr_storage{};
    if (address.rfind("unix:", 0) == 0)
    {
        std::string path = address.substr(5);
        auto* un = reinterpret_cast<sockaddr_un*>(addr);
        un->sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof un->sun_path)
        {
            *error = fmt::format("{}: a unix socket path must be 1 to {} bytes", address,
                                 sizeof un->sun_path - 1);
            return false;
        }
        std::memcpy(un->sun_path, path.data(), path.size());
        bool abstract = path[0] == '@';  // Linux abstract namespace
        if (abstract) un->sun_path[0] = '\0';
        *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                      (abstract ? 0 : 1));
        return true;
    }
    size_t colon = address.rfind(':');
    std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
    std::string port = colon == std::string::npos ? address : address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "127.0.0.1";  // ":9600" and "9600" mean this machine
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
    {
        *error = fmt::format(
            "{}: the address must be HOST:PORT or unix:PATH (PORT alone: 127.0.0.1)", address);
        return false;
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    {
        *error = fmt::format("{}: {}", address, ::gai_strerror(rc));
        return false;
    }
    std::memcpy(addr, found->ai_addr, found->ai_addrlen);
    *len = found->ai_addrlen;
    ::freeaddrinfo(found);
    return true;
}

int connectTraceSocket(const std::string& address, int timeoutMs, std::string* error, int wakeFd)
{
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!resolveTraceAddress(address, &addr, &len, error)) return -1;
    base::UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid())
    {
        *error = fmt::format("socket: {}", base::errnoText(errno));
        return -1;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
    if (rc < 0 && errno == EINPROGRESS)
    {
        pollfd p[2] = {{fd.get(), POLLOUT, 0}, {wakeFd, POLLIN, 0}};
        int n;
        do n = ::poll(p, wakeFd >= 0 ? 2 : 1, timeoutMs);
        while (n < 0 && errno == EINTR);
        if (n > 0 && wakeFd >= 0 && p[1].revents != 0) return kConnectWoken;
        if (n == 0)
        {
            *error = fmt::format("connect({}): no answer within {} ms", address, timeoutMs);
            return -1;
        }
        int soError = 0;
        socklen_t soLen = sizeof soError;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &soLen);
        errno = n < 0 ? errno : soError;
        rc = errno == 0 ? 0 : -1;
    }
    if (rc < 0)
    {
        *error = fmt::format("connect({}): {}; is a server running with its trace socket there?",
                             address, base::errnoText(errno));
        return -1;
    }
    return fd.release();
}

}  // namespace rscope::tracefile
