// TraceBridge against a trace socket played by the test (a loopback listener) and a recording
// sink in place of the WebSocket: whole lines go to the browser, only step commands from an
// allowed browser reach the socket, and every way the bridge ends closes with a reason.
#include "engine/web/trace_bridge.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/web/line_batcher.h"

namespace rscope::web
{
namespace
{

using namespace std::chrono_literals;

class RecordingSink : public BrowserSink
{
  public:
    bool sendText(std::string_view text) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        received_ += text;
        messages_.emplace_back(text);
        changed_.notify_all();
        return acceptsText_;
    }
    void close(uint16_t code, std::string_view reason) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++closes_;
        code_ = code;
        reason_ = reason;
        changed_.notify_all();
    }
    // Waits up to timeout for cond (called under the lock).
    bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, timeout, cond);
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::string received_;
    std::vector<std::string> messages_;
    int closes_ = 0;
    uint16_t code_ = 0;
    std::string reason_;
    bool acceptsText_ = true;
};

// A loopback listener standing in for the server's trace socket.
class FakeTraceSocket
{
  public:
    FakeTraceSocket() : listen_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        ::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), len);
        ::listen(listen_.get(), 4);
        ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    std::string address() const { return fmt::format("127.0.0.1:{}", port_); }
    bool accept(std::chrono::milliseconds timeout)
    {
        pollfd p{listen_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
        peer_.reset(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        return peer_.valid();
    }
    void write(const std::string& bytes)
    {
        size_t done = 0;
        while (done < bytes.size())
        {
            ssize_t n = ::send(peer_.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return;
            done += static_cast<size_t>(n);
        }
    }
    // What the bridge sent within timeout (stops early once want bytes are in).
    std::string read(size_t want, std::chrono::milliseconds timeout)
    {
        std::string got;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (got.size() < want)
        {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{peer_.get(), POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
            char buf[256];
            ssize_t n = ::recv(peer_.get(), buf, sizeof buf, 0);
            if (n <= 0) break;
            got.append(buf, static_cast<size_t>(n));
        }
        return got;
    }
    // True when the bridge closed its end within timeout.
    bool sawEof(std::chrono::milliseconds timeout)
    {
        pollfd p{peer_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
        char c;
        return ::recv(peer_.get(), &c, 1, 0) == 0;
    }
    void closePeer() { peer_.reset(); }
    void closeListener() { listen_.reset(); }

  private:
    base::UniqueFd listen_;
    base::UniqueFd peer_;
    uint16_t port_ = 0;
};

BridgeOptions optionsFor(const std::string& address, bool loopback = true)
{
    BridgeOptions o;
    o.traceAddress = address;
    o.peer = loopback ? "127.0.0.1" : "192.0.2.7";
    o.peerIsLoopback = loopback;
    o.connectTimeoutMs = 2000;
    return o;
}

TEST(TraceBridge, AnUnreachableTraceSocketClosesWithItsAddressAndErrno)
{
    std::string address;
    {
        FakeTraceSocket gone;  // a port that was free a moment ago: nobody listens there now
        address = gone.address();
    }
    RecordingSink sink;
    TraceBridge bridge(optionsFor(address), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(sink.waitFor([&] { return sink.closes_ == 1; }, 5s));
    EXPECT_EQ(sink.code_, kCloseTraceSocket);
    EXPECT_NE(sink.reason_.find(address), std::string::npos) << sink.reason_;
    EXPECT_NE(sink.reason_.find("Connection refused"), std::string::npos) << sink.reason_;
    EXPECT_LE(sink.reason_.size(), 123u);
}

TEST(TraceBridge, SendsWholeLinesAndForwardsStepCommandsOnly)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    TraceBridge bridge(optionsFor(trace.address()), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(trace.accept(3s));
    trace.write("{\"header\":1}\n{\"seq\"");
    ASSERT_TRUE(sink.waitFor([&] { return !sink.messages_.empty(); }, 3s));
    trace.write(":1}\n");
    ASSERT_TRUE(sink.waitFor([&] { return sink.received_.size() == 23; }, 3s));
    for (const std::string& m : sink.messages_)
        EXPECT_EQ(m.back(), '\n') << "every message ends a line: " << m;
    EXPECT_EQ(sink.received_, "{\"header\":1}\n{\"seq\":1}\n");

    bridge.onBrowserMessage("hold");
    bridge.onBrowserMessage("binary");
    bridge.onBrowserMessage("step", false);  // a fragment: never a command
    bridge.onBrowserMessage("step 2");
    bridge.onBrowserMessage("run\n");
    EXPECT_EQ(trace.read(16, 2s), "hold\nstep 2\nrun\n");
    EXPECT_EQ(trace.read(1, 100ms), "") << "nothing else reached the trace socket";
}

TEST(TraceBridge, StepCommandsFromARemoteBrowserAreDroppedUnlessAllowed)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    TraceBridge remote(optionsFor(trace.address(), false), sink);
    ASSERT_TRUE(remote.start());
    ASSERT_TRUE(trace.accept(3s));
    remote.onBrowserMessage("hold");
    EXPECT_EQ(trace.read(1, 200ms), "");
    remote.stop();
    EXPECT_TRUE(trace.sawEof(2s));

    BridgeOptions allowed = optionsFor(trace.address(), false);
    allowed.allowRemoteStep = true;
    TraceBridge trusted(allowed, sink);
    ASSERT_TRUE(trusted.start());
    ASSERT_TRUE(trace.accept(3s));
    trusted.onBrowserMessage("hold");
    EXPECT_EQ(trace.read(5, 2s), "hold\n");
}

TEST(TraceBridge, TheServerClosingTheTraceSocketClosesTheWebSocket)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    TraceBridge bridge(optionsFor(trace.address()), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(trace.accept(3s));
    trace.closePeer();
    ASSERT_TRUE(sink.waitFor([&] { return sink.closes_ == 1; }, 3s));
    EXPECT_EQ(sink.code_, kCloseTraceSocket);
    EXPECT_EQ(sink.reason_, trace.address() + ": the server closed the trace socket");
}

TEST(TraceBridge, StopClosesTheTraceSocketWithoutClosingTheWebSocket)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    TraceBridge bridge(optionsFor(trace.address()), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(trace.accept(3s));
    bridge.stop();  // the browser went away
    EXPECT_TRUE(trace.sawEof(2s));
    EXPECT_EQ(sink.closes_, 0) << "the WebSocket is already closing";
}

TEST(TraceBridge, StopInterruptsAConnectThatWaits)
{
    // TEST-NET-1 never answers, so the connect waits (or fails at once without a route: then
    // the bridge has ended already, and stop returns as fast).
    BridgeOptions o = optionsFor("192.0.2.1:9");
    o.connectTimeoutMs = 60000;
    RecordingSink sink;
    TraceBridge bridge(o, sink);
    ASSERT_TRUE(bridge.start());
    auto start = std::chrono::steady_clock::now();
    bridge.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(TraceBridge, ALineLongerThanAMebibyteClosesTheBridge)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    TraceBridge bridge(optionsFor(trace.address()), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(trace.accept(3s));
    trace.write("{\"ok\":1}\n" + std::string(kMaxLineBytes + 1, 'x'));
    ASSERT_TRUE(sink.waitFor([&] { return sink.closes_ == 1; }, 5s));
    EXPECT_EQ(sink.code_, kCloseLineTooLong);
    EXPECT_NE(sink.reason_.find("longer than 1 MiB"), std::string::npos) << sink.reason_;
    EXPECT_EQ(sink.received_, "{\"ok\":1}\n");
}

TEST(TraceBridge, ABrowserThatDoesNotTakeAMessageIsClosedAsTooSlow)
{
    FakeTraceSocket trace;
    RecordingSink sink;
    sink.acceptsText_ = false;  // as when civetweb's write times out
    TraceBridge bridge(optionsFor(trace.address()), sink);
    ASSERT_TRUE(bridge.start());
    ASSERT_TRUE(trace.accept(3s));
    trace.write("{\"header\":1}\n");
    ASSERT_TRUE(sink.waitFor([&] { return sink.closes_ == 1; }, 3s));
    EXPECT_EQ(sink.code_, kCloseBrowserTooSlow);
    EXPECT_EQ(sink.reason_, "browser too slow");
    EXPECT_TRUE(trace.sawEof(2s)) << "and the trace socket is closed";
}

TEST(CloseReason, IsCutToAControlFrameAtACharacterBoundary)
{
    EXPECT_EQ(closeReason("short"), "short");
    std::string longText = std::string(122, 'a') + "\xc3\xa9" + "tail";  // é across byte 123
    std::string cut = closeReason(longText);
    EXPECT_EQ(cut, std::string(122, 'a'));
}

}  // namespace
}  // namespace rscope::web
