// recordTrace against an in-test fake trace server (one thread, 127.0.0.1 port 0 or a unix
// socket) that writes a scripted byte stream in odd pieces. Every wait is bounded.
#include "engine/tracefile/trace_recorder.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "engine/base/unique_fd.h"
#include "engine/tracefile/trace_check.h"
#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using namespace std::chrono_literals;
using nlohmann::json;
using testing::Collected;
using testing::kReactor0;
using testing::readFile;
using testing::TraceBuilder;

struct Chunk
{
    std::string bytes;
    std::chrono::milliseconds delay{0};  // before sending it
};

// Serves one client: sends the chunks, then closes (or, with holdOpen, waits for release()).
class FakeTraceServer
{
  public:
    FakeTraceServer(std::vector<Chunk> chunks, bool holdOpen, const std::string& unixPath = "")
        : chunks_(std::move(chunks)), holdOpen_(holdOpen)
    {
        if (unixPath.empty())
        {
            listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t len = sizeof addr;
            EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
            ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
            address_ = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
        }
        else
        {
            listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::strncpy(addr.sun_path, unixPath.c_str(), sizeof addr.sun_path - 1);
            ::unlink(unixPath.c_str());
            EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
            address_ = "unix:" + unixPath;
        }
        EXPECT_EQ(::listen(listen_.get(), 4), 0);
        thread_ = std::thread([this] { serve(); });
    }

    ~FakeTraceServer()
    {
        release();
        thread_.join();
    }

    void release()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        released_ = true;
        cv_.notify_all();
    }

    const std::string& address() const { return address_; }

  private:
    void serve()
    {
        pollfd p{listen_.get(), POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) return;  // nobody came: the test fails on its own
        base::UniqueFd client(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        for (const Chunk& c : chunks_)
        {
            std::this_thread::sleep_for(c.delay);
            size_t off = 0;
            while (off < c.bytes.size())
            {
                ssize_t n =
                    ::send(client.get(), c.bytes.data() + off, c.bytes.size() - off, MSG_NOSIGNAL);
                if (n <= 0) return;
                off += static_cast<size_t>(n);
            }
        }
        if (!holdOpen_) return;
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait_for(lock, 5s, [this] { return released_; });
    }

    std::vector<Chunk> chunks_;
    bool holdOpen_;
    base::UniqueFd listen_;
    std::string address_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool released_ = false;
};

// The text in pieces of 5, 97, 333 and 1 bytes with a 1 ms pause every eighth piece, so that
// lines straddle reads.
std::vector<Chunk> inPieces(const std::string& text)
{
    const size_t sizes[] = {5, 97, 333, 1};
    std::vector<Chunk> chunks;
    for (size_t off = 0, i = 0; off < text.size(); ++i)
    {
        size_t n = std::min(sizes[i % 4], text.size() - off);
        chunks.push_back({text.substr(off, n), 0ms});
        if (i % 8 == 0) chunks.back().delay = 1ms;
        off += n;
    }
    return chunks;
}

std::string outPath()
{
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return ::testing::TempDir() + "rscope_record_" + info->name() + ".jsonl";
}

CheckSummary checkFile(const std::string& path, Collected* problems)
{
    return checkTrace(path, [&](const Problem& p) { problems->add(p); });
}

RecordResult record(const std::string& from, double durationS = 0,
                    const std::atomic<bool>* stopFlag = nullptr)
{
    static std::atomic<bool> neverStop{false};
    RecordOptions options;
    options.from = from;
    options.outPath = outPath();
    options.durationS = durationS;
    options.connectTimeoutMs = 2000;
    options.binary = false;  // the fake server speaks JSON only and reads no commands
    return recordTrace(options, stopFlag ? *stopFlag : neverStop);
}

