// Live step mode with real X input: the learner ticks "step the server" and clicks "Next hop";
// each click moves the cursor exactly one event, and the article's client, started with a
// timeout far shorter than the walk, still gets its reply (held time does not count).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"
#include "tests/viewer/app/real_viewer.h"

namespace rscope::viewer
{
namespace
{

using json = nlohmann::json;
using namespace std::chrono_literals;
using rscope::testing::spawnRscope;
using test::RealViewer;

// Its exit code once it exited (-2: still running).
int exitedWith(pid_t pid)
{
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return -2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int64_t cursorEvent(const json& d)
{
    return d["state"]["cursor_event"].get<int64_t>();
}

TEST(StepModeRealInput, TenClicksOnNextHopMoveTenEventsAndTheClientStillGetsItsReply)
{
    rscope::testing::ServerProcess server({"--handler", "article", "--worker-num", "2",
                                           "--reactor-num", "1", "--trace-step", "--trace-listen",
                                           "127.0.0.1:0"});
    ASSERT_TRUE(server.start()) << server.stderrText();
    uint16_t tracePort = rscope::testing::traceSocketPort(server.output());
    ASSERT_NE(tracePort, 0) << server.output();
    std::string trace = "127.0.0.1:" + std::to_string(tracePort);
    RealViewer v({"--connect", trace});
    ASSERT_TRUE(v.waitReady()) << v.log();

    // The header said --trace-step: the checkbox is there. A real click holds the server.
    json d = v.waitLayout(
        [](const json& j) { return test::widgetRect(j, "step_server").has_value(); }, 15s);
    ASSERT_FALSE(d.is_null()) << "no step-mode checkbox\n" << v.log();
    ASSERT_TRUE(v.click(test::widgetRect(d, "step_server")->center())) << v.log();
    d = v.waitLayout(
        [](const json& j) {
            return j["state"]["holding_server"] == true &&
                   test::widgetRect(j, "next_hop").has_value();
        });
    ASSERT_FALSE(d.is_null()) << "the click did not hold the server\n" << v.log();

    // The article's client, as the demo starts it, with a 1 s timeout: the walk below takes
    // several times that.
    std::string out = v.file("client.out");
    pid_t client = spawnRscope({"client", "--port", std::to_string(server.port()), "--timeout-ms",
                                "1000", "--trace-from", trace},
                               out);
    ASSERT_GT(client, 0);
    // Its accept arrives and the master pauses after it; each thread that was running pauses
    // after its own next event. Then nothing comes while held: wait for a second of quiet.
    int64_t seen = -1;
    auto quietSince = std::chrono::steady_clock::now();
    d = v.waitLayout(
        [&](const json& j)
        {
            int64_t events = j["state"]["events"].get<int64_t>();
            auto now = std::chrono::steady_clock::now();
            if (events != seen) quietSince = now;
            seen = events;
            return events > 0 && now - quietSince >= 1s && cursorEvent(j) == events - 1;
        },
        20s);
    ASSERT_FALSE(d.is_null()) << v.lastLayout()["state"].dump() << v.log();
    d = v.nextLayout();
    ASSERT_FALSE(d.is_null());
    const int64_t start = cursorEvent(d);
    ASSERT_EQ(start, d["state"]["events"].get<int64_t>() - 1) << "on the newest event";

    for (int click = 1; click <= 10; ++click)
    {
        json before = v.nextLayout();
        ASSERT_FALSE(before.is_null());
        int64_t at = cursorEvent(before);
        EXPECT_EQ(at, start + click - 1) << "click " << click;
        std::optional<test::Rect> next = test::widgetRect(before, "next_hop");
        ASSERT_TRUE(next.has_value()) << click;
        ASSERT_TRUE(v.click(next->center())) << v.log();
        d = v.waitLayout([&](const json& j) { return cursorEvent(j) > at; }, 10s);
        ASSERT_FALSE(d.is_null()) << "click " << click << ": the cursor did not move\n"
                                  << v.lastLayout()["state"].dump() << v.log();
        EXPECT_EQ(cursorEvent(d), at + 1) << "click " << click << " moved more than one event";
    }
    // Nothing moves by itself afterwards: exactly ten events for ten clicks.
    std::this_thread::sleep_for(800ms);
    d = v.nextLayout();
    ASSERT_FALSE(d.is_null());
    EXPECT_EQ(cursorEvent(d), start + 10);
    EXPECT_EQ(exitedWith(client), -2) << "the client gave up while the server was held";

    // More Next hops until the reply is out and the connection closed: the client succeeds.
    int code = -2;
    for (int click = 0; click < 80 && code == -2; ++click)
    {
        int64_t at = cursorEvent(v.lastLayout());
        ASSERT_TRUE(v.click(test::widgetRect(v.lastLayout(), "next_hop")->center())) << v.log();
        v.waitLayout([&](const json& j) { return cursorEvent(j) > at; }, 5s);
        code = exitedWith(client);
    }
    if (code == -2)
    {
        ::kill(client, SIGKILL);
        ::waitpid(client, nullptr, 0);
    }
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(code, 0) << text.str();
    EXPECT_NE(text.str().find("Received: From TcpServer Swoole: hello world"), std::string::npos)
        << text.str();

    json state = v.quitAndReadState();
    EXPECT_EQ(v.exitCode(), 0) << v.log();
    EXPECT_EQ(server.stop(), 0) << "the viewer's leaving released the server";
}

}  // namespace
}  // namespace rscope::viewer
