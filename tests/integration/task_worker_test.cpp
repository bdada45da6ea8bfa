// Task workers and messages between workers (model section 10) on the real server: the task:MS
// and message handlers answer byte for byte, the trace shows which process ran what, the
// manager forks task workers and restarts a killed one, shutdown stops event workers first.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/tracefile/model_check.h"
#include "engine/tracefile/trace_check.h"
#include "tests/integration/test_support.h"

namespace rscope::testing
{
namespace
{

using namespace std::chrono_literals;
using nlohmann::json;

std::string payload(int conn, int req, size_t size)
{
    std::string s = fmt::format("c{}r{}:", conn, req);
    while (s.size() < size) s += static_cast<char>('a' + (conn * 5 + req + s.size()) % 26);
    s.resize(size);
    return s;
}

std::string tempTrace(const char* name)
{
    return fmt::format("/tmp/rscope-task-{}-{}.jsonl", name, ::getpid());
}

std::vector<json> events(const std::string& path)
{
    std::vector<json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
    {
        json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("kind")) out.push_back(std::move(j));
    }
    return out;
}

std::string commOf(pid_t pid)
{
    std::ifstream in(fmt::format("/proc/{}/comm", pid));
    std::string name;
    std::getline(in, name);
    return name;
}

// Sends `requests` unique payloads on each of `conns` connections and checks every echo.
int echoRounds(uint16_t port, int conns, int requests, size_t size)
{
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int c = 0; c < conns; ++c) clients.push_back(std::make_unique<TestClient>(port));
    int verified = 0;
    for (int r = 0; r < requests; ++r)
    {
        for (int c = 0; c < conns; ++c) EXPECT_TRUE(clients[c]->sendAll(payload(c, r, size)));
        for (int c = 0; c < conns; ++c)
        {
            std::string want = payload(c, r, size);
            std::string got = clients[c]->recvExact(want.size());
            EXPECT_EQ(got, want) << "conn " << c << " req " << r;
            verified += got == want;
        }
    }
    return verified;
}

void expectCleanChecks(const std::string& path)
{
    std::vector<std::string> problems;
    tracefile::CheckSummary summary = tracefile::checkTrace(
        path, [&](const tracefile::Problem& p) { problems.push_back(p.where.toString()); });
    EXPECT_TRUE(summary.ok()) << summary.toString() << "\n"
                              << (problems.empty() ? "" : problems[0]);
    EXPECT_EQ(summary.warnings, 0u) << (problems.empty() ? "" : problems[0]);
    std::vector<tracefile::ModelFinding> findings = tracefile::checkModel(path);
    EXPECT_TRUE(findings.empty()) << findings.size() << " model findings";
}

