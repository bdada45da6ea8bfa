// Live step mode (`rscope server --trace-step`) on the real multi-process server: a request
// walked one step at a time yields the same events as a free-running one; the server really
// pauses (never more events than steps granted plus one per traced thread); a step client that
// goes away, or a SIGTERM, lets the server go on.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace rscope::testing
{
namespace
{

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kWorkers = 2;
constexpr int kReactors = 2;
// Threads that emit events: master main thread, reactor threads, manager, workers. Each can be
// paused with one event out beyond the steps granted.
constexpr int kTracedThreads = 1 + kReactors + 1 + kWorkers;
const char* const kReply = "From TcpServer Swoole: hello world\n";

std::vector<std::string> serverArgs()
{
    return {"--handler",       "article",
            "--worker-num",    std::to_string(kWorkers),
            "--reactor-num",   std::to_string(kReactors),
            "--dispatch-mode", "2",
            "--trace-listen",  "127.0.0.1:0",
            "--trace-step"};
}

// Session-relative: the session's reactor and worker depend on its fd (fd % reactor_num,
// fd % worker_num), and the fd on what else the master has open (trace clients too), so both
// runs name them "R" and "W"; SessionEvents checks that the session kept to one of each.
std::string relative(int index, int sessionIndex, const char* name)
{
    if (index < 0) return "-";
    return index == sessionIndex ? name : fmt::format("other({})", index);
}

// A session's events in stream order, and per actor (each actor's own order is causal, so it
// must not depend on the timing; the interleaving of different threads may).
struct SessionEvents
{
    std::vector<std::string> all;
    std::map<std::string, std::vector<std::string>> byActor;
    int fd = -1;
    int reactor = -1;  // the session's, from the first event that names one
    int worker = -1;
    bool closed = false;

    // What an event is, without the ids that differ from run to run (seq, ts, session, fd,
    // msg_id, flow): the kind (with the message type or callback that tells same-kind events
    // apart) and where it happened.
    void add(const json& e)
    {
        if (fd < 0 && e.value("fd", -1) >= 0) fd = e["fd"];
        if (reactor < 0 && e.value("reactor", -1) >= 0) reactor = e["reactor"];
        if (worker < 0 && e.value("worker", -1) >= 0) worker = e["worker"];
        std::string kind = e["kind"];
        if (e.contains("args") && e["args"].contains("type") && e["args"]["type"].is_string())
            kind += fmt::format("({})", e["args"]["type"].get<std::string>());
        if (e.contains("args") && e["args"].contains("callback"))
            kind += fmt::format("({})", e["args"]["callback"].get<std::string>());
        std::string shape = fmt::format("{} reactor={} worker={}", kind,
                                        relative(e.value("reactor", -1), reactor, "R"),
                                        relative(e.value("worker", -1), worker, "W"));
        std::string role = e["actor"]["role"];
        int index = e["actor"]["index"];
        std::string actor =
            role == "reactor"  ? fmt::format("reactor[{}]", relative(index, reactor, "R"))
            : role == "worker" ? fmt::format("worker[{}]", relative(index, worker, "W"))
                               : role;
        all.push_back(actor + " " + shape);
        byActor[actor].push_back(shape);
        if (e["kind"] == "close") closed = true;
    }
};

std::string joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines) out += "  " + l + "\n";
    return out;
}

// The header of a fresh trace connection: what the server says about the gate right now.
json freshHeader(uint16_t tracePort)
{
    TraceConnection probe(tracePort);
    std::string line = probe.nextLine(2s);
    return line.empty() ? json() : json::parse(line);
}

bool gateStateIs(uint16_t tracePort, const char* state)
{
    return waitUntil([&] { return freshHeader(tracePort).value("step_state", "") == state; }, 3s);
}

class StepMode : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_TRUE(server_.start());
        tracePort_ = traceSocketPort(server_.output());
        ASSERT_NE(tracePort_, 0);
        ASSERT_TRUE(waitUntil([&] { return descendantsOf(server_.pid()).size() == 3; }, 3s))
            << "manager and " << kWorkers << " workers";
        // Every startup event in (they are replayed to clients, never paused: nobody holds).
        std::this_thread::sleep_for(50ms);
    }

    // Reads events from trace until stop(e) or the timeout; returns how many it read.
    int readEvents(
        TraceConnection& trace, std::chrono::milliseconds timeout,
        const std::function<void(const json&)>& onEvent,
        const std::function<bool()>& stop = [] { return false; })
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        int count = 0;
        while (!stop() && std::chrono::steady_clock::now() < deadline)
        {
            std::string line = trace.nextLine(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (line.empty()) break;
            json e = json::parse(line);
            if (!e.contains("seq")) continue;  // header
            ++count;
            onEvent(e);
        }
        return count;
    }

    ServerProcess server_{serverArgs()};
    uint16_t tracePort_ = 0;
};

