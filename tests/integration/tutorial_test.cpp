// The tutorial engine against the real server: LessonServer leaves no process behind, actions
// have the effects the lessons rely on, and `rscope tutorial check|record` pass lessons 1 and 2
// without orphans. This process is a child subreaper, so any orphan of a command it runs becomes
// its child and is seen.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "engine/tutorial/checkpoint_tracker.h"
#include "engine/tutorial/lesson_runner.h"
#include "engine/tutorial/trace_stream.h"
#include "tests/integration/test_support.h"

namespace rscope::tutorial
{
namespace
{
using namespace std::chrono_literals;
using rscope::testing::rscopeBinary;

const std::vector<std::pair<std::string, std::string>> kFlags = {
    {"worker-num", "3"}, {"reactor-num", "2"}, {"handler", "echo"}};

struct CommandResult
{
    int status = -1;
    std::string out;
};

// Runs a shell command (bounded by `timeout`), capturing stdout and stderr.
CommandResult run(const std::string& command)
{
    CommandResult r;
    std::FILE* p = ::popen(("timeout 120 " + command + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

// Processes that were orphaned while this test ran and were handed to us (the subreaper).
std::vector<pid_t> adoptedOrphans()
{
    // Give an orphaned tree a moment to be reparented; reap the ones that already exited.
    std::this_thread::sleep_for(100ms);
    while (::waitpid(-1, nullptr, WNOHANG) > 0)
    {
    }
    std::vector<pid_t> alive;
    for (pid_t pid : rscope::testing::childrenOf(::getpid()))
        if (rscope::testing::processExists(pid)) alive.push_back(pid);
    return alive;
}

std::string pgrepGroup(pid_t pgid)
{
    return run("pgrep -g " + std::to_string(pgid)).out;
}

class TutorialLive : public ::testing::Test
{
  protected:
    static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
    void TearDown() override
    {
        std::vector<pid_t> left = adoptedOrphans();
        EXPECT_TRUE(left.empty()) << left.size() << " orphaned processes, first pid " << left[0];
        for (pid_t pid : left) ::kill(pid, SIGKILL);
    }
};

// Reads the stream until `tracker` is met or timeoutMs passes.
bool waitFor(TraceStream& stream, CheckpointTracker& tracker, int timeoutMs)
{
    int64_t deadline = base::monotonicMs() + timeoutMs;
    while (!tracker.met() && base::monotonicMs() < deadline)
        if (!stream.poll(20, [&](const StreamEvent& e) { tracker.observe(e.facts()); })) break;
    return tracker.met();
}

Matcher matcher(const std::string& kind, int count = 1)
{
    Matcher m;
    m.kinds = {kind};
    m.count = count;
    return m;
}

TEST_F(TutorialLive, LessonServerStartStopLeavesNoProcesses)
{
    LessonServer server(rscopeBinary());
    std::string error;
    ASSERT_TRUE(server.start(kFlags, error)) << error;
    EXPECT_TRUE(server.running());
    EXPECT_GT(server.port(), 0);
    EXPECT_EQ(server.traceAddress().rfind("127.0.0.1:", 0), 0u) << server.traceAddress();
    pid_t master = server.masterPid();
    // The tree is complete once the manager has forked every worker.
    std::vector<pid_t> tree;
    ASSERT_TRUE(rscope::testing::waitUntil(
        [&]
        {
            tree = rscope::testing::descendantsOf(master);
            return tree.size() == 4;  // manager + 3 workers
        },
        5s))
        << tree.size();
    EXPECT_FALSE(pgrepGroup(master).empty());
    server.stop();
    EXPECT_FALSE(server.running());
    EXPECT_FALSE(rscope::testing::processExists(master));
    for (pid_t pid : tree) EXPECT_FALSE(rscope::testing::processExists(pid)) << pid;
    EXPECT_EQ(pgrepGroup(master), "");
    server.stop();  // idempotent
}

// A lesson on a server someone else started: traffic goes to it, restarting it is refused, and
// stop() leaves it running for its owner.
TEST_F(TutorialLive, AttachedServerTakesTrafficButIsNotStoppedOrRestarted)
{
    LessonServer owner(rscopeBinary());
    std::string error;
    ASSERT_TRUE(owner.start(kFlags, error)) << error;
    LessonServer attached(rscopeBinary());
    attached.attach(owner.port(), owner.traceAddress(), owner.masterPid());
    EXPECT_TRUE(attached.attached());
    EXPECT_TRUE(attached.running());
    EXPECT_EQ(attached.port(), owner.port());

    TraceStream stream;
    ASSERT_TRUE(stream.connect(attached.traceAddress(), 5000, error)) << error;
    ActionRunner actions(attached, rscopeBinary());
    Lesson lesson;
    lesson.server = kFlags;
    Action send;
    send.kind = "send_article";
    Checkpoint cp;
    cp.events = {matcher("reactor_write")};
    CheckpointTracker tracker(cp);
    ASSERT_TRUE(actions.run(send, lesson, nullptr, error)) << error;
    EXPECT_TRUE(waitFor(stream, tracker, 5000)) << "the attached server got no request";

    Action restart;
    restart.kind = "restart_server";
    EXPECT_FALSE(actions.run(restart, lesson, nullptr, error));
    EXPECT_NE(error.find("did not start"), std::string::npos) << error;
    actions.waitIdle(5000);
    attached.stop();
    EXPECT_FALSE(attached.attached());
    EXPECT_TRUE(owner.running()) << "stop() of an attached server must leave it running";
    owner.stop();
}

TEST_F(TutorialLive, ServerThatCannotStartReportsWhy)
{
    LessonServer server(rscopeBinary());
    std::string error;
    EXPECT_FALSE(server.start({{"dispatch-mode", "9"}}, error));
    EXPECT_NE(error.find("exited during startup"), std::string::npos) << error;
    EXPECT_NE(error.find("dispatch-mode"), std::string::npos) << error;
    EXPECT_FALSE(server.running());
}

TEST_F(TutorialLive, MissingBinaryIsReportedWithoutStartingAnything)
{
    LessonServer server("/nonexistent/rscope");
    std::string error;
    EXPECT_FALSE(server.start(kFlags, error));
    EXPECT_EQ(error, "/nonexistent/rscope: not an executable rscope binary");
    EXPECT_FALSE(server.running());
}

TEST_F(TutorialLive, ListCommandShowsEveryLesson)
{
    CommandResult r = run(rscopeBinary() + " tutorial list --dir " RSCOPE_SOURCE_DIR "/tutorials");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("01-startup                7 steps  Startup: how a process-mode server"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("02-one-request"), std::string::npos) << r.out;
    CommandResult zh =
        run(rscopeBinary() + " tutorial list --lang zh --dir " RSCOPE_SOURCE_DIR "/tutorials");
    EXPECT_NE(zh.out.find("启动："), std::string::npos) << zh.out;
}

TEST_F(TutorialLive, KillWorkerActionRestartsThatWorker)
{
    LessonServer server(rscopeBinary());
    std::string error;
    ASSERT_TRUE(server.start(kFlags, error)) << error;
    TraceStream stream;
    ASSERT_TRUE(stream.connect(server.traceAddress(), 3000, error)) << error;
    Checkpoint started;
    started.events = {matcher("worker_start", 3)};
    CheckpointTracker startup(started);
    ASSERT_TRUE(waitFor(stream, startup, 5000));
    pid_t old = stream.workerPid(1);
    ASSERT_GT(old, 0);

    Lesson lesson;
    lesson.server = kFlags;
    ActionRunner actions(server, rscopeBinary());
    Action kill;
    kill.kind = "kill_worker";
    kill.worker = 1;
    Checkpoint restarted;
    Matcher restart = matcher("worker_restart");
    restart.ids["worker"].text = "1";
    restart.args["signal"].text = std::to_string(SIGKILL);
    restart.args["old_pid"].text = std::to_string(old);
    Matcher start = matcher("worker_start");
    start.ids["worker"].text = "1";
    restarted.events = {restart, start};
    // After fork the successor may run first: its worker_start can precede worker_restart.
    restarted.inOrder = false;
    CheckpointTracker tracker(restarted, base::monotonicNs());
    ASSERT_TRUE(actions.run(
        kill, lesson, [&](int w) { return stream.workerPid(w); }, error))
        << error;
    EXPECT_TRUE(waitFor(stream, tracker, 5000)) << "matched " << tracker.satisfied();
    // SIGKILL leaves no chance for a worker_exit: the manager's worker_restart tells the story.
    EXPECT_FALSE(rscope::testing::processExists(old));
    EXPECT_NE(stream.workerPid(1), old);
    EXPECT_TRUE(rscope::testing::processExists(stream.workerPid(1)));
    server.stop();
}

TEST_F(TutorialLive, ReloadActionReplacesEveryWorkerWithExitRestartAndStart)
{
    LessonServer server(rscopeBinary());
    std::string error;
    ASSERT_TRUE(server.start(kFlags, error)) << error;
    TraceStream stream;
    ASSERT_TRUE(stream.connect(server.traceAddress(), 3000, error)) << error;
    Checkpoint started;
    started.events = {matcher("worker_start", 3)};
    CheckpointTracker startup(started);
    ASSERT_TRUE(waitFor(stream, startup, 5000));

    ActionRunner actions(server, rscopeBinary());
    Action reload;
    reload.kind = "reload";
    Checkpoint replaced;
    replaced.events = {matcher("reload_begin"), matcher("worker_exit", 3),
                       matcher("worker_restart", 3), matcher("worker_start", 3),
                       matcher("reload_end")};
    replaced.inOrder = false;
    CheckpointTracker tracker(replaced, base::monotonicNs());
    ASSERT_TRUE(actions.run(reload, Lesson{}, nullptr, error)) << error;
    EXPECT_TRUE(waitFor(stream, tracker, 8000)) << "matched " << tracker.satisfied();
    server.stop();
}

// Lesson 12's busy worker: a request is inside onReceive (a sleeping handler), its checkpoint
// binds the worker, and "worker": "$w" kills exactly that one. The request is lost: its
// callback never returns and no reply is written.
TEST_F(TutorialLive, KillWorkerNamedByAVariableKillsTheWorkerInsideOnReceive)
{
    const std::vector<std::pair<std::string, std::string>> flags = {
        {"worker-num", "3"}, {"reactor-num", "2"}, {"handler", "sleep:3000"}};
    LessonServer server(rscopeBinary());
    std::string error;
    ASSERT_TRUE(server.start(flags, error)) << error;
    TraceStream stream;
    ASSERT_TRUE(stream.connect(server.traceAddress(), 3000, error)) << error;
    Checkpoint started;
    started.events = {matcher("worker_start", 3)};
    CheckpointTracker startup(started);
    ASSERT_TRUE(waitFor(stream, startup, 5000));

    Lesson lesson;
    lesson.server = flags;
    ActionRunner actions(server, rscopeBinary());
    auto pids = [&](int w) { return stream.workerPid(w); };
    Action send;
    send.kind = "send_article";
    Checkpoint inside;
    Matcher enter = matcher("callback_enter");
    enter.ids["worker"].variable = "$w";
    enter.ids["session"].variable = "$s";
    enter.args["callback"].text = "onReceive";
    inside.events = {enter};
    CheckpointTracker entered(inside, base::monotonicNs());
    ASSERT_TRUE(actions.run(send, lesson, pids, error)) << error;
    ASSERT_TRUE(waitFor(stream, entered, 5000));
    const std::string worker = entered.bindings().at("$w");
    const std::string session = entered.bindings().at("$s");
    pid_t busy = stream.workerPid(std::stoi(worker));

    Action kill;
    kill.kind = "kill_worker";
    kill.workerVariable = "$w";
    Action resolved;
    ASSERT_TRUE(resolveAction(kill, entered.bindings(), resolved, error)) << error;
    EXPECT_EQ(resolved.worker, std::stoi(worker));
    Checkpoint restarted;
    Matcher restart = matcher("worker_restart");
    restart.ids["worker"].text = worker;
    restart.args["signal"].text = std::to_string(SIGKILL);
    restart.args["old_pid"].text = std::to_string(busy);
    restarted.events = {restart};
    CheckpointTracker tracker(restarted, base::monotonicNs());
    ASSERT_TRUE(actions.run(resolved, lesson, pids, error)) << error;
    // Whatever the request's session does from now on (the client gives up after 3 s), its
    // callback never returns and no reply reaches the client.
    int replies = 0;
    int64_t deadline = base::monotonicMs() + 4500;
    while (base::monotonicMs() < deadline &&
           stream.poll(20,
                       [&](const StreamEvent& e)
                       {
                           tracker.observe(e.facts());
                           EventFacts f = e.facts();
                           if (f.session && std::to_string(*f.session) == session &&
                               (f.kind == "callback_exit" || f.kind == "reactor_write"))
                               ++replies;
                       }))
    {
    }
    EXPECT_TRUE(tracker.met()) << "matched " << tracker.satisfied();
    EXPECT_EQ(replies, 0);
    EXPECT_FALSE(rscope::testing::processExists(busy));
    server.stop();
}

// send_burst: the messages leave in one segment, so a raw server reads them in one read and
// runs one onReceive with all of them; eof framing splits them again.
TEST_F(TutorialLive, SendBurstIsOneReadRawAndOneFramePerMessageWithEof)
{
    for (const char* protocol : {"raw", "eof"})
    {
        const std::vector<std::pair<std::string, std::string>> flags = {{"worker-num", "2"},
                                                                        {"reactor-num", "1"},
                                                                        {"handler", "echo"},
                                                                        {"protocol", protocol},
                                                                        {"package-eof", "\\n"}};
        LessonServer server(rscopeBinary());
        std::string error;
        ASSERT_TRUE(server.start(flags, error)) << error;
        TraceStream stream;
        ASSERT_TRUE(stream.connect(server.traceAddress(), 3000, error)) << error;
        ActionRunner actions(server, rscopeBinary());
        Action burst;
        burst.kind = "send_burst";
        burst.count = 3;
        burst.message = "hello\n";
        Checkpoint cp;
        Matcher read = matcher("read");
        read.ids["session"].variable = "$s";
        read.args["bytes"].text = "18";
        Matcher received = matcher("worker_receive");
        received.ids["session"].variable = "$s";
        received.args["len"].text = std::string(protocol) == "raw" ? "18" : "6";
        received.count = std::string(protocol) == "raw" ? 1 : 3;
        Matcher written = matcher("reactor_write", received.count);
        written.ids["session"].variable = "$s";
        cp.events = {read, received, written};
        CheckpointTracker tracker(cp, base::monotonicNs());
        ASSERT_TRUE(actions.run(burst, Lesson{}, nullptr, error)) << error;
        EXPECT_TRUE(waitFor(stream, tracker, 5000))
            << protocol << ": matched " << tracker.satisfied();
        EXPECT_TRUE(actions.waitIdle(3000));
        server.stop();
    }
}

TEST_F(TutorialLive, PauseAndResumeWorkerStopAndContinueIt)
{
    LessonServer server(rscopeBinary());
    std::string error;
    ASSERT_TRUE(server.start(kFlags, error)) << error;
    TraceStream stream;
    ASSERT_TRUE(stream.connect(server.traceAddress(), 3000, error)) << error;
    Checkpoint started;
    started.events = {matcher("worker_start", 3)};
    CheckpointTracker startup(started);
    ASSERT_TRUE(waitFor(stream, startup, 5000));
    pid_t pid = stream.workerPid(0);
    auto state = [&]
    {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        std::getline(in, line);
        return line.substr(line.rfind(')') + 2, 1);
    };
    {
        ActionRunner actions(server, rscopeBinary());
        Action pause;
        pause.kind = "pause_worker";
        pause.worker = 0;
        auto pids = [&](int w) { return stream.workerPid(w); };
        ASSERT_TRUE(actions.run(pause, Lesson{}, pids, error)) << error;
        EXPECT_TRUE(rscope::testing::waitUntil([&] { return state() == "T"; }, 2s)) << state();
        // The runner resumes what it paused when it goes away, so a stop never hangs on it.
    }
    EXPECT_TRUE(rscope::testing::waitUntil([&] { return state() != "T"; }, 2s)) << state();
    server.stop();
}

TEST_F(TutorialLive, CheckCommandPassesLessonsOneAndTwo)
{
    CommandResult r = run(rscopeBinary() + " tutorial check 01-startup 02-one-request --dir " +
                          RSCOPE_SOURCE_DIR "/tutorials");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("01-startup step 7/7: ok ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("02-one-request step 7/7: ok ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("tutorial check: 2 of 2 lessons passed"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("FAILED"), std::string::npos) << r.out;
}

// The issue's acceptance test: every lesson of tutorials/, headless against a live server.
TEST_F(TutorialLive, CheckAllPassesEveryLesson)
{
    CommandResult r =
        run(rscopeBinary() + " tutorial check --all --dir " RSCOPE_SOURCE_DIR "/tutorials");
    EXPECT_EQ(r.status, 0) << r.out;
    size_t lessons = lessonFiles(RSCOPE_SOURCE_DIR "/tutorials").size();
    EXPECT_NE(r.out.find("tutorial check: " + std::to_string(lessons) + " of " +
                         std::to_string(lessons) + " lessons passed"),
              std::string::npos)
        << r.out;
}

// A lesson with every action and a last checkpoint that cannot hold: check runs them all against
// the real server, prints the hint in Chinese, exits 1, and leaves nothing running.
TEST_F(TutorialLive, CheckCommandRunsEveryActionAndReportsAFailedCheckpoint)
{
    char dir[] = "/tmp/rscope-tutorial-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    std::string path = std::string(dir) + "/09-actions.json";
    std::ofstream(path) << R"({"format":"reactorscope-tutorial","version":1,"id":"09-actions",
"title":{"en":"t","zh":"t"},"summary":{"en":"s","zh":"s"},
"server":{"worker-num":2,"reactor-num":2,"handler":"echo"},
"steps":[
 {"text":{"en":"a","zh":"a"},"action":{"do":"start_server"},
  "checkpoint":{"events":[{"kind":"worker_start","count":2}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"send_article"},
  "checkpoint":{"events":[{"kind":"read","session":"$s"},{"kind":"reactor_write","session":"$s"}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"client_close"},
  "checkpoint":{"events":[{"kind":"peer_close","args":{"cause":"eof"}},{"kind":"close","args":{"cause":"eof"}}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"open_connections","count":3,"send":true,"hold_ms":200},
  "checkpoint":{"events":[{"kind":"accept","count":3},{"kind":"close","count":3}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"send_requests","count":40,"connections":4},
  "checkpoint":{"events":[{"kind":"reactor_write","count":40}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"send_big","bytes":1000000},
  "checkpoint":{"events":[{"kind":"read","session":"$s","count":2},{"kind":"close","session":"$s"}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"slow_reader","ms":100}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"pause_worker","worker":1}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"resume_worker","worker":1}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"kill_worker","worker":0},
  "checkpoint":{"events":[{"kind":"worker_restart","worker":0,"args":{"signal":9}},{"kind":"worker_start","worker":0}],"order":"any_order","hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"restart_server","server":{"worker-num":3}},
  "checkpoint":{"events":[{"kind":"server_start","args":{"worker_num":3}},{"kind":"worker_start","count":3}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},"action":{"do":"stop_server"},
  "checkpoint":{"events":[{"kind":"shutdown","args":{"phase":"complete"}}],"hint":{"en":"h","zh":"h"}}},
 {"text":{"en":"a","zh":"a"},
  "checkpoint":{"events":[{"kind":"accept"}],"timeout_ms":300,"hint":{"en":"no accept","zh":"没有连接"}}}
]})";
    CommandResult r = run(rscopeBinary() + " tutorial check --all --lang zh --dir " + dir);
    std::remove(path.c_str());
    ::rmdir(dir);
    EXPECT_EQ(r.status, 1) << r.out;
    for (int step = 1; step <= 12; ++step)
        EXPECT_NE(r.out.find("09-actions step " + std::to_string(step) + "/13: ok"),
                  std::string::npos)
            << "step " << step << ":\n"
            << r.out;
    EXPECT_NE(r.out.find("09-actions step 13/13: FAILED: 没有连接; matched 0 of 1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("tutorial check: 0 of 1 lessons passed"), std::string::npos) << r.out;
}

TEST_F(TutorialLive, RecordedLessonPassesTraceAndModelChecks)
{
    std::string out = "/tmp/rscope-tutorial-record-" + std::to_string(::getpid()) + ".jsonl";
    CommandResult r = run(rscopeBinary() + " tutorial record 02-one-request --dir " +
                          RSCOPE_SOURCE_DIR "/tutorials --out " + out);
    EXPECT_EQ(r.status, 0) << r.out;
    CommandResult check = run(rscopeBinary() + " trace check --model " + out);
    EXPECT_EQ(check.status, 0) << check.out;
    EXPECT_NE(check.out.find(" 0 errors, 0 warnings"), std::string::npos) << check.out;
    EXPECT_NE(check.out.find("0 model findings"), std::string::npos) << check.out;
    // The whole request is in it, in the order the lesson teaches.
    std::ifstream in(out);
    std::string line;
    std::vector<std::string> kinds;
    while (std::getline(in, line))
    {
        StreamEvent e;
        if (parseEventLine(line, e)) kinds.push_back(e.kind);
    }
    std::vector<std::string> want = {"accept",   "reactor_register", "connect_notify", "read",
                                     "dispatch", "send_request",     "reactor_write",  "close"};
    size_t at = 0;
    for (const std::string& k : kinds)
        if (at < want.size() && k == want[at]) ++at;
    EXPECT_EQ(at, want.size()) << "missing " << (at < want.size() ? want[at] : "");
    std::remove(out.c_str());
}

// What a recording of one scenario must repeat: per actor role, the kinds in order (with the
// message type or callback), up to the server's shutdown (teardown is not part of the lesson).
std::map<std::string, std::vector<std::string>> scenarioShape(const std::string& path)
{
    std::map<std::string, std::vector<std::string>> shape;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
    {
        StreamEvent e;
        if (!parseEventLine(line, e)) continue;
        if (e.kind == "shutdown") break;
        std::string detail = e.argText("type").value_or(e.argText("callback").value_or(""));
        shape[e.role].push_back(e.kind + "/" + detail);
    }
    return shape;
}

TEST_F(TutorialLive, RecordingTheSameLessonTwiceGivesTheSameEventsPerRole)
{
    std::string a = "/tmp/rscope-tutorial-shape-a-" + std::to_string(::getpid()) + ".jsonl";
    std::string b = "/tmp/rscope-tutorial-shape-b-" + std::to_string(::getpid()) + ".jsonl";
    for (const std::string& out : {a, b})
    {
        CommandResult r = run(rscopeBinary() + " tutorial record 02-one-request --dir " +
                              RSCOPE_SOURCE_DIR "/tutorials --out " + out);
        ASSERT_EQ(r.status, 0) << r.out;
    }
    auto shapeA = scenarioShape(a);
    // server_start, 4 pipe_create, listen, accept, reactor_assign, pipe_write (INCOMING).
    EXPECT_EQ(shapeA["master"].size(), 9u);
    EXPECT_EQ(shapeA, scenarioShape(b));
    std::remove(a.c_str());
    std::remove(b.c_str());
}

}  // namespace
}  // namespace rscope::tutorial
