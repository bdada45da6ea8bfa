// The article's client, with a deadline on every step so it never hangs.
#include "engine/client/article_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/base/clock.h"
#include "engine/base/unique_fd.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{

namespace
{
int remainingMs(int64_t deadlineMs)
{
    int64_t left = deadlineMs - base::monotonicMs();
    return left > 0 ? static_cast<int>(left) : 0;
}
}  // namespace

int runArticleClient(const std::string& host, uint16_t port, const std::string& message,
                     int timeoutMs)
{
    int64_t deadline = base::monotonicMs() + timeoutMs;
    sockaddr_in addr;
    if (!reactor::makeAddress(host, port, &addr))
    {
        std::fprintf(stderr, "client: bad address %s\n", host.c_str());
        return 1;
    }
    int fd = reactor::connectTcp(addr, true);
    if (fd < 0)
    {
        std::fprintf(stderr, "client: connect(%s:%u): %s\n", host.c_str(), port,
                     std::strerror(-fd));
        return 1;
    }
    base::UniqueFd sock(fd);
    pollfd pfd{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&pfd, 1, remainingMs(deadline)) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
    {
        std::fprintf(stderr, "client: connect(%s:%u): %s\n", host.c_str(), port,
                     err ? std::strerror(err) : "timed out");
        return 1;
    }
    std::printf("Connected to %s:%u\n", host.c_str(), port);
    size_t sent = 0;
    while (sent < message.size())
    {
        pfd = {fd, POLLOUT, 0};
        if (::poll(&pfd, 1, remainingMs(deadline)) != 1) break;
        ssize_t n = reactor::writeSome(fd, message.data() + sent, message.size() - sent);
        if (n < 0 && n != -EAGAIN)
        {
            std::fprintf(stderr, "client: send: %s\n", std::strerror(static_cast<int>(-n)));
            return 1;
        }
        if (n > 0) sent += static_cast<size_t>(n);
    }
    std::string reply;
    bool closed = false;
    const char* failure = nullptr;
    char buf[65536];
    for (;;)
    {
        pfd = {fd, POLLIN, 0};
        if (::poll(&pfd, 1, remainingMs(deadline)) != 1)
        {
            failure = "timed out waiting for the server";
            break;
        }
        ssize_t n = reactor::readSome(fd, buf, sizeof buf);
        if (n == -EAGAIN) continue;
        if (n == 0)
        {
            closed = true;
            break;
        }
        if (n < 0)
        {
            failure = std::strerror(static_cast<int>(-n));
            break;
        }
        reply.append(buf, static_cast<size_t>(n));
    }
    std::printf("Received: %s", reply.c_str());
    if (reply.empty() || reply.back() != '\n') std::printf("\n");
    if (closed)
        std::printf("Connection closed by server\n");
    else
        std::printf("Connection not closed by the server: %s\n", failure);
    std::fflush(stdout);
    return !reply.empty() && closed ? 0 : 1;
}

}  // namespace rscope::client
