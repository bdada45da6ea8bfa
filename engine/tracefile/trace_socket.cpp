// connectTraceSocket: resolve "host:port" or "unix:PATH", connect with a timeout.
#include "engine/tracefile/trace_socket.h"

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

namespace
{
// Fills *addr for "unix:PATH" or "host:port"; false with *error set.
bool resolve(const std::string& address, sockaddr_storage* addr, socklen_t* len, std::string* error)
{
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
    if (colon == std::string::npos || colon + 1 == address.size())
    {
        *error = fmt::format("{}: the address must be HOST:PORT or unix:PATH", address);
        return false;
    }
    std::string host = address.substr(0, colon);
    std::string port = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
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
}  // namespace

int connectTraceSocket(const std::string& address, int timeoutMs, std::string* error)
{
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!resolve(address, &addr, &len, error)) return -1;
    base::UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid())
    {
        *error = fmt::format("socket: {}", base::errnoText(errno));
        return -1;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
    if (rc < 0 && errno == EINPROGRESS)
    {
        pollfd p{fd.get(), POLLOUT, 0};
        int n;
        do n = ::poll(&p, 1, timeoutMs);
        while (n < 0 && errno == EINTR);
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
