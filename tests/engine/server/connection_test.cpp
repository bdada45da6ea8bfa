// Connection (model 3.8, 3.9, 8.1, 8.11): direct writes, then an in-order output buffer with
// EPOLLOUT armed while it holds bytes; send errors as -errno; the fd stays open after a peer close
// until destroyed after the batch; a server close waits for the output, a reset drops it.
#include "engine/server/connection.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/timer.h"

namespace rscope::server
{
namespace
{

// A stream socketpair: the connection's end (handed to Connection, which owns it) and the
// client's end. A small send buffer makes the connection's writes partial after a few KiB.
struct ClientPair
{
    explicit ClientPair(bool smallSndbuf)
    {
        int socks[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, socks), 0);
        serverFd = socks[0];
        client.reset(socks[1]);
        if (smallSndbuf)
        {
            int one = 1;
            EXPECT_EQ(::setsockopt(serverFd, SOL_SOCKET, SO_SNDBUF, &one, sizeof one), 0);
        }
    }
    int serverFd = -1;  // owned by the Connection once made
    base::UniqueFd client;
};

std::string patterned(size_t len, int seed)
{
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>((seed * 31 + i * 7 + i / 251) & 0xff);
    return s;
}

// Everything the client can read now (bounded).
std::string readAvailable(int fd)
{
    std::string out;
    char buf[65536];
    for (int i = 0; i < 100000; ++i)
    {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

TEST(Connection, StartsOpenWithNothingQueuedAndADecoderOnlyForFraming)
{
    reactor::EventLoop loop;
    ClientPair rawPair(false);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, rawPair.serverFd, 42, &raw);
    EXPECT_EQ(conn.fd(), rawPair.serverFd);
    EXPECT_EQ(conn.session(), 42);
    EXPECT_EQ(conn.decoder(), nullptr);  // raw: bytes are dispatched as read
    EXPECT_FALSE(conn.peerClosed);
    EXPECT_FALSE(conn.closeQueued);
    EXPECT_EQ(conn.queuedBytes(), 0u);
    EXPECT_EQ(conn.bytesIn, 0u);
    EXPECT_EQ(conn.bytesOut, 0u);

    ClientPair lengthPair(false);
    protocol::ProtocolConfig length;
    length.protocol = protocol::Protocol::Length;
    Connection framed(&loop, lengthPair.serverFd, 43, &length);
    EXPECT_NE(framed.decoder(), nullptr);
}

TEST(Connection, SendWritesDirectlyWhenNothingIsQueued)
{
    reactor::EventLoop loop;
    ClientPair pair(false);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, pair.serverFd, 1, &raw);
    std::string reply = patterned(1000, 1);
    EXPECT_EQ(conn.send(reply.data(), reply.size()), 0);
    EXPECT_EQ(conn.queuedBytes(), 0u);
    EXPECT_FALSE(conn.channel().isWriting());  // no EPOLLOUT for a write that went out
    EXPECT_EQ(conn.bytesOut, reply.size());
    EXPECT_EQ(readAvailable(pair.client.get()), reply);
    EXPECT_EQ(conn.flushOutput(), 1);  // nothing pending
}

TEST(Connection, WhatTheSocketRefusesIsQueuedWithEpolloutArmedAndFlushedInOrder)
{
    reactor::EventLoop loop;
    ClientPair pair(true);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, pair.serverFd, 1, &raw);
    std::string first = patterned(200000, 1);
    ASSERT_EQ(conn.send(first.data(), first.size()), 0);
    ASSERT_GT(conn.queuedBytes(), 0u) << "a small send buffer must refuse 200 KB";
    EXPECT_EQ(conn.bytesOut + conn.queuedBytes(), first.size());
    EXPECT_TRUE(conn.channel().isWriting());

    // With bytes queued, a later send must not write ahead of them.
    uint64_t outBefore = conn.bytesOut;
    std::string second = patterned(5000, 2);
    ASSERT_EQ(conn.send(second.data(), second.size()), 0);
    EXPECT_EQ(conn.bytesOut, outBefore);
    EXPECT_EQ(conn.bytesOut + conn.queuedBytes(), first.size() + second.size());
    EXPECT_EQ(conn.flushOutput(), 0);  // the client has not read: still pending
    EXPECT_TRUE(conn.channel().isWriting());

