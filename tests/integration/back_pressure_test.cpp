// Back-pressure against the real server (model 3.8): a client that never reads fills its
// connection's output buffer past socket_buffer_size (buffer_full), the worker's later send()s
// are refused (discard overflow) while the connection stays open, reading drains it
// (buffer_drain) and send() works again; a reply of buffer_output_size or more is refused.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace rscope::testing
{
namespace
{

using nlohmann::json;
constexpr int kLimit = 262144;  // --socket-buffer-size of these tests

struct TraceFile
{
    json header;
    std::vector<json> events;
};

TraceFile readTrace(const std::string& path)
{
    TraceFile t;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
    {
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded()) continue;
        if (j.value("type", "") == "header")
            t.header = j;
        else if (j.contains("kind"))
            t.events.push_back(j);
    }
    return t;
}

std::string tempPath(const char* name)
{
    return "/tmp/rscope-bp-" + std::to_string(::getpid()) + "-" + name + ".jsonl";
}

// A loopback client with a 4 KiB receive buffer that it does not read until told to.
int connectSmallWindow(uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    timeval quiet{0, 500 * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &quiet, sizeof quiet);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Sends `pieces` x 64 KiB, 5 ms apart, so requests keep coming after the overflow flag is up
// (a burst would be echoed before the reactor saw the buffer full). Returns the bytes sent.
size_t sendPaced(int fd, int pieces)
{
    std::string chunk(65536, 'x');
    size_t sent = 0;
    for (int i = 0; i < pieces; ++i)
    {
        ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return sent;
}

// Reads until 500 ms pass without a byte (SO_RCVTIMEO) or 20 s in all.
size_t drain(int fd)
{
    char buf[65536];
    size_t total = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline)
    {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        total += static_cast<size_t>(n);
    }
    return total;
}

std::vector<json> ofKind(const TraceFile& t, const std::string& kind, int64_t session)
{
    std::vector<json> out;
    for (const json& e : t.events)
        if (e["kind"] == kind && e.value("session", int64_t{0}) == session) out.push_back(e);
    return out;
}

// The session of the first connection that reached buffer_full, 0 when none did.
int64_t fullSession(const TraceFile& t)
{
    for (const json& e : t.events)
        if (e["kind"] == "buffer_full") return e.value("session", int64_t{0});
    return 0;
}

}  // namespace

TEST(BackPressure, NeverReadingClientOverflowsItsBufferAndSendFailsUntilItDrains)
{
    std::string tracePath = tempPath("overflow");
    ServerProcess server({"--handler", "echo", "--worker-num", "1", "--reactor-num", "1",
                          "--socket-buffer-size", std::to_string(kLimit), "--trace-listen", "off",
                          "--trace-file", tracePath});
    ASSERT_TRUE(server.start());
    int fd = connectSmallWindow(server.port());
    ASSERT_GE(fd, 0);
    // 12 MiB: more than loopback's socket buffers (a few MiB) plus the 256 KiB limit.
    size_t sent = sendPaced(fd, 192);
    EXPECT_EQ(sent, 192u * 65536) << "the reactor keeps reading a client that does not read";

    // Another client is served meanwhile.
    TestClient other(server.port());
    ASSERT_TRUE(other.sendAll("still served"));
    EXPECT_EQ(other.recvExact(12), "still served");

    // Reading empties the buffer; then send() works again.
    size_t got = drain(fd);
    EXPECT_GT(got, 0u);
    ASSERT_EQ(::send(fd, "ping", 4, MSG_NOSIGNAL), 4);
    char pong[4] = {};
    size_t have = 0;
    for (int i = 0; i < 20 && have < 4; ++i)  // 20 x 500 ms at most
    {
        ssize_t n = ::recv(fd, pong + have, 4 - have, 0);
        if (n > 0) have += static_cast<size_t>(n);
    }
    EXPECT_EQ(std::string(pong, have), "ping");
    ::close(fd);
    EXPECT_EQ(server.stop(), 0);

    TraceFile t = readTrace(tracePath);
    ASSERT_TRUE(t.header.is_object());
    EXPECT_EQ(t.header["settings"]["socket_buffer_size"], kLimit);
    EXPECT_EQ(t.header["settings"]["buffer_output_size"], 2 * 1024 * 1024);
    int64_t s = fullSession(t);
    ASSERT_NE(s, 0) << "no buffer_full";

    // One buffer_full per overflow, with the queued bytes and the limit; the reply that raised
    // it found the limit already reached and was queued all the same (swoole 1.8.8+).
    std::vector<json> full = ofKind(t, "buffer_full", s);
    ASSERT_EQ(full.size(), 1u);
    EXPECT_EQ(full[0]["args"]["watermark"], kLimit);
    EXPECT_GE(full[0]["args"]["queued"].get<int64_t>(), kLimit);
    uint64_t fullSeq = full[0]["seq"];
    int64_t queuedBefore = -1;
    int64_t queuedAtFull = -1;
    for (const json& w : ofKind(t, "reactor_write", s))
    {
        if (w["seq"].get<uint64_t>() > fullSeq) break;
        queuedBefore = queuedAtFull;
        queuedAtFull = w["args"]["queued"];
    }
    EXPECT_GE(queuedBefore, kLimit) << "checked before the reply is queued";
    EXPECT_EQ(queuedAtFull, full[0]["args"]["queued"].get<int64_t>());

    // Refused send()s: only after buffer_full, only reason overflow, none after buffer_drain.
    std::vector<json> drained = ofKind(t, "buffer_drain", s);
    ASSERT_EQ(drained.size(), 1u);
    EXPECT_EQ(drained[0]["args"]["queued"], 0);
    uint64_t drainSeq = drained[0]["seq"];
    EXPECT_GT(drainSeq, fullSeq);
    std::vector<json> refused = ofKind(t, "discard", s);
    EXPECT_GE(refused.size(), 1u) << "requests kept coming after the flag was set";
    for (const json& d : refused)
    {
        EXPECT_EQ(d["args"]["reason"], "overflow");
        EXPECT_EQ(d["actor"]["role"], "worker");
        EXPECT_GT(d["seq"].get<uint64_t>(), fullSeq);
        EXPECT_LT(d["seq"].get<uint64_t>(), drainSeq);
    }
    // Every onReceive either sent its echo or was refused.
    size_t receives = 0;
    for (const json& e : ofKind(t, "callback_enter", s))
        receives += e["args"]["callback"] == "onReceive";
    EXPECT_EQ(ofKind(t, "send_request", s).size() + refused.size(), receives);
    // After the drain the echo of "ping" went out again.
    bool wroteAfterDrain = false;
    for (const json& w : ofKind(t, "reactor_write", s))
        wroteAfterDrain |= w["seq"].get<uint64_t>() > drainSeq && w["args"]["bytes"] == 4;
    EXPECT_TRUE(wroteAfterDrain);
    std::remove(tracePath.c_str());
}

TEST(BackPressure, ReplyOfBufferOutputSizeOrMoreIsRefused)
{
    std::string tracePath = tempPath("output-size");
    ServerProcess server({"--handler", "echo", "--worker-num", "1", "--reactor-num", "1",
                          "--protocol", "eof", "--package-eof", "\\n", "--package-max-length",
                          "4194304", "--buffer-output-size", "1048576", "--trace-listen", "off",
                          "--trace-file", tracePath});
    ASSERT_TRUE(server.start());
    TestClient client(server.port());
    std::string big(1500000, 'x');
    big.back() = '\n';
    ASSERT_TRUE(client.sendAll(big));
    ASSERT_TRUE(client.sendAll("small\n"));
    // The big reply is refused, so the first bytes back are the small one's.
    EXPECT_EQ(client.recvExact(6), "small\n");
    std::string err = server.stderrText();
    EXPECT_NE(err.find("buffer_output_size 1048576"), std::string::npos) << err.substr(0, 2000);
    client.close();
    EXPECT_EQ(server.stop(), 0);

    TraceFile t = readTrace(tracePath);
    size_t tooLarge = 0;
    for (const json& e : t.events)
        if (e["kind"] == "discard" && e["args"]["reason"] == "too_large")
        {
            ++tooLarge;
            EXPECT_EQ(e["args"]["len"], 1500000);
            EXPECT_EQ(e["actor"]["role"], "worker");
        }
    EXPECT_EQ(tooLarge, 1u);
    std::remove(tracePath.c_str());
}

}  // namespace rscope::testing
