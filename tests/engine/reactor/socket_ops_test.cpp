// socket_ops: which hosts and peers count as this machine (the trace socket's guard), and log text
// made safe from bytes a client sent.
#include "engine/reactor/socket_ops.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "engine/base/log.h"

namespace rscope::reactor
{
namespace
{

TEST(SocketOps, LoopbackHostsAreOnlyThisMachines)
{
    EXPECT_TRUE(isLoopbackHost("127.0.0.1"));
    EXPECT_TRUE(isLoopbackHost("127.1.2.3"));
    EXPECT_TRUE(isLoopbackHost("localhost"));
    EXPECT_TRUE(isLoopbackHost("::1"));
    EXPECT_FALSE(isLoopbackHost("0.0.0.0"));
    EXPECT_FALSE(isLoopbackHost("10.0.0.1"));
    EXPECT_FALSE(isLoopbackHost("128.0.0.1"));
    EXPECT_FALSE(isLoopbackHost(""));
    EXPECT_FALSE(isLoopbackHost("example.org"));
}

TEST(SocketOps, UnixAndLoopbackPeersAreLocal)
{
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    EXPECT_TRUE(isLoopbackPeer(pair[0]));
    ::close(pair[0]);
    ::close(pair[1]);

    const char* what = "";
    int listener = bindTcp("127.0.0.1", 0, false, &what);
    ASSERT_GE(listener, 0) << what;
    ASSERT_EQ(listenFd(listener, 4), 0);
    sockaddr_in addr{};
    ASSERT_TRUE(makeAddress("127.0.0.1", localPort(listener), &addr));
    int client = connectTcp(addr, false);
    ASSERT_GE(client, 0);
    sockaddr_in peer{};
    int server = -EAGAIN;
    for (int i = 0; i < 1000 && server == -EAGAIN; ++i)
    {
        server = acceptConnection(listener, &peer);
        if (server == -EAGAIN) ::usleep(1000);
    }
    ASSERT_GE(server, 0);
    EXPECT_TRUE(isLoopbackPeer(server));
    ::close(server);
    ::close(client);
    ::close(listener);

    int unconnected = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_FALSE(isLoopbackPeer(unconnected));  // no peer: not trusted
    ::close(unconnected);
}

TEST(Log, PrintableTextEscapesControlBytesAndCuts)
{
    EXPECT_EQ(base::printableText("hold"), "hold");
    EXPECT_EQ(base::printableText("\x1b[2Jx\n"), "\\x1b[2Jx\\x0a");
    EXPECT_EQ(base::printableText("a\\b"), "a\\x5cb");  // no fake escapes either
    EXPECT_EQ(base::printableText("\xff"), "\\xff");
    EXPECT_EQ(base::printableText("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace rscope::reactor