    std::string received;
    int rc = 0;
    for (int round = 0; round < 100000 && rc != 1; ++round)
    {
        received += readAvailable(pair.client.get());
        rc = conn.flushOutput();
        ASSERT_GE(rc, 0);
    }
    ASSERT_EQ(rc, 1);
    received += readAvailable(pair.client.get());
    EXPECT_EQ(received, first + second);
    EXPECT_EQ(conn.queuedBytes(), 0u);
    EXPECT_EQ(conn.bytesOut, first.size() + second.size());
    EXPECT_FALSE(conn.channel().isWriting());  // disarmed once empty
}

// Sends interleaved with partial flushes: the buffer compacts its written prefix now and then;
// the byte stream must not notice.
TEST(Connection, ManySendsBetweenPartialFlushesKeepTheByteStream)
{
    reactor::EventLoop loop;
    ClientPair pair(true);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, pair.serverFd, 1, &raw);
    std::string expected;
    std::string received;
    for (int i = 0; i < 300; ++i)
    {
        std::string piece = patterned(1000 + static_cast<size_t>(i % 17) * 300, i);
        ASSERT_EQ(conn.send(piece.data(), piece.size()), 0);
        expected += piece;
        if (i % 3 == 0) received += readAvailable(pair.client.get());
        ASSERT_GE(conn.flushOutput(), 0);
    }
    for (int round = 0; round < 100000 && conn.queuedBytes() > 0; ++round)
    {
        received += readAvailable(pair.client.get());
        ASSERT_GE(conn.flushOutput(), 0);
    }
    received += readAvailable(pair.client.get());
    EXPECT_EQ(conn.queuedBytes(), 0u);
    ASSERT_EQ(received.size(), expected.size());
    EXPECT_TRUE(received == expected);
    EXPECT_EQ(conn.bytesOut, expected.size());
}

// Model 3.8: a send error (the client is gone) comes back as -errno for the caller to close;
// MSG_NOSIGNAL keeps SIGPIPE away.
TEST(Connection, SendAndFlushToAGoneClientReturnErrno)
{
    reactor::EventLoop loop;
    ClientPair pair(true);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, pair.serverFd, 1, &raw);
    std::string big = patterned(100000, 3);
    ASSERT_EQ(conn.send(big.data(), big.size()), 0);
    ASSERT_GT(conn.queuedBytes(), 0u);
    pair.client.reset();
    EXPECT_EQ(conn.flushOutput(), -EPIPE);

    ClientPair other(false);
    Connection fresh(&loop, other.serverFd, 2, &raw);
    other.client.reset();
    EXPECT_EQ(fresh.send("x", 1), -EPIPE);
    EXPECT_EQ(fresh.queuedBytes(), 0u);
}

// Model 3.9d: a reset drops the queued output; the caller learns how much.
TEST(Connection, DropOutputReturnsTheQueuedBytesAndEmptiesTheBuffer)
{
    reactor::EventLoop loop;
    ClientPair pair(true);
    protocol::ProtocolConfig raw;
    Connection conn(&loop, pair.serverFd, 1, &raw);
    std::string big = patterned(100000, 4);
    ASSERT_EQ(conn.send(big.data(), big.size()), 0);
    size_t queued = conn.queuedBytes();
    ASSERT_GT(queued, 0u);
    EXPECT_EQ(conn.dropOutput(), queued);
    EXPECT_EQ(conn.queuedBytes(), 0u);
    EXPECT_EQ(conn.dropOutput(), 0u);
    EXPECT_EQ(conn.flushOutput(), 1);  // nothing left; EPOLLOUT disarmed
    EXPECT_FALSE(conn.channel().isWriting());
    std::string received = readAvailable(pair.client.get());
    EXPECT_EQ(received.size(), big.size() - queued);  // only what left before the reset
    EXPECT_EQ(received, big.substr(0, received.size()));
}