// The session of the first accept seen from now on, and its events.
struct SessionFilter
{
    int64_t session = 0;
    SessionEvents events;

    void operator()(const json& e)
    {
        if (session == 0 && e["kind"] == "accept") session = e["session"];
        if (session != 0 && e.value("session", int64_t{0}) == session) events.add(e);
    }
};

TEST_F(StepMode, ASteppedRequestHasTheSameEventsAsAFreeRunningOne)
{
    TraceConnection trace(tracePort_);
    ASSERT_TRUE(trace.connected());
    json header = json::parse(trace.nextLine(2s));
    EXPECT_EQ(header["settings"]["trace_step"], true);
    EXPECT_EQ(header["step_state"], "running");

    // Free running (step mode on, nobody holds): the reference.
    SessionFilter free;
    {
        ArticleRequest request(server_.port());
        readEvents(trace, 5s, std::ref(free), [&] { return free.events.closed; });
        readEvents(trace, 300ms, std::ref(free));  // anything after the close
        ASSERT_TRUE(waitUntil([&] { return request.done(); }, 5s));
        EXPECT_EQ(request.reply(), kReply);
    }
    ASSERT_TRUE(free.events.closed) << joined(free.events.all);

    ASSERT_TRUE(trace.sendLine("hold"));
    ASSERT_TRUE(gateStateIs(tracePort_, "held"));
    SessionFilter stepped;
    int seen = 0;            // every server event since the hold, any session
    std::vector<json> gate;  // the collector's gate_hold / gate_step / gate_release
    auto onEvent = [&](const json& e)
    {
        if (e["kind"].get<std::string>().rfind("gate_", 0) == 0)
        {
            gate.push_back(e);
            return;
        }
        ++seen;
        stepped(e);
    };
    ArticleRequest request(server_.port());
    // Held and not stepped: the server gets no further than one event per thread.
    readEvents(trace, 300ms, onEvent);
    EXPECT_GE(seen, 1) << "the accept is out, the master waits after it";
    EXPECT_LE(seen, kTracedThreads);
    EXPECT_FALSE(request.done()) << "no reply while nobody steps";

    int steps = 0;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!stepped.events.closed && steps < 400 && std::chrono::steady_clock::now() < deadline)
    {
        ASSERT_TRUE(trace.sendLine("step"));
        ++steps;
        // The next event, if this step releases a thread that emits one; a thread may also go
        // idle (its next event is another thread's, already shown).
        int before = seen;
        readEvents(trace, 150ms, onEvent, [&] { return seen > before; });
        ASSERT_LE(seen, steps + kTracedThreads) << "a step lets one paused thread go, not more";
    }
    ASSERT_TRUE(stepped.events.closed) << steps << " steps:\n" << joined(stepped.events.all);
    ASSERT_TRUE(trace.sendLine("run"));
    readEvents(trace, 300ms, onEvent);
    ASSERT_TRUE(waitUntil([&] { return request.done(); }, 5s));
    EXPECT_EQ(request.reply(), kReply);
    EXPECT_GE(steps, static_cast<int>(stepped.events.all.size()) - kTracedThreads)
        << "it took steps to get there";

    // The stream says when the gate held, each step that let a thread go, and the release.
    ASSERT_GE(gate.size(), 3u);
    EXPECT_EQ(gate.front()["kind"], "gate_hold");
    EXPECT_EQ(gate.back()["kind"], "gate_release");
    int gateSteps = 0;
    for (size_t i = 1; i + 1 < gate.size(); ++i)
    {
        EXPECT_EQ(gate[i]["kind"], "gate_step");
        EXPECT_EQ(gate[i]["args"]["count"], 1);
        EXPECT_EQ(gate[i]["args"]["released"], 1);
        EXPECT_GT(gate[i]["ts"].get<int64_t>(), gate[i - 1]["ts"].get<int64_t>());
        ++gateSteps;
    }
    EXPECT_LE(gateSteps, steps) << "a step that found nobody paused is not on the stream";
    EXPECT_GE(gateSteps, static_cast<int>(stepped.events.all.size()) - kTracedThreads);
    const json& release = gate.back();
    EXPECT_EQ(release["args"]["steps"], gateSteps);
    EXPECT_EQ(release["args"]["held_ns"].get<int64_t>(),
              release["ts"].get<int64_t>() - gate.front()["ts"].get<int64_t>());
    EXPECT_GT(release["args"]["held_ns"].get<int64_t>(), 300'000'000) << "held 300 ms at least";

    // Both runs follow the model's placement for their fd (dispatch_mode 2).
    for (const SessionEvents* run : {&free.events, &stepped.events})
    {
        EXPECT_EQ(run->reactor, run->fd % kReactors);
        EXPECT_EQ(run->worker, run->fd % kWorkers);
    }
    EXPECT_EQ(stepped.events.byActor, free.events.byActor)
        << "free:\n"
        << joined(free.events.all) << "stepped:\n"
        << joined(stepped.events.all);
    EXPECT_EQ(stepped.events.all.size(), free.events.all.size());
}