TEST(TaskWorker, TaskHandlerAnswersEveryRequestAndTheTraceShowsWhichProcessRanWhat)
{
    std::string file = tempTrace("answers");
    ServerProcess server({"--handler", "task:2", "--worker-num", "2", "--reactor-num", "2",
                          "--task-worker-num", "2", "--trace-listen", "off", "--trace-file", file});
    ASSERT_TRUE(server.start());
    EXPECT_EQ(echoRounds(server.port(), 10, 10, 64), 100);
    ASSERT_EQ(server.stop(), 0);

    std::vector<json> all = events(file);
    std::map<uint64_t, int> dispatcherByFlow;  // flow -> event worker that called task()
    int dispatches = 0, finishes = 0, onTask = 0, onFinish = 0;
    std::vector<std::string> phases;
    for (const json& e : all)
    {
        std::string kind = e["kind"];
        std::string role = e["actor"]["role"];
        int index = e["actor"]["index"];
        if (kind == "task_dispatch")
        {
            ++dispatches;
            EXPECT_EQ(role, "worker");
            int target = e["args"]["target"];
            EXPECT_TRUE(target == 2 || target == 3) << e.dump();
            EXPECT_EQ(e["worker"], target);
            dispatcherByFlow[e["flow"].get<uint64_t>()] = index;
        }
        if (kind == "task_finish")
        {
            ++finishes;
            EXPECT_EQ(role, "task_worker");
            EXPECT_EQ(e["fn"], "swTaskWorker_finish");
            uint64_t flow = e["flow"];
            ASSERT_TRUE(dispatcherByFlow.count(flow)) << "finish before its dispatch: " << e.dump();
            EXPECT_EQ(e["args"]["to_worker"], dispatcherByFlow[flow]) << "back to the caller";
        }
        if (kind == "callback_enter" && e["args"]["callback"] == "onTask")
        {
            ++onTask;
            EXPECT_EQ(role, "task_worker");
            EXPECT_EQ(e["fn"], "swTaskWorker_onTask");
        }
        if (kind == "callback_enter" && e["args"]["callback"] == "onFinish")
        {
            ++onFinish;
            EXPECT_EQ(role, "worker");
            EXPECT_EQ(e["fn"], "swWorker_onTask");
            EXPECT_EQ(dispatcherByFlow[e["flow"].get<uint64_t>()], index) << "in the caller";
        }
        if (kind == "worker_receive" && role == "task_worker")
        {
            EXPECT_EQ(e["fn"], "swProcessPool_worker_loop");
        }
        if (kind == "shutdown") phases.push_back(e["args"]["phase"]);
    }
    EXPECT_EQ(dispatches, 100);
    EXPECT_EQ(finishes, 100);
    EXPECT_EQ(onTask, 100);
    EXPECT_EQ(onFinish, 100);
    // The manager stops the event workers first, then the task workers (model 10.5).
    auto at = [&](const char* phase)
    { return std::find(phases.begin(), phases.end(), phase) - phases.begin(); };
    EXPECT_LT(at("workers_stopped"), at("task_workers_stopped"));
    EXPECT_LT(at("task_workers_stopped"), static_cast<long>(phases.size()));
    expectCleanChecks(file);
    std::filesystem::remove(file);
}

TEST(TaskWorker, TaskWorkersRunUnderTheManagerAndAKilledOneIsRestarted)
{
    std::string file = tempTrace("restart");
    ServerProcess server({"--handler", "task:1", "--worker-num", "2", "--reactor-num", "1",
                          "--task-worker-num", "2", "--trace-listen", "off", "--trace-file", file});
    ASSERT_TRUE(server.start());
    std::vector<pid_t> managers = childrenOf(server.pid());
    ASSERT_EQ(managers.size(), 1u);
    pid_t manager = managers[0];
    // A child is named (rs-task-2 ...) once it runs its role; until then it has the manager's.
    const std::vector<std::string> names = {"rs-worker-0", "rs-worker-1", "rs-task-2", "rs-task-3"};
    std::map<std::string, pid_t> byName;
    bool allNamed = waitUntil(
        [&]
        {
            byName.clear();
            for (pid_t child : childrenOf(manager)) byName[commOf(child)] = child;
            return std::all_of(names.begin(), names.end(),
                               [&](const std::string& n) { return byName.count(n) > 0; });
        },
        3s);
    ASSERT_TRUE(allNamed) << byName.size() << " children named as the model says";
    EXPECT_EQ(childrenOf(manager).size(), 4u);
    pid_t victim = byName["rs-task-2"];
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    pid_t successor = 0;
    ASSERT_TRUE(waitUntil(
        [&]
        {
            for (pid_t child : childrenOf(manager))
                if (child != victim && commOf(child) == "rs-task-2") successor = child;
            return successor > 0;
        },
        2s))
        << "a new task worker 2 within 2 s";
    // Both task workers serve again: enough tasks at once that each gets some.
    EXPECT_EQ(echoRounds(server.port(), 8, 5, 32), 40);
    ASSERT_EQ(server.stop(), 0);
    EXPECT_FALSE(processExists(successor));

    int restarts = 0;
    std::set<int> ranTasks;
    for (const json& e : events(file))
    {
        if (e["kind"] == "task_worker_restart")
        {
            ++restarts;
            EXPECT_EQ(e["worker"], 2);
            EXPECT_EQ(e["args"]["old_pid"], victim);
            EXPECT_EQ(e["args"]["new_pid"], successor);
            EXPECT_EQ(e["args"]["signal"], SIGKILL);
        }
        if (e["kind"] == "callback_enter" && e["args"]["callback"] == "onTask")
            ranTasks.insert(e["actor"]["pid"].get<int>());
    }
    EXPECT_EQ(restarts, 1);
    EXPECT_TRUE(ranTasks.count(successor)) << "the successor ran tasks";
    std::filesystem::remove(file);
}

