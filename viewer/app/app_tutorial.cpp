// The open lesson of ViewerApp (--tutorial): finding and loading it, starting its server and
// watching that server's trace (or falling back to its recording), entering steps (highlights,
// the picture tab, the step's action), walking to --tutorial-step, the tutorial commands (the
// Server menu's are in app_faults.cpp), and the "tutorial" object of the layout dump.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/tutorial/lesson_check.h"
#include "engine/tutorial/lesson_runner.h"
#include "viewer/app/platform.h"
#include "viewer/app/viewer_app.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

namespace
{

namespace fs = std::filesystem;

// A held server answers a request only as the learner walks it: its client must wait as long.
constexpr int kHeldClientTimeoutMs = 30 * 60 * 1000;

bool isFile(const std::string& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// NAME, NAME.json, tutorials/NAME(.json) from the cwd, then from the source tree.
std::string findLesson(const std::string& nameOrPath)
{
    std::vector<std::string> tries{nameOrPath, nameOrPath + ".json"};
    for (const char* root : {".", RSCOPE_SOURCE_DIR})
    {
        tries.push_back(std::string(root) + "/tutorials/" + nameOrPath + ".json");
        tries.push_back(std::string(root) + "/tutorials/" + nameOrPath);
    }
    for (const std::string& t : tries)
        if (isFile(t)) return t;
    return "";
}

// The lesson's recording: "relative to the source tree" (tutorials/README.md): from the
// lesson's folder's parent, the cwd, then the source tree.
std::string findReplay(const tutorial::Lesson& lesson)
{
    if (lesson.replay.empty()) return "";
    fs::path lessonDir = fs::path(lesson.path).parent_path();
    for (const fs::path& t : {fs::path(lesson.replay), lessonDir.parent_path() / lesson.replay,
                              fs::path(RSCOPE_SOURCE_DIR) / lesson.replay})
        if (isFile(t.string())) return t.string();
    return "";
}

}  // namespace

void ViewerApp::listLessons()
{
    view_.tutorialLessons.clear();
    for (const char* root : {".", RSCOPE_SOURCE_DIR})
    {
        std::vector<std::string> files = tutorial::lessonFiles(std::string(root) + "/tutorials");
        if (files.empty()) continue;
        for (const std::string& f : files)
            view_.tutorialLessons.emplace_back(fs::path(f).stem().string(), f);
        return;  // the first tree that has lessons: the cwd's, else the source tree's
    }
}

int64_t ViewerApp::nowMs() const
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int ViewerApp::openTutorial(const std::string& nameOrPath)
{
    // A lesson switched from the menu keeps the language the learner chose.
    std::string langName = tutorial_ ? tutorial::langName(tutorial_->lang()) : options_.lang;
    closeTutorial();
    // At start the caller exits with the code; from the menu the status bar shows the message.
    auto fail = [this](int rc, const std::string& message)
    {
        std::fprintf(stderr, "rscope-viewer: %s\n", message.c_str());
        view_.statusMessage = message;
        view_.statusIsError = true;
        return rc;
    };
    std::string path = findLesson(nameOrPath);
    if (path.empty())
        return fail(kExitCannotRead, "--tutorial " + nameOrPath +
                                         ": no such lesson (looked for tutorials/" + nameOrPath +
                                         ".json in the current directory and in " +
                                         RSCOPE_SOURCE_DIR + ")");
    tutorial::Lesson lesson;
    std::string error;
    if (!tutorial::loadLesson(path, lesson, error)) return fail(kExitRefused, error);
    if (lesson.steps.empty()) return fail(kExitRefused, path + ": the lesson has no steps");
    tutorial::Lang lang = tutorial::Lang::En;
    tutorial::langByName(langName, lang);

    // A page cannot start the lesson's server or run its clients: in the browser a lesson plays
    // its recording (the bridge shows a real server, but without the lesson's actions).
    if (platformIsWeb()) options_.tutorialReplay = true;
    // Live first: the lesson is about a real server. Its recording is the fallback.
    rscopeBinary_ = tutorial::findRscopeBinary();
    lessonServer_ = std::make_unique<tutorial::LessonServer>(rscopeBinary_);
    std::string serverError = "--tutorial-replay";
    TutorialMode mode = TutorialMode::Live;
    // A first step that starts the server does it when the learner presses Next.
    const std::optional<tutorial::Action>& first = lesson.steps[0].action;
    bool startOnNext = first && first->kind == "start_server";
    if (!options_.connect.empty() && !options_.tutorialReplay)
    {
        // --connect: the lesson runs on that server; its port and master pid come with the
        // trace header (updateTutorial), and starting or restarting it is left to its owner.
        lessonServer_->attach(0, options_.connect, 0);
        actions_ = std::make_unique<tutorial::ActionRunner>(*lessonServer_, rscopeBinary_);
        if (!live_) startLive(options_.connect);
        view_.tutorialSource = "the server at " + options_.connect + " (not started by the lesson)";
        view_.tutorialAttached = true;
    }
    else if (!options_.tutorialReplay && startOnNext)
    {
        actions_ = std::make_unique<tutorial::ActionRunner>(*lessonServer_, rscopeBinary_);
        live_.reset();
        reader_.reset();
        store_->clear();
        resetDerived();
        view_.tutorialSource = "rscope server (starts when you press Next)";
    }
    else if (!options_.tutorialReplay && lessonServer_->start(lesson.server, serverError))
    {
        actions_ = std::make_unique<tutorial::ActionRunner>(*lessonServer_, rscopeBinary_);
        startLive(lessonServer_->traceAddress());
        view_.tutorialSource = "rscope server, port " + std::to_string(lessonServer_->port()) +
                               ", trace " + lessonServer_->traceAddress();
    }
    else
    {
        mode = TutorialMode::Replay;
        if (int rc = replayLesson(lesson, serverError); rc != kExitOk) return rc;
    }
    if (actions_) actions_->setClientTimeoutMs(kHeldClientTimeoutMs);
    tutorial_ = std::make_unique<TutorialSession>(std::move(lesson), lang, mode);
    view_.tutorialOpen = true;
    view_.tutorialId = tutorial_->lesson().id;
    onTutorialStep(tutorial_->start(*store_, nowMs()));
    updateServerAccess();
    return kExitOk;
}

int ViewerApp::replayLesson(const tutorial::Lesson& lesson, std::string serverError)
{
    actions_.reset();
    lessonServer_.reset();
    // The server's own output may span lines: one line for the status bar and the panel.
    std::replace(serverError.begin(), serverError.end(), '\n', ' ');
    while (!serverError.empty() && serverError.back() == ' ') serverError.pop_back();
    std::string replay = findReplay(lesson);
    if (!options_.tutorialReplay)
        std::fprintf(
            stderr, "rscope-viewer: %s: the lesson server did not start (%s); %s\n",
            lesson.id.c_str(), serverError.c_str(),
            replay.empty() ? "no recording to fall back to" : ("replaying " + replay).c_str());
    if (replay.empty())
    {
        view_.statusMessage = lesson.id + ": the lesson server did not start (" + serverError +
                              ") and there is no recording";
        view_.statusIsError = true;
        std::fprintf(stderr, "rscope-viewer: %s\n", view_.statusMessage.c_str());
        return kExitCannotRead;
    }
    if (headless_)
    {
        if (int rc = loadFileNow(replay); rc != kExitOk) return rc;
    }
    else
    {
        startLoad(replay);
    }
    sourceLabel_ = replay;
    replayFirst_ = replay;
    replayRun_ = 1;
    // Kept in the panel: the status bar's message is replaced by the load's own.
    view_.tutorialSource = replay + "  (the lesson server did not start)";
    view_.statusMessage =
        "the lesson server did not start (" + serverError + "): replaying its recording";
    view_.statusIsError = true;
    if (options_.tutorialReplay)
    {
        view_.tutorialSource = replay;
        view_.statusMessage = "replaying the lesson's recording";
        view_.statusIsError = false;
    }
    return kExitOk;
}

void ViewerApp::closeTutorial()
{
    // Helpers (clients, slow readers) first, then the trace socket, then the server itself.
    actions_.reset();
    if (lessonServer_)
    {
        // A server the lesson only attached to keeps its trace connection: it is what --connect
        // asked to watch.
        if (!lessonServer_->attached()) live_.reset();
        lessonServer_->stop();
        lessonServer_.reset();
    }
    tutorial_.reset();
    pendingAction_ = false;
    walked_.clear();
    view_.tutorialOpen = false;
    view_.tutorialId.clear();
    view_.tutorialSource.clear();
    view_.tutorialAttached = false;
    view_.highlightNodes.clear();
    view_.highlightEdges.clear();
    view_.pausedWorkers.clear();
}

void ViewerApp::syncReplayRun()
{
    if (tutorial_->mode() != TutorialMode::Replay || replayFirst_.empty()) return;
    // `rscope tutorial record` writes one file per server run: a start_server or restart_server
    // step after the first begins the next one (lesson_check.h, recordingPathForRun).
    const tutorial::Lesson& lesson = tutorial_->lesson();
    int run = 1;
    for (size_t k = 1; k <= tutorial_->step(); ++k)
    {
        const std::optional<tutorial::Action>& a = lesson.steps[k].action;
        // A Ready step's action has not run: its run's recording comes with Next.
        bool ran = k < tutorial_->step() || tutorial_->actionRan();
        if (ran && a && (a->kind == "start_server" || a->kind == "restart_server")) ++run;
    }
    if (run == replayRun_) return;
    std::string path = tutorial::recordingPathForRun(replayFirst_, run);
    if (!isFile(path))
    {
        view_.statusMessage =
            lesson.id + ": no recording of server run " + std::to_string(run) + " (" + path + ")";
        view_.statusIsError = true;
        return;
    }
    bool forward = run > replayRun_;
    replayRun_ = run;
    if (headless_)
        loadFileNow(path);
    else
        startLoad(path);
    sourceLabel_ = path;
    view_.tutorialSource = path;
    // A step that starts a run looks at that run from its first event; Back keeps the window the
    // step had in its run's file.
    if (forward) tutorial_->restartWindow(0, nowMs());
}

void ViewerApp::onTutorialStep(bool runAction)
{
    syncReplayRun();
    const tutorial::Step& step = tutorial_->current();
    view_.highlightNodes = tutorial_->highlightNodes();
    view_.highlightEdges = tutorial_->highlightEdges();
    highlightSatisfied_ = tutorial_->satisfied();
    if (!step.highlight.picture.empty() &&
        pictureTabByName(step.highlight.picture, view_.pictureTab))
        view_.pictureTabRequested = true;
    // Panels a step points at are shown (the timeline always is).
    for (const std::string& panel : step.highlight.panels)
    {
        if (panel == "event_log") view_.showEventLog = true;
        if (panel == "details") view_.showDetails = true;
    }
    pendingAction_ = false;
    if (!runAction || !step.action) return;
    // The server the app started for the lesson is the one this step asks for.
    if (step.action->kind == "start_server" && lessonServer_ && lessonServer_->running()) return;
    // Events the trace socket has not seen are lost to the viewer (only startup events are
    // replayed to a late joiner): an action waits until the viewer watches the trace. Starting
    // the server is what makes a trace to watch.
    if (step.action->kind != "start_server" && !watchingTrace())
    {
        pendingAction_ = true;
        return;
    }
    runStepAction();
}

bool ViewerApp::watchingTrace() const
{
    return live_ && live_->status() == LiveStatus::Connected && store_->hasHeader();
}

void ViewerApp::runStepAction()
{
    const tutorial::Step& step = tutorial_->current();
    if (!step.action) return;
    // The gate first: an action run in the frame the trace header arrived must not race it.
    driveTutorialGate();
    std::string error;
    if (!runServerAction(*step.action, error) && step.action->kind == "start_server" &&
        lessonServer_ && !lessonServer_->attached())
    {
        // The lesson's server did not start when the learner asked for it: its recording.
        tutorial::Lesson lesson = tutorial_->lesson();
        if (replayLesson(lesson, error) == kExitOk)
        {
            tutorial_->switchToReplay(*store_, nowMs());
            return;
        }
    }
    if (!error.empty())
    {
        view_.statusMessage = tutorial_->lesson().id + ": step " +
                              std::to_string(tutorial_->step() + 1) + ": " + step.action->kind +
                              ": " + error;
        view_.statusIsError = true;
        std::fprintf(stderr, "rscope-viewer: %s\n", view_.statusMessage.c_str());
    }
}

bool ViewerApp::runServerAction(const tutorial::Action& action, std::string& error)
{
    if (!actions_ || !tutorial_)
    {
        error = "no lesson server (a replay): nothing to act on";
        return false;
    }
    // Pids as the trace shows them now: the newest state, not the cursor's (a paused view).
    ArchitectureState newest;
    timeline_.stateAt(*store_, store_->size(), newest);
    auto workerPid = [&newest](int worker) -> pid_t
    {
        for (const WorkerState& w : newest.workers())
            if (w.index == worker && w.status != WorkerStatus::Exited) return w.pid;
        return 0;
    };
    // "worker": "$w" names what an earlier step's checkpoint bound (the worker a request reached).
    tutorial::Action resolved;
    if (!tutorial::resolveAction(action, tutorial_->bindings(), resolved, error)) return false;
    bool ok = actions_->run(resolved, tutorial_->lesson(), workerPid, error);
    // A restarted server listens on new ports: follow its trace socket.
    if (ok && lessonServer_ && lessonServer_->running() &&
        (!live_ || live_->address() != lessonServer_->traceAddress()))
        startLive(lessonServer_->traceAddress());
    return ok;
}

void ViewerApp::updateTutorial()
{
    if (actions_) actions_->busy();  // reaps finished helpers
    applyStartFault();
    if (!tutorial_) return;
    if (lessonServer_ && lessonServer_->attached() && live_ && store_->hasHeader())
    {
        // The attached server's client port and master pid, from its header (a restarted
        // server sends a new one).
        const Topology& t = store_->topology();
        pid_t master = 0;
        for (const Process& p : t.processes)
            if (p.role == Role::Master) master = p.pid;
        if (lessonServer_->port() != t.port || lessonServer_->masterPid() != master)
            lessonServer_->attach(t.port, live_->address(), master);
    }
    if (pendingAction_ && watchingTrace())
    {
        pendingAction_ = false;
        tutorial_->restartWindow(store_->size(), nowMs());
        runStepAction();
    }
    // --tutorial-step N: advance while the target is ahead and the step allows it (a Ready
    // step's action is run, as the learner's Next would; a step that timed out or is not in the
    // recording is skipped). A recording can answer several steps in one frame; a live server
    // answers as its events arrive. A target past the last step means the last step.
    size_t target = std::min(static_cast<size_t>(std::max(1, options_.tutorialStep)) - 1,
                             tutorial_->steps() - 1);
    for (size_t guard = 0; guard <= 2 * tutorial_->steps(); ++guard)
    {
        tutorial_->update(*store_, std::min(playback_.position(), store_->size()), nowMs());
        CheckpointStatus st = tutorial_->status();
        bool stuck = st == CheckpointStatus::TimedOut || st == CheckpointStatus::NotInRecording;
        if (reader_ || tutorial_->step() >= target || !(tutorial_->canAdvance() || stuck)) break;
        if (st != CheckpointStatus::Ready) walked_.push_back(checkpointStatusName(st));
        applyTutorialCommand(Command::make(Command::Type::TutorialNext));
        if (!tutorial_) return;
    }
    // The cursor goes where the step is: the event that met it, the moment a Ready step waits
    // in, or the newest event while a live step's events arrive.
    CursorMove move = tutorial_->takeCursorMove(*store_);
    switch (move.kind)
    {
        case CursorMove::Kind::Event:
            playback_.pause();  // seekEvent keeps playing, and play would walk on past it
            playback_.seekEvent(*store_, move.event);
            break;
        case CursorMove::Kind::Start:
            playback_.leaveLive();
            playback_.pause();
            playback_.seekStart();
            break;
        case CursorMove::Kind::Follow:
            playback_.goLive();
            break;
        case CursorMove::Kind::None:
            break;
    }
    if (move.kind != CursorMove::Kind::None)
    {
        // This frame already placed the cursor and its tokens: again, so that what is drawn
        // (and dumped) is the step's moment, not the one before it.
        cursor_.moveTo(*store_, timeline_, std::min(playback_.position(), store_->size()));
        activity_ = computeActivity(*store_, playback_, timeline_, cursor_.state());
    }
    driveTutorialGate();
    // Highlights may name variables ("worker[$w]") that the checkpoint binds as it advances.
    if (tutorial_->satisfied() != highlightSatisfied_)
    {
        highlightSatisfied_ = tutorial_->satisfied();
        view_.highlightNodes = tutorial_->highlightNodes();
        view_.highlightEdges = tutorial_->highlightEdges();
    }
}

void ViewerApp::driveTutorialGate()
{
    // Only the server the lesson started, once its header says it can step (an attached server
    // belongs to someone else: the demo's keeps serving its own clients).
    if (!lessonServer_ || lessonServer_->attached() || !live_ || !watchingTrace() ||
        !store_->topology().traceStep)
        return;
    // Sent here rather than as the timeline's commands: those make the cursor follow the newest
    // event, and a lesson keeps it on the step's checkpoint.
    const char* line = nullptr;
    switch (tutorial_->gateCommand(store_->size(), view_.holdingServer, nowMs()))
    {
        case GateCommand::Hold:
            line = "hold";
            break;
        case GateCommand::Step:
            line = "step";
            break;
        case GateCommand::Run:
            line = "run";
            break;
        case GateCommand::None:
            return;
    }
    if (!live_->sendCommand(line)) return;  // the connection closed: a new header comes
    if (std::string_view(line) != "step") view_.holdingServer = std::string_view(line) == "hold";
}

bool ViewerApp::applyTutorialCommand(const Command& c)
{
    using T = Command::Type;
    switch (c.type)
    {
        case T::TutorialNext:
        case T::TutorialBack:
        case T::TutorialRepeat:
        {
            if (!tutorial_) return true;
            bool runAction = false;
            if (c.type == T::TutorialNext)
            {
                if (tutorial_->step() + 1 >= tutorial_->steps() && !tutorial_->actionPending())
                    return true;
                runAction = tutorial_->next(*store_, nowMs());
            }
            else if (c.type == T::TutorialBack)
                runAction = tutorial_->back(*store_, nowMs());
            else
                runAction = tutorial_->repeat(*store_, nowMs());
            // The cursor follows in updateTutorial: to the event that meets the step (a replay
            // finds it at once), to the moment a Ready step waits in.
            tutorial_->update(*store_, std::min(playback_.position(), store_->size()), nowMs());
            onTutorialStep(runAction);
            return true;
        }
        case T::OpenLesson:
            openTutorial(c.text);
            return true;
        case T::CloseLesson:
            closeTutorial();
            view_.statusMessage = "lesson closed";
            view_.statusIsError = false;
            return true;
        case T::TutorialLang:
        {
            tutorial::Lang lang;
            if (tutorial_ && tutorial::langByName(c.text, lang)) tutorial_->setLang(lang);
            return true;
        }
        case T::KillWorker:
        case T::PauseWorker:
        case T::ResumeWorker:
        case T::ReloadWorkers:
        case T::OpenSlowClient:
        case T::SendOversized:
        case T::ConnectNeverReads:
            applyFault(c);
            return true;
        default:
            return false;
    }
}

nlohmann::json ViewerApp::tutorialJson() const
{
    if (!tutorial_) return nullptr;
    const TutorialSession& t = *tutorial_;
    const tutorial::Step& step = t.current();
    nlohmann::json j = {
        {"id", t.lesson().id},
        {"title", t.title()},
        {"step", t.step() + 1},  // 1-based, as the panel shows it
        {"steps", t.steps()},
        {"status", checkpointStatusName(t.status())},
        {"lang", tutorial::langName(t.lang())},
        {"mode", t.mode() == TutorialMode::Live ? "live" : "replay"},
        {"text", t.text()},
        {"hint", t.hint()},
        {"met_event", t.metEvent()},
        {"satisfied", t.satisfied()},
        {"total", t.total()},
        {"walked", walked_},  // --tutorial-step: how each earlier step was left
        {"action_pending", t.actionPending()},
        {"highlight",
         {{"picture", step.highlight.picture},
          {"nodes", view_.highlightNodes},  // variables substituted
          {"edges", view_.highlightEdges}}},
    };
    // Where the panel drew its buttons (window pixels), for tests that click them.
    auto rect = [](const ScreenRow& r) { return nlohmann::json::array({r.x, r.y, r.w, r.h}); };
    j["buttons"] = {{"back", rect(view_.tutorialBack)},
                    {"next", rect(view_.tutorialNext)},
                    {"repeat", rect(view_.tutorialRepeat)}};
    nlohmann::json server = {{"running", lessonServer_ && lessonServer_->running()}};
    if (lessonServer_)
    {
        server["master_pid"] = lessonServer_->masterPid();
        server["port"] = lessonServer_->port();
        server["trace"] = lessonServer_->traceAddress();
    }
    // Every pid of the server the trace names (the test checks none outlives the viewer).
    nlohmann::json pids = nlohmann::json::array();
    for (const Process& p : store_->topology().processes)
        if (p.pid > 0) pids.push_back(p.pid);
    // Workers restarted since the header (a kill, a reload) have new pids.
    ArchitectureState newest;
    timeline_.stateAt(*store_, store_->size(), newest);
    for (const WorkerState& w : newest.workers())
        if (w.pid > 0 && std::find(pids.begin(), pids.end(), w.pid) == pids.end())
            pids.push_back(w.pid);
    server["pids"] = pids;
    j["server"] = server;
    return j;
}

}  // namespace rscope::viewer
