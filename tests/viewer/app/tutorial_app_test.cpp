// rscope-viewer --tutorial end to end under Xvfb: a lesson run live on the viewer's own server
// (the dump's tutorial state, Chinese text, no server process left after exit), a lesson whose
// server cannot start falling back to its recording (steps walked, highlights in the picture),
// and an unknown lesson refused by name.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/viewer/app/viewer_run.h"

namespace
{

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kViewer = RSCOPE_VIEWER;
const std::string kArticle = std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";

using rscope::viewer::test::readFile;
using rscope::viewer::test::TempDir;

struct ViewerRun
{
    int exitCode = -1;  // -1: killed after the timeout
    std::string err;
    json dump;
    bool png = false;
};

// The viewer under its own Xvfb with a screenshot and a layout dump, bounded by `timeout`.
ViewerRun runViewer(const TempDir& dir, std::vector<std::string> args, std::chrono::seconds timeout)
{
    std::string png = dir.file("shot.png"), dump = dir.file("dump.json");
    args.insert(args.begin(), {"--screenshot", png, "--dump-layout", dump});
    rscope::viewer::test::RunResult run =
        rscope::viewer::test::runViewer(kViewer, dir, args, timeout);
    ViewerRun r;
    r.exitCode = run.exitCode;
    r.err = run.err;
    if (fs::exists(dump)) r.dump = json::parse(readFile(dump), nullptr, false);
    r.png = fs::exists(png) && fs::file_size(png) > 0;
    return r;
}

void expectServerGone(const json& dump);

// A process is gone when signal 0 finds no such pid (a zombie would still answer).
bool gone(int pid)
{
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// UTF-8 of the CJK Unified Ideographs (U+4E00..U+9FFF) starts with 0xE4..0xE9.
bool hasChinese(const std::string& s)
{
    for (size_t i = 0; i + 2 < s.size(); ++i)
    {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0xE4 && c <= 0xE9) return true;
    }
    return false;
}

const json* findById(const json& list, const std::string& id)
{
    for (const json& item : list)
        if (item.value("id", "") == id) return &item;
    return nullptr;
}

TEST(TutorialApp, LiveLessonInChineseReportsItsStepAndLeavesNoServerBehind)
{
    TempDir dir;
    // Step 2 after its predecessor: ~4 s of live frames at 60 per second.
    ViewerRun r = runViewer(
        dir,
        {"--tutorial", "01-startup", "--lang", "zh", "--tutorial-step", "2", "--frames", "240"},
        90s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_TRUE(r.dump.contains("tutorial")) << r.dump.dump();
    const json& t = r.dump["tutorial"];
    EXPECT_EQ(t["id"], "01-startup");
    EXPECT_EQ(t["lang"], "zh");
    EXPECT_EQ(t["mode"], "live") << r.err;
    EXPECT_EQ(t["step"], 2);
    EXPECT_GE(t["steps"].get<int>(), 2);
    EXPECT_TRUE(hasChinese(t["text"].get<std::string>())) << t["text"];
    EXPECT_TRUE(hasChinese(t["title"].get<std::string>())) << t["title"];
    const std::string status = t["status"];
    EXPECT_TRUE(status == "met" || status == "none" || status == "waiting" || status == "timed_out")
        << status;
    EXPECT_TRUE(r.dump.contains("live")) << "the viewer watched its own server's trace";
    EXPECT_GT(r.dump["events"].get<int>(), 5) << "the server's startup reached the viewer";
    EXPECT_TRUE(r.png);

    // The viewer stopped what it started: the master and every process the trace named.
    const json& server = t["server"];
    ASSERT_TRUE(server.contains("master_pid")) << server.dump();
    int master = server["master_pid"];
    ASSERT_GT(master, 0);
    EXPECT_TRUE(gone(master)) << "master pid " << master;
    ASSERT_FALSE(server["pids"].empty()) << "the header names the server's processes";
    for (const json& pid : server["pids"]) EXPECT_TRUE(gone(pid.get<int>())) << pid;
}

// The article's request, live: the first step's client runs once the viewer watches the trace,
// and every later step is met by the same request's events (they share its window).
TEST(TutorialApp, LiveOneRequestLessonMeetsEveryStep)
{
    TempDir dir;
    json l =
        json::parse(readFile(std::string(RSCOPE_SOURCE_DIR) + "/tutorials/02-one-request.json"));
    int steps = static_cast<int>(l["steps"].size());
    ViewerRun r = runViewer(dir,
                            {"--tutorial", "02-one-request", "--tutorial-step",
                             std::to_string(steps), "--frames", "240"},
                            90s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json& t = r.dump["tutorial"];
    EXPECT_EQ(t["mode"], "live") << r.err;
    EXPECT_EQ(t["step"], steps);
    EXPECT_EQ(t["status"], "met") << t.dump();
    EXPECT_EQ(t["walked"], json(std::vector<std::string>(steps - 1, "met"))) << t.dump();
    // The highlights name the worker the server really chose ($w bound by the checkpoints).
    for (const json& id : t["highlight"]["nodes"])
        EXPECT_EQ(id.get<std::string>().find('$'), std::string::npos) << id;
    expectServerGone(r.dump);
}

TEST(TutorialApp, ServerThatCannotStartFallsBackToTheRecordingAndWalksItsSteps)
{
    TempDir dir;
    // `rscope server` refuses an unknown flag: the lesson runs on its recording.
    json lesson = {
        {"format", "reactorscope-tutorial"},
        {"version", 1},
        {"id", "fallback"},
        {"title", {{"en", "Fallback"}, {"zh", "回放"}}},
        {"summary", {{"en", "A recording."}, {"zh", "一段录制。"}}},
        {"server", {{"mode", "process"}, {"no-such-flag", 1}}},
        {"replay", kArticle},
        {"steps",
         {{{"text", {{"en", "Read."}, {"zh", "阅读。"}}}},
          {{"text", {{"en", "Worker 2 takes the request."}, {"zh", "worker 2 处理请求。"}}},
           {"highlight",
            {{"picture", "architecture"},
             {"nodes", {"worker[$w]"}},  // the worker the checkpoint binds
             {"edges", {"pipe[0->$w]"}}}},
           {"checkpoint",
            {{"events",
              {{{"kind", "worker_receive"}, {"worker", "$w"}, {"args", {{"type", "RECV_DATA"}}}}}},
             {"hint", {{"en", "Send a request."}, {"zh", "发送请求。"}}}}}}}}};
    std::string path = dir.file("fallback.json");
    std::ofstream(path) << lesson.dump(2);

    ViewerRun r = runViewer(dir, {"--tutorial", path, "--tutorial-step", "2"}, 60s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("did not start"), std::string::npos) << r.err;
    ASSERT_TRUE(r.dump.contains("tutorial")) << r.dump.dump();
    const json& t = r.dump["tutorial"];
    EXPECT_EQ(t["mode"], "replay");
    EXPECT_EQ(t["lang"], "en");
    EXPECT_EQ(t["step"], 2);
    EXPECT_EQ(t["text"], "Worker 2 takes the request.");
    EXPECT_EQ(t["met_event"], 25) << "the article's worker_receive RECV_DATA";
    EXPECT_TRUE(t["status"] == "ahead" || t["status"] == "met") << t["status"];
    EXPECT_EQ(t["highlight"]["nodes"], json::array({"worker[2]"}));
    EXPECT_EQ(r.dump["picture_tab"], "architecture");
    ASSERT_FALSE(r.dump["pictures"].empty());
    const json& picture = r.dump["pictures"][0];
    const json* worker = findById(picture["nodes"], "worker[2]");
    ASSERT_NE(worker, nullptr);
    EXPECT_TRUE((*worker)["highlighted"].get<bool>());
    EXPECT_FALSE((*findById(picture["nodes"], "worker[1]"))["highlighted"].get<bool>());
    const json* pipe = findById(picture["edges"], "pipe[0->2]");
    ASSERT_NE(pipe, nullptr);
    EXPECT_TRUE((*pipe)["highlighted"].get<bool>());
}

// The Server menu's commands, applied headless by --fault once the lesson is at its last step.
ViewerRun runFault(const TempDir& dir, const std::string& fault)
{
    return runViewer(
        dir,
        {"--tutorial", "01-startup", "--tutorial-step", "7", "--fault", fault, "--frames", "240"},
        90s);
}

const json* workerNode(const json& dump, int worker)
{
    if (!dump.contains("pictures") || dump["pictures"].empty()) return nullptr;
    return findById(dump["pictures"][0]["nodes"], "worker[" + std::to_string(worker) + "]");
}

void expectServerGone(const json& dump)
{
    const json& server = dump["tutorial"]["server"];
    ASSERT_FALSE(server["pids"].empty()) << server.dump();
    for (const json& pid : server["pids"]) EXPECT_TRUE(gone(pid.get<int>())) << pid;
}

TEST(TutorialApp, KillWorkerFromTheServerMenuShowsItsRestart)
{
    TempDir dir;
    ViewerRun r = runFault(dir, "kill:1");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_TRUE(r.dump.contains("faults")) << r.err;
    EXPECT_EQ(r.dump["faults"], json::array({"sent SIGKILL to worker[1]"}));
    const json* worker = workerNode(r.dump, 1);
    ASSERT_NE(worker, nullptr);
    // The manager forked a new worker[1]: a second generation, a pid the header did not have.
    EXPECT_EQ((*worker)["lines"][1].get<std::string>().rfind("gen 2", 0), 0u) << worker->dump();
    const json* other = workerNode(r.dump, 0);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ((*other)["lines"][1].get<std::string>().rfind("gen 1", 0), 0u);
    expectServerGone(r.dump);
}

TEST(TutorialApp, PausedWorkerDoesNotKeepTheServerAliveAfterExit)
{
    TempDir dir;
    ViewerRun r = runFault(dir, "pause:2");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.dump["faults"], json::array({"sent SIGSTOP to worker[2]"})) << r.err;
    const json* worker = workerNode(r.dump, 2);
    ASSERT_NE(worker, nullptr);
    EXPECT_EQ((*worker)["state"], "stopped") << "the picture shows what the trace cannot";
    EXPECT_EQ((*workerNode(r.dump, 1))["state"], "idle");
    expectServerGone(r.dump);
}

// Every lesson walked to its last step on its recording (one file per server run): no step
// is skipped for want of its events, whichever run's file holds them.
TEST(TutorialApp, EveryLessonWalksToItsLastStepOnItsRecording)
{
    std::vector<fs::path> lessons;
    for (const auto& entry : fs::directory_iterator(std::string(RSCOPE_SOURCE_DIR) + "/tutorials"))
        if (entry.path().extension() == ".json") lessons.push_back(entry.path());
    std::sort(lessons.begin(), lessons.end());
    ASSERT_GE(lessons.size(), 2u);
    for (const fs::path& lesson : lessons)
    {
        json l = json::parse(readFile(lesson.string()));
        int steps = static_cast<int>(l["steps"].size());
        TempDir dir;
        ViewerRun r = runViewer(dir,
                                {"--tutorial", lesson.stem().string(), "--tutorial-replay",
                                 "--tutorial-step", std::to_string(steps), "--frames", "1"},
                                60s);
        ASSERT_EQ(r.exitCode, 0) << lesson << r.err;
        const json& t = r.dump["tutorial"];
        EXPECT_EQ(t["mode"], "replay") << lesson;
        EXPECT_EQ(t["step"], steps) << lesson;
        EXPECT_EQ(t["walked"].size(), static_cast<size_t>(steps - 1)) << lesson;
        for (const json& status : t["walked"])
            EXPECT_TRUE(status == "ahead" || status == "met" || status == "none")
                << lesson << ": " << t["walked"].dump();
        // A last step with an action waits Ready: --tutorial-step shows it as first seen.
        EXPECT_TRUE(t["status"] == "ahead" || t["status"] == "met" || t["status"] == "none" ||
                    t["status"] == "ready")
            << lesson << ": " << t["status"];
    }
}

// A lesson that restarts its server reads the next run's recording for the steps after it.
TEST(TutorialApp, ReplayMovesToTheRecordingOfTheStepsServerRun)
{
    json l =
        json::parse(readFile(std::string(RSCOPE_SOURCE_DIR) + "/tutorials/04-dispatch-modes.json"));
    int restartStep = 0;  // 1-based: the first step after the first that restarts the server
    for (size_t k = 1; k < l["steps"].size() && restartStep == 0; ++k)
        if (l["steps"][k].contains("action") &&
            l["steps"][k]["action"].value("do", "") == "restart_server")
            restartStep = static_cast<int>(k) + 1;
    ASSERT_GT(restartStep, 0) << "lesson 4 compares dispatch modes by restarting its server";
    // The restart step is entered Ready: its server run has not begun, nor its recording.
    TempDir dir;
    ViewerRun r = runViewer(dir,
                            {"--tutorial", "04-dispatch-modes", "--tutorial-replay",
                             "--tutorial-step", std::to_string(restartStep), "--frames", "1"},
                            60s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.dump["tutorial"]["status"], "ready");
    EXPECT_EQ(r.dump["source"].get<std::string>().find("-run2.jsonl"), std::string::npos);
    // Its action ran once the walk goes past it: the step after reads run 2.
    TempDir dir2;
    r = runViewer(dir2,
                  {"--tutorial", "04-dispatch-modes", "--tutorial-replay", "--tutorial-step",
                   std::to_string(restartStep + 1), "--frames", "1"},
                  60s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string source = r.dump["source"];
    EXPECT_NE(source.find("lesson-04-dispatch-modes-run2.jsonl"), std::string::npos) << source;
    const json& left = r.dump["tutorial"]["walked"].back();
    EXPECT_TRUE(left == "met" || left == "ahead") << r.dump["tutorial"].dump();
}

TEST(TutorialApp, UnknownLessonExitsNonZeroNamingIt)
{
    TempDir dir;
    ViewerRun r = runViewer(dir, {"--tutorial", "99-no-such-lesson"}, 30s);
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("99-no-such-lesson"), std::string::npos) << r.err;
}

}  // namespace