TEST_F(StepMode, AStepClientThatGoesAwayMidRequestReleasesTheServer)
{
    auto trace = std::make_unique<TraceConnection>(tracePort_);
    ASSERT_TRUE(trace->sendLine("hold"));
    ASSERT_TRUE(gateStateIs(tracePort_, "held"));
    ArticleRequest request(server_.port());
    int seen = readEvents(*trace, 300ms, [](const json&) {});
    for (int i = 0; i < 3; ++i)
    {
        ASSERT_TRUE(trace->sendLine("step"));
        seen += readEvents(*trace, 100ms, [](const json&) {});
    }
    EXPECT_GE(seen, 2);
    EXPECT_FALSE(request.done()) << "mid-request: the reply needs more steps than 3";

    trace.reset();  // the viewer is killed: its socket closes
    EXPECT_TRUE(waitUntil([&] { return request.done(); }, 3s)) << "the server goes on by itself";
    EXPECT_EQ(request.reply(), kReply);
    EXPECT_TRUE(gateStateIs(tracePort_, "running"));
    EXPECT_EQ(server_.stop(), 0);
}

TEST_F(StepMode, SigtermWhileHeldStopsEveryProcessInTime)
{
    TraceConnection trace(tracePort_);
    ASSERT_TRUE(trace.sendLine("hold"));
    ASSERT_TRUE(gateStateIs(tracePort_, "held"));
    json header = freshHeader(tracePort_);
    std::vector<pid_t> pids;
    for (const json& p : header["topology"]["processes"]) pids.push_back(p["pid"]);
    ASSERT_EQ(pids.size(), static_cast<size_t>(2 + kWorkers));

    ArticleRequest request(server_.port());
    int seen = readEvents(trace, 300ms, [](const json&) {});
    ASSERT_GE(seen, 1) << "a thread is paused with an event out";
    ASSERT_FALSE(request.done());

    auto start = std::chrono::steady_clock::now();
    int code = server_.stop(5s);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(code, 0) << "a clean exit, not the test's SIGKILL (-1)";
    EXPECT_LT(took, 3s);
    for (pid_t pid : pids)
        EXPECT_TRUE(waitUntil([&] { return !processExists(pid); }, 2s)) << "pid " << pid;
    EXPECT_TRUE(waitUntil([&] { return request.done(); }, 3s));
}