TEST(TraceRecorder, RecordsEveryLineUnchangedAndAppendsTraceEnd)
{
    TraceBuilder b;
    for (int i = 0; i < 10; ++i) b.request(1 + i, 1'000'000 + i * 20'000);
    b.event("trace_dropped", 1'300'000, testing::kMaster, {}, {{"count", 4}});
    FakeTraceServer server(inPieces(b.text()), false);
    RecordResult r = record(server.address());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stopReason, "server closed");
    EXPECT_EQ(r.events, 91u);
    EXPECT_EQ(r.dropped, 4u);
    EXPECT_TRUE(r.cutFlows.empty());
    EXPECT_EQ(readFile(outPath()),
              b.text() + R"({"type":"trace_end","events":91,"dropped":4,"cut_flows":[]})" + "\n");
    Collected problems;
    CheckSummary s = checkFile(outPath(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_TRUE(problems.warnings.empty()) << problems.describe();
    EXPECT_EQ(s.events, 91u);
}

TEST(TraceRecorder, OpenFlowsAreListedAsCutAndTheFilePassesCheck)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    b.event("read", 1'900'000, kReactor0, {{"flow", 7}});
    b.event("dispatch", 1'901'000, kReactor0, {{"flow", 7}});
    FakeTraceServer server(inPieces(b.text()), false);
    RecordResult r = record(server.address());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.cutFlows, std::vector<uint64_t>{7});
    Collected problems;
    CheckSummary s = checkFile(outPath(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_EQ(s.cutFlows, 1u);
}

TEST(TraceRecorder, DurationEndsARecordingWhileTheServerStaysConnected)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    FakeTraceServer server({{b.text(), 0ms}}, true);
    auto start = std::chrono::steady_clock::now();
    RecordResult r = record(server.address(), 0.3);
    auto elapsed = std::chrono::steady_clock::now() - start;
    server.release();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stopReason, "duration");
    EXPECT_GE(elapsed, 290ms);
    EXPECT_LT(elapsed, 3s);
    EXPECT_EQ(r.events, 9u);
    Collected problems;
    EXPECT_TRUE(checkFile(outPath(), &problems).ok()) << problems.describe();
}

TEST(TraceRecorder, StopFlagEndsARecording)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    FakeTraceServer server({{b.text(), 0ms}}, true);
    std::atomic<bool> stop{false};
    std::thread stopper(
        [&]
        {
            std::this_thread::sleep_for(150ms);
            stop.store(true);
        });
    RecordResult r = record(server.address(), 10, &stop);
    stopper.join();
    server.release();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stopReason, "stopped");
    EXPECT_LT(r.elapsedS, 5.0);
    EXPECT_EQ(r.events, 9u);
}

TEST(TraceRecorder, StopInsideALineWaitsForTheLineToEnd)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    const std::string& text = b.text();
    size_t cut = text.size() - 40;  // inside the last line
    FakeTraceServer server({{text.substr(0, cut), 0ms}, {text.substr(cut), 200ms}}, true);
    RecordResult r = record(server.address(), 0.05);
    server.release();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.stopReason, "duration");
    EXPECT_EQ(r.events, 9u);
    EXPECT_EQ(r.dropped, 0u);
    Collected problems;
    EXPECT_TRUE(checkFile(outPath(), &problems).ok()) << problems.describe();
}

TEST(TraceRecorder, UnfinishedLineAtCloseIsDroppedAndCounted)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string text = b.text() + R"({"seq":10,"ts":2000000,"kind":"re)";
    FakeTraceServer server(inPieces(text), false);
    RecordResult r = record(server.address());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.events, 9u);
    EXPECT_EQ(r.dropped, 1u);
    Collected problems;
    CheckSummary s = checkFile(outPath(), &problems);
    EXPECT_TRUE(s.ok()) << problems.describe();
    EXPECT_NE(readFile(outPath()).find(R"("dropped":1)"), std::string::npos);
}

TEST(TraceRecorder, UnixSocketAddress)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string path = ::testing::TempDir() + "rscope_record_test.sock";
    FakeTraceServer server(inPieces(b.text()), false, path);
    RecordResult r = record(server.address());
    ::unlink(path.c_str());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.events, 9u);
}

TEST(TraceRecorder, ConnectionRefusedIsAClearError)
{
    // A port that was free a moment ago: bind, read its number, close.
    base::UniqueFd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
    ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    probe.reset();
    RecordResult r = record(address);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error.rfind("connect(" + address + "): Connection refused", 0), 0u) << r.error;

    RecordResult bad = record("no-port-here");
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.error.find("HOST:PORT or unix:PATH"), std::string::npos) << bad.error;
}

TEST(TraceRecorder, StreamWithoutHeaderIsAnError)
{
    TraceBuilder b;
    b.request(1, 1'000'000);
    std::string events = b.text().substr(b.text().find('\n') + 1);
    FakeTraceServer server(inPieces(events), false);
    RecordResult r = record(server.address());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("missing header"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace rscope::tracefile