TEST(TaskWorker, MessageHandlerRepliesFromTheNextWorkersOnPipeMessage)
{
    std::string file = tempTrace("message");
    ServerProcess server({"--handler", "message", "--worker-num", "3", "--reactor-num", "1",
                          "--trace-listen", "off", "--trace-file", file});
    ASSERT_TRUE(server.start());
    EXPECT_EQ(echoRounds(server.port(), 6, 5, 48), 30);
    ASSERT_EQ(server.stop(), 0);
    std::map<uint64_t, int> receiverByFlow;
    int messages = 0;
    for (const json& e : events(file))
    {
        if (e["kind"] == "callback_enter" && e["args"]["callback"] == "onReceive")
            receiverByFlow[e["flow"].get<uint64_t>()] = e["actor"]["index"];
        if (e["kind"] == "callback_enter" && e["args"]["callback"] == "onPipeMessage")
        {
            ++messages;
            int from = receiverByFlow[e["flow"].get<uint64_t>()];
            EXPECT_EQ(e["actor"]["index"], (from + 1) % 3) << "the next worker runs it";
        }
    }
    EXPECT_EQ(messages, 30);
    expectCleanChecks(file);
    std::filesystem::remove(file);
}

TEST(TaskWorker, ATaskBiggerThanADatagramIsChunkedAndArrivesIntact)
{
    std::string file = tempTrace("big");
    ServerProcess server({"--handler", "task:0", "--worker-num", "1", "--reactor-num", "1",
                          "--task-worker-num", "1", "--package-max-length", "1048576", "--protocol",
                          "eof", "--package-eof", "\\r\\n", "--trace-listen", "off", "--trace-file",
                          file});
    ASSERT_TRUE(server.start());
    // One eof-framed packet of 300 KiB: one onReceive, one task of 300 KiB (with its "\r\n").
    TestClient client(server.port(), 10000);
    std::string big = payload(1, 1, 300 * 1024) + "\r\n";
    ASSERT_TRUE(client.sendAll(big));
    std::string got;
    while (got.size() < big.size())
    {
        std::string part = client.recvExact(1);
        if (part.empty()) break;
        got += part;
    }
    EXPECT_EQ(got.size(), big.size());
    EXPECT_TRUE(got == big) << "the echo differs";  // not printed: 300 KiB
    client.close();
    ASSERT_EQ(server.stop(), 0);
    int64_t chunks = 0;
    for (const json& e : events(file))
        if (e["kind"] == "pipe_write" && e["args"]["direction"] == "to_task_worker")
            chunks = std::max<int64_t>(chunks, e["args"]["chunks"].get<int64_t>());
    EXPECT_EQ(chunks, (static_cast<int64_t>(big.size()) + 65487) / 65488)
        << "the task spans ceil(bytes / 65488) datagrams (64 KiB less the 48-byte header)";
    std::filesystem::remove(file);
}

TEST(TaskWorker, SettingsWeCannotRunAreRefusedWithAReason)
{
    struct Case
    {
        std::vector<std::string> args;
        const char* says;
    };
    const Case cases[] = {
        {{"--task-worker-num", "1", "--task-ipc-mode", "2"}, "task_ipc_mode must be 1"},
        {{"--mode", "base", "--task-worker-num", "1"}, "task workers need process mode"},
        {{"--handler", "task:5"}, "needs task workers"},
    };
    for (const Case& c : cases)
    {
        std::string out = fmt::format("/tmp/rscope-task-refused-{}.txt", ::getpid());
        std::vector<std::string> args = {"server", "--port", "0", "--trace-listen", "off"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        pid_t pid = spawnRscope(args, out);
        int status = 0;
        ASSERT_TRUE(waitUntil([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, 5s));
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << c.says;
        std::ifstream in(out);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_NE(text.find(c.says), std::string::npos) << text;
        std::filesystem::remove(out);
    }
}

}  // namespace
}  // namespace rscope::testing