// Model 8.1 + 3.9a: on a peer close the channel leaves epoll but the fd stays open (its number
// cannot be reused) until the owner destroys the connection after the batch.
TEST(Connection, PeerCloseKeepsTheFdOpenUntilTheConnectionIsDestroyed)
{
    reactor::EventLoop loop;
    ClientPair pair(false);
    protocol::ProtocolConfig raw;
    auto conn = std::make_unique<Connection>(&loop, pair.serverFd, 1, &raw);
    int fd = conn->fd();
    int reads = 0;
    bool fdOpenAfterRemove = false;
    conn->channel().setReadCallback(
        [&]
        {
            ++reads;
            conn->peerClosed = true;
            conn->channel().remove();  // as ReactorThread::Loop::peerClose
            fdOpenAfterRemove = ::fcntl(fd, F_GETFD) != -1;
            loop.runAfterEvents([&] { conn.reset(); });
        });
    conn->channel().enableReading();
    pair.client.reset();  // EOF: readable
    bool expired = false;
    reactor::PeriodicTimer deadline(&loop, 2000,
                                    [&]
                                    {
                                        expired = true;
                                        loop.quit();
                                    });
    // After the destruction, give a removed-but-ready fd the chance to misfire.
    reactor::PeriodicTimer settle(&loop, 50, [&] { loop.quit(); });
    loop.loop();
    EXPECT_FALSE(expired);
    EXPECT_EQ(reads, 1);
    EXPECT_TRUE(fdOpenAfterRemove);
    EXPECT_EQ(conn, nullptr);
    errno = 0;
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed by the destructor
    EXPECT_EQ(errno, EBADF);
}

// Model 3.9b / 8.11: a server close with output queued stops reading and waits; the EPOLLOUT
// callback flushes; when flushOutput reports empty the connection is destroyed. The client gets
// every reply byte, then EOF.
TEST(Connection, QueuedServerCloseWaitsForTheOutputThenCloses)
{
    reactor::EventLoop loop;
    ClientPair pair(true);
    protocol::ProtocolConfig raw;
    auto conn = std::make_unique<Connection>(&loop, pair.serverFd, 1, &raw);
    conn->channel().setReadCallback([] {});
    conn->channel().enableReading();
    std::string reply = patterned(300000, 5);
    ASSERT_EQ(conn->send(reply.data(), reply.size()), 0);
    ASSERT_GT(conn->queuedBytes(), 0u);
    // CLOSE from the worker with output queued (onCloseFromWorker).
    conn->closeQueued = true;
    conn->channel().disableReading();
    EXPECT_TRUE(conn->channel().isWriting());

    int flushes = 0;
    bool destroyed = false;
    conn->channel().setWriteCallback(
        [&]
        {
            ++flushes;
            int rc = conn->flushOutput();
            ASSERT_GE(rc, 0);
            if (rc == 1 && conn->closeQueued)
            {
                conn->channel().remove();
                loop.runAfterEvents(
                    [&]
                    {
                        conn.reset();
                        destroyed = true;
                    });
            }
        });
    // The client reads slowly, from a timer of the same loop: 20 KB per millisecond at most.
    std::string received;
    bool sawEof = false;
    reactor::PeriodicTimer clientTick(&loop, 1,
                                      [&]
                                      {
                                          char buf[20000];
                                          ssize_t n = ::read(pair.client.get(), buf, sizeof buf);
                                          if (n > 0) received.append(buf, static_cast<size_t>(n));
                                          if (n == 0)
                                          {
                                              sawEof = true;
                                              loop.quit();
                                          }
                                      });
    bool expired = false;
    reactor::PeriodicTimer deadline(&loop, 2000,
                                    [&]
                                    {
                                        expired = true;
                                        loop.quit();
                                    });
    loop.loop();
    EXPECT_FALSE(expired);
    EXPECT_TRUE(destroyed);
    EXPECT_TRUE(sawEof);
    EXPECT_GT(flushes, 1);  // it took several EPOLLOUT rounds
    ASSERT_EQ(received.size(), reply.size());
    EXPECT_TRUE(received == reply);
}

// Connections die only after the batch: destroying one from its own callback aborts (the
// channel's guard), as it would be read again by the dispatch.
TEST(ConnectionDeathTest, DestroyedFromItsOwnCallbackAborts)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            reactor::EventLoop loop;
            ClientPair pair(false);
            protocol::ProtocolConfig raw;
            auto conn = std::make_unique<Connection>(&loop, pair.serverFd, 1, &raw);
            conn->channel().setReadCallback([&] { conn.reset(); });
            conn->channel().enableReading();
            pair.client.reset();
            loop.loop();
        },
        "destroyed while its loop dispatches events");
}

}  // namespace
}  // namespace rscope::server
