// Lessons walked with the Next button, pressed with real X input (real_viewer.h: the interactive
// viewer on its own Xvfb, xdotool clicks at the button's rectangle from the layout dump), as a
// learner walks them: every lesson on its recording, lessons 1, 2, 9 and 12 live on the viewer's
// own server. At every step: a step with an action waits Ready (nothing of it shown: the cursor
// stays on the previous step's event) until Next runs it; then the checkpoint is met and the
// cursor is ON the event that met it (not the end of the trace, not the previous step's event),
// and the picture shows that moment (a callback_enter: a busy worker; a hop: its token). Lesson 2
// live also checks the worker the text names is the one glowing and the token is on its pipe.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/viewer/app/real_viewer.h"

namespace rscope::viewer
{
namespace
{

using json = nlohmann::json;
using namespace std::chrono_literals;
using test::Point;
using test::RealViewer;

const std::string kTutorials = std::string(RSCOPE_SOURCE_DIR) + "/tutorials";

json readLesson(const std::string& id)
{
    std::ifstream in(kTutorials + "/" + id + ".json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

// Kinds of the matcher that completes a checkpoint: the last one in order, any of them in
// any_order.
std::set<std::string> closingKinds(const json& checkpoint)
{
    std::set<std::string> kinds;
    const json& events = checkpoint["events"];
    bool anyOrder = checkpoint.value("order", "in_order") == "any_order";
    for (size_t i = anyOrder ? 0 : events.size() - 1; i < events.size(); ++i)
    {
        const json& k = events[i]["kind"];
        if (k.is_array())
            for (const json& one : k) kinds.insert(one.get<std::string>());
        else
            kinds.insert(k.get<std::string>());
    }
    return kinds;
}

const json* findById(const json& list, const std::string& id)
{
    for (const json& item : list)
        if (item.value("id", "") == id) return &item;
    return nullptr;
}

bool isHop(const std::string& kind)
{
    return kind == "accept" || kind == "read" || kind == "peer_close" || kind == "pipe_write" ||
           kind == "reactor_write" || kind == "close" || kind == "worker_restart";
}

class LessonWalk
{
  public:
    LessonWalk(const std::string& id, bool live)
        : id_(id),
          lesson_(readLesson(id)),
          live_(live),
          viewer_(live ? std::vector<std::string>{"--tutorial", id}
                       : std::vector<std::string>{"--tutorial", id, "--tutorial-replay"})
    {
    }

    RealViewer& viewer() { return viewer_; }
    size_t steps() const { return lesson_["steps"].size(); }
    const json& step(size_t k) const { return lesson_["steps"][k]; }

    // The newest dump whose tutorial is on step k (1-based) with a status in `statuses` and
    // no file still loading; null after the timeout.
    json waitStep(size_t k, std::set<std::string> statuses)
    {
        return viewer_.waitLayout(
            [&](const json& d)
            {
                if (!d.contains("tutorial") || !d["tutorial"].is_object()) return false;
                const json& t = d["tutorial"];
                if (t["step"] != k || !statuses.count(t["status"].get<std::string>())) return false;
                // A replay's Ready step shows its moment once the recording is in.
                return live_ || d.value("events", 0) > 0;
            },
            live_ ? 20s : 10s);
    }

    bool pressNext(const json& d)
    {
        // A learner reads before pressing Next: a held server must not move meanwhile.
        if (readMs_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(readMs_));
        const json& r = d["tutorial"]["buttons"]["next"];
        if (!r.is_array() || r[2].get<float>() <= 0) return false;
        return viewer_.click(Point{r[0].get<float>() + r[2].get<float>() / 2,
                                   r[1].get<float>() + r[3].get<float>() / 2});
    }

    std::string where(size_t k) const
    {
        return id_ + (live_ ? " live" : " replay") + " step " + std::to_string(k);
    }

    std::string id_;
    json lesson_;
    bool live_;
    int readMs_ = 0;  // how long the learner reads a step before pressing Next
    RealViewer viewer_;
};

// What the picture must show when the cursor is on an event of `kind` (architecture tab).
void expectPictureShowsTheMoment(const json& d, const std::string& kind, const std::string& at)
{
    if (d["picture_tab"] != "architecture" || d["pictures"].empty()) return;
    const json& picture = d["pictures"][0];
    if (kind == "callback_enter")
    {
        bool busy = false;
        for (const json& n : picture["nodes"]) busy |= n.value("state", "") == "busy";
        EXPECT_TRUE(busy) << at << ": a callback runs, no worker is busy";
    }
    if (isHop(kind))
    {
        bool token = false;
        for (const json& t : picture["tokens"]) token |= t.value("kind", "") == kind;
        EXPECT_TRUE(token) << at << ": no " << kind
                           << " token in flight: " << picture["tokens"].dump();
    }
}

// Walks every step with Next; returns the dump of each met (or checkpoint-less) step.
std::vector<json> walk(LessonWalk& w)
{
    std::vector<json> done;
    RealViewer& v = w.viewer();
    if (!v.waitReady())
    {
        ADD_FAILURE() << w.id_ << ": the viewer did not come up: " << v.log();
        return done;
    }
    int64_t previousMet = -1;
    for (size_t k = 1; k <= w.steps(); ++k)
    {
        const json& s = w.step(k - 1);
        std::string at = w.where(k);
        json d = w.waitStep(k, {"ready", "met", "none", "ahead"});
        if (d.is_null())
        {
            ADD_FAILURE() << at << ": not reached: " << v.lastLayout()["tutorial"].dump()
                          << v.log();
            return done;
        }
        if (s.contains("action"))
        {
            // Nothing of the step has happened before Next: the picture keeps the moment the
            // previous step ended on.
            EXPECT_EQ(d["tutorial"]["status"], "ready") << at;
            EXPECT_TRUE(d["tutorial"]["action_pending"].get<bool>()) << at;
            if (previousMet >= 0)
            {
                EXPECT_EQ(d["cursor"]["event"], previousMet) << at << ": ran ahead of its text";
            }
            EXPECT_TRUE(w.pressNext(d)) << at << v.log();
        }
        std::set<std::string> finished = {"met", "none"};  // "none": no checkpoint, action ran
        d = v.waitLayout(
            [&](const json& j)
            {
                return j.contains("tutorial") && j["tutorial"].is_object() &&
                       j["tutorial"]["step"] == k &&
                       finished.count(j["tutorial"]["status"].get<std::string>()) &&
                       !j["tutorial"]["action_pending"].get<bool>() &&
                       (j["tutorial"]["status"] == "none" ||
                        j["cursor"]["event"] == j["tutorial"]["met_event"]);
            },
            w.live_ ? 20s : 10s);
        if (d.is_null())
        {
            ADD_FAILURE() << at << ": the checkpoint was not met with the cursor on it: "
                          << v.lastLayout()["tutorial"].dump() << " cursor "
                          << v.lastLayout()["cursor"].dump() << v.log();
            return done;
        }
        if (s.contains("checkpoint"))
        {
            EXPECT_EQ(d["tutorial"]["status"], "met") << at;
            int64_t met = d["tutorial"]["met_event"];
            EXPECT_GE(met, 0) << at;
            EXPECT_EQ(d["cursor"]["event"], met) << at << ": the cursor is not on the checkpoint";
            EXPECT_EQ(d["state"]["cursor_event"], met) << at;
            std::string kind = d["cursor"]["kind"];
            EXPECT_TRUE(closingKinds(s["checkpoint"]).count(kind))
                << at << ": the cursor's event is a " << kind;
            if (s.contains("highlight") && s["highlight"].contains("picture"))
            {
                EXPECT_EQ(d["picture_tab"], s["highlight"]["picture"]) << at;
            }
            expectPictureShowsTheMoment(d, kind, at);
            previousMet = met;
        }
        // What the step points at is lit (ids whose variables are bound: the dump's list).
        if (d["picture_tab"] == "architecture" && !d["pictures"].empty())
        {
            for (const json& id : d["tutorial"]["highlight"]["nodes"])
            {
                if (const json* n = findById(d["pictures"][0]["nodes"], id))
                {
                    EXPECT_TRUE((*n)["highlighted"].get<bool>()) << at << ": " << id;
                }
            }
        }
        done.push_back(d);
        if (k < w.steps())
        {
            EXPECT_TRUE(w.pressNext(d)) << at << v.log();
        }
    }
    json state = v.quitAndReadState();
    EXPECT_EQ(v.exitCode(), 0) << w.id_ << v.log();
    if (state.is_object())
    {
        EXPECT_EQ(state["tutorial"]["step"], w.steps()) << w.id_;
        EXPECT_EQ(state["live"], w.live_) << w.id_;
    }
    return done;
}

class RecordedLesson : public ::testing::TestWithParam<std::string>
{
};

TEST_P(RecordedLesson, NextLandsOnEachStepsCheckpointWithThePictureOfThatMoment)
{
    LessonWalk w(GetParam(), false);
    std::vector<json> steps = walk(w);
    EXPECT_EQ(steps.size(), w.steps());
}

std::vector<std::string> lessonIds()
{
    std::vector<std::string> ids;
    for (const auto& e : std::filesystem::directory_iterator(kTutorials))
        if (e.path().extension() == ".json") ids.push_back(e.path().stem().string());
    std::sort(ids.begin(), ids.end());
    return ids;
}

INSTANTIATE_TEST_SUITE_P(EveryLesson, RecordedLesson, ::testing::ValuesIn(lessonIds()),
                         [](const ::testing::TestParamInfo<std::string>& param)
                         {
                             std::string name = param.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(LiveLesson, StartupServerStartsOnNextAndEachStepShowsItsStartupEvent)
{
    LessonWalk w("01-startup", true);
    RealViewer& v = w.viewer();
    ASSERT_TRUE(v.waitReady()) << v.log();
    // Step 1 says "press Next to start the server": nothing runs before that.
    json d = w.waitStep(1, {"ready"});
    ASSERT_FALSE(d.is_null()) << v.lastLayout()["tutorial"].dump() << v.log();
    EXPECT_EQ(d["events"], 0) << "no server, no event before Next";
    EXPECT_FALSE(d["tutorial"]["server"]["running"].get<bool>());
    std::vector<json> steps = walk(w);
    ASSERT_EQ(steps.size(), w.steps());
    EXPECT_TRUE(steps[0]["tutorial"]["server"]["running"].get<bool>());
}

TEST(LiveLesson, OneRequestIsHeldAtEachStepWithTheNamedWorkerAndToken)
{
    LessonWalk w("02-one-request", true);
    RealViewer& v = w.viewer();
    ASSERT_TRUE(v.waitReady()) << v.log();
    json d = w.waitStep(1, {"ready"});
    ASSERT_FALSE(d.is_null()) << v.lastLayout()["tutorial"].dump() << v.log();
    // The client has not run: no connection was accepted.
    std::vector<json> steps = walk(w);
    ASSERT_EQ(steps.size(), w.steps());
    for (size_t k = 0; k < steps.size(); ++k)
    {
        const json& s = steps[k];
        std::string at = "02-one-request live step " + std::to_string(k + 1);
        EXPECT_EQ(s["state"]["holding_server"], true) << at << ": the server runs ahead";
        // The server is held at the step's event: what came after it is at most the events
        // the paused threads had already emitted, one each.
        EXPECT_LE(s["events"].get<int64_t>() - s["cursor"]["event"].get<int64_t>(), 8) << at;
    }
    auto node = [](const json& dump, const std::string& id)
    { return findById(dump["pictures"][0]["nodes"], id); };
    auto highlightedWorker = [](const json& dump)
    {
        for (const json& id : dump["tutorial"]["highlight"]["nodes"])
            if (id.get<std::string>().rfind("worker[", 0) == 0) return id.get<std::string>();
        return std::string();
    };
    // Steps 3, 5, 6: onConnect, onReceive, onClose run in the worker the text names.
    for (size_t k : {2u, 4u, 5u})
    {
        const json& s = steps[k];
        std::string worker = highlightedWorker(s);
        ASSERT_FALSE(worker.empty()) << s["tutorial"].dump();
        const json* n = node(s, worker);
        ASSERT_NE(n, nullptr) << worker;
        EXPECT_EQ((*n)["state"], "busy") << "step " << k + 1 << ": " << n->dump();
        EXPECT_TRUE((*n)["highlighted"].get<bool>());
    }
    // Step 4: the request flies on the worker's pipe. Step 5: the reply flies on the pipe the
    // session's replies use (swWorker_send2reactor), often another worker's: the lesson names it
    // last ($p); with an odd connection fd it is the worker's own.
    auto sameEdge = [](std::string id, std::string edge)
    {
        // Either direction of the same pipe: pipe[r->w] carries requests, pipe[r<-w] replies
        // where the picture draws the two apart.
        for (std::string* e : {&id, &edge})
            if (size_t at = e->find("<-"); at != std::string::npos) e->replace(at, 2, "->");
        return id == edge;
    };
    for (size_t k : {3u, 4u})
    {
        const json& s = steps[k];
        ASSERT_FALSE(s["tutorial"]["highlight"]["edges"].empty());
        const json& edges = s["tutorial"]["highlight"]["edges"];
        std::string pipe = k == 3u ? edges.front() : edges.back();
        bool onPipe = false;
        for (const json& t : s["pictures"][0]["tokens"])
            onPipe |= sameEdge(pipe, t.value("edge", ""));
        EXPECT_TRUE(onPipe) << "step " << k + 1 << ": no token on " << pipe << ": "
                            << s["pictures"][0]["tokens"].dump();
    }
    // Step 6: the client is closing while onClose runs; step 7: the sequence of the request.
    bool closing = false;
    for (const json& n : steps[5]["pictures"][0]["nodes"])
        closing |= n.value("id", "").rfind("client[", 0) == 0 && n.value("state", "") == "closing";
    EXPECT_TRUE(closing) << steps[5]["pictures"][0]["nodes"].dump();
    EXPECT_EQ(steps[6]["picture_tab"], "sequence");
}

// Lesson 12 live: the step that catches the article's request inside onReceive binds the worker
// ($w) and the next step's kill_worker "$w" kills that one (the viewer resolves it with the
// session's bindings); the walk reaches the end only if the manager then restarted it.
TEST(LiveLesson, WorkerLifecycleKillsTheWorkerTheRequestIsInside)
{
    LessonWalk w("12-worker-lifecycle", true);
    RealViewer& v = w.viewer();
    ASSERT_TRUE(v.waitReady()) << v.log();
    std::vector<json> steps = walk(w);
    ASSERT_EQ(steps.size(), w.steps());
    size_t caught = 0;  // the step whose action is the article's client
    for (size_t k = 0; k < w.steps(); ++k)
        if (w.step(k).contains("action") && w.step(k)["action"]["do"] == "send_article") caught = k;
    ASSERT_GT(caught, 0u);
    ASSERT_EQ(w.step(caught + 1)["action"]["worker"], "$w");
    std::string worker;
    for (const json& id : steps[caught]["tutorial"]["highlight"]["nodes"])
        if (id.get<std::string>().rfind("worker[", 0) == 0) worker = id.get<std::string>();
    ASSERT_FALSE(worker.empty()) << steps[caught]["tutorial"].dump();
    const json* n = findById(steps[caught]["pictures"][0]["nodes"], worker);
    ASSERT_NE(n, nullptr) << worker;
    EXPECT_EQ((*n)["state"], "busy") << n->dump();
    // The kill step lights the same worker: $w still names it.
    const json& killed = steps[caught + 1]["tutorial"]["highlight"]["nodes"];
    EXPECT_NE(std::find(killed.begin(), killed.end(), worker), killed.end()) << killed.dump();
}

// Lesson 9 live, walked by a learner who reads each step longer than a task lasts (1.5 s against
// task:1000): a held task worker pauses only at its events, so a task released while the learner
// reads may end. The checkpoints must still be met: the second onReceive between task 0's
// dispatch and finish, and idle false for a client sent while the only task worker is in onTask.
TEST(LiveLesson, TaskWorkersWalkWithTheServerHeld)
{
    LessonWalk w("09-task-workers", true);
    w.readMs_ = 1500;
    RealViewer& v = w.viewer();
    ASSERT_TRUE(v.waitReady()) << v.log();
    std::vector<json> steps = walk(w);
    ASSERT_EQ(steps.size(), w.steps());
}

}  // namespace
}  // namespace rscope::viewer