// Its exit code, or -1 (and SIGKILLed) if it is still running after timeout.
int waitExit(pid_t pid, std::chrono::milliseconds timeout)
{
    int status = 0;
    if (waitUntil([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout))
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

TEST_F(StepMode, TheTraceStepCommandWalksARequestThroughOnATimer)
{
    std::string out = fmt::format("/tmp/rscope-step-cli-{}.txt", ::getpid());
    constexpr int kEveryMs = 15;
    pid_t cli = spawnRscope({"trace", "step", "--from", fmt::format("127.0.0.1:{}", tracePort_),
                             "--every", std::to_string(kEveryMs), "--count", "150"},
                            out);
    ASSERT_GT(cli, 0);
    ASSERT_TRUE(gateStateIs(tracePort_, "held"));
    auto start = std::chrono::steady_clock::now();
    {
        ArticleRequest request(server_.port());
        EXPECT_TRUE(waitUntil([&] { return request.done(); }, 10s));
        EXPECT_EQ(request.reply(), kReply);
    }
    auto took = std::chrono::steady_clock::now() - start;
    // ~23 events, at most one per traced thread ahead of the steps: at least 17 steps apart.
    EXPECT_GE(took, std::chrono::milliseconds(15 * kEveryMs)) << "the steps set the pace";
    EXPECT_EQ(waitExit(cli, 10s), 0) << "quits after --count steps";
    EXPECT_TRUE(gateStateIs(tracePort_, "running")) << "and its leaving lets the server run";
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove(out);
    for (const char* kind :
         {" accept ", " read ", " worker_receive ", " reactor_write ", " close "})
        EXPECT_NE(text.str().find(kind), std::string::npos) << kind << " in:\n" << text.str();
    EXPECT_NE(text.str().find("payload=\"hello world\\n\""), std::string::npos);
}

// What a demo, a lesson or the viewer starts: `rscope client --trace-from` waits while the server
// is held, however short its timeout, and gets its reply once the learner steps the request
// through; the same client without --trace-from gives up at its timeout.
TEST_F(StepMode, AnArticleClientDoesNotTimeOutWhileTheServerIsHeld)
{
    TraceConnection trace(tracePort_);
    ASSERT_TRUE(trace.connected());
    ASSERT_TRUE(trace.sendLine("hold"));
    ASSERT_TRUE(gateStateIs(tracePort_, "held"));
    std::string port = std::to_string(server_.port());
    std::string traceFrom = fmt::format("127.0.0.1:{}", tracePort_);
    std::string awareOut = fmt::format("/tmp/rscope-held-client-{}.txt", ::getpid());
    std::string plainOut = fmt::format("/tmp/rscope-plain-client-{}.txt", ::getpid());
    pid_t plain = spawnRscope({"client", "--port", port, "--timeout-ms", "300"}, plainOut);
    ASSERT_GT(plain, 0);
    EXPECT_EQ(waitExit(plain, 5s), 1) << "a client that does not ask gives up while held";
    pid_t aware = spawnRscope(
        {"client", "--port", port, "--timeout-ms", "300", "--trace-from", traceFrom}, awareOut);
    ASSERT_GT(aware, 0);

    // Six of its timeouts pass while nobody steps: it is still waiting.
    auto drain = [&](std::chrono::milliseconds timeout)
    {
        int n = 0;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline)
        {
            std::string line = trace.nextLine(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (line.empty()) break;
            n += line.find("\"seq\"") != std::string::npos ? 1 : 0;
        }
        return n;
    };
    drain(1800ms);
    int status = 0;
    ASSERT_EQ(::waitpid(aware, &status, WNOHANG), 0) << "it gave up while the server was held";

    // Step until it has its reply (the steps also walk the plain client's leftovers).
    int steps = 0;
    int code = -2;
    while (steps < 600)
    {
        ASSERT_TRUE(trace.sendLine("step"));
        ++steps;
        drain(60ms);
        if (::waitpid(aware, &status, WNOHANG) == aware)
        {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    ASSERT_TRUE(trace.sendLine("run"));
    if (code == -2) code = waitExit(aware, 5s);
    std::ifstream in(awareOut);
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove(awareOut);
    std::filesystem::remove(plainOut);
    EXPECT_EQ(code, 0) << steps << " steps; client said:\n" << text.str();
    EXPECT_NE(text.str().find(std::string("Received: ") + kReply), std::string::npos) << text.str();
    EXPECT_GT(steps, 5) << "the reply came from the steps, not from a free run";
    EXPECT_EQ(server_.stop(), 0);
}

TEST(StepModeOff, WithoutTraceStepAHoldIsIgnoredAndTheHeaderSaysNothing)
{
    ServerProcess server({"--handler", "article", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "127.0.0.1:0"});
    ASSERT_TRUE(server.start());
    uint16_t tracePort = traceSocketPort(server.output());
    ASSERT_NE(tracePort, 0);
    TraceConnection trace(tracePort);
    json header = json::parse(trace.nextLine(2s));
    EXPECT_FALSE(header["settings"].contains("trace_step"));
    EXPECT_FALSE(header.contains("step_state"));
    ASSERT_TRUE(trace.sendLine("hold"));
    ASSERT_TRUE(trace.sendLine("step 3"));
    std::this_thread::sleep_for(50ms);  // the collector has read them
    {
        ArticleRequest request(server.port());
        EXPECT_TRUE(waitUntil([&] { return request.done(); }, 3s)) << "nothing pauses";
        EXPECT_EQ(request.reply(), kReply);
    }
    EXPECT_TRUE(trace.sendLine("run")) << "the connection stays open";
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.stderrText().find("needs rscope server --trace-step"), std::string::npos)
        << server.stderrText();
}

}  // namespace
}  // namespace rscope::testing
