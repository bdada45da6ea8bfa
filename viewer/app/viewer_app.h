// The viewer application: window, GL context and ImGui; the model (store, state timeline and
// cursor, playback) and its source (a file read in slices, or the live socket); the frame loop;
// the headless screenshot / layout dump and the benchmark.
// Owner: the main (GUI) thread, which owns every member; only LiveSource runs a thread.
// Thread-safety: none; every method runs on the GUI thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "viewer/app/viewer_options.h"
#include "viewer/layout/draw_records.h"
#include "viewer/model/activity.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/hop_stepper.h"
#include "viewer/model/model_findings.h"
#include "viewer/model/playback.h"
#include "viewer/model/session_index.h"
#include "viewer/model/startup_flow.h"
#include "viewer/model/trace_statistics.h"
#include "viewer/view/commands.h"
#include "viewer/view/panels.h"
#include "viewer/view/view_state.h"

struct GLFWwindow;

namespace rscope::tutorial
{
class LessonServer;
class ActionRunner;
struct Action;
struct Lesson;
}  // namespace rscope::tutorial

namespace rscope::viewer
{

class TraceStore;
class TraceReader;
class LiveSource;
class TutorialSession;

// Process exit codes (main and headless runs).
enum ExitCode : int
{
    kExitOk = 0,
    kExitUsage = 1,
    kExitCannotRead = 2,   // the trace file cannot be opened or read
    kExitRefused = 3,      // the trace was refused (newer major version, not a trace)
    kExitNoDisplay = 4,    // GLFW / OpenGL could not start
    kExitWriteFailed = 5,  // the screenshot or the layout dump could not be written
    kExitException = 6,
};

class ViewerApp
{
  public:
    explicit ViewerApp(ViewerOptions options);
    ~ViewerApp();
    ViewerApp(const ViewerApp&) = delete;
    ViewerApp& operator=(const ViewerApp&) = delete;

    // Runs the mode the options ask for (window, headless capture, or bench); the exit code.
    int run();

  private:
    // viewer_app.cpp: window and frames.
    bool initWindow(bool visible, bool vsync);
    void shutdownWindow();
    int runInteractive();

  public:
    // The interactive window without its loop, for a host that owns the loop (the browser's
    // requestAnimationFrame): startInteractive opens the window and the sources (false: no
    // window; startRc() then says why a source failed), interactiveFrame draws one frame.
    bool startInteractive();
    void interactiveFrame();
    int startRc() const { return startRc_; }
    // The web page's actions (viewer/web): open a file the page wrote into the file system, or
    // a bridge address to watch; the moment as a link's query ("trace=...&event=...").
    // `applyStart`: the start options' moment (a link's event, picture) is taken once it is in.
    void openFile(const std::string& path, bool applyStart);
    std::string momentQuery() const;
    void followLink();  // the address bar follows the moment (View > Address bar follows...)
    // The --dump-layout document of the last frame, and the --dump-state-on-exit one (tests).
    bool layoutJson(std::string& out, std::string& error) const;
    std::string stateText() const;
    void resizeWindow(int width, int height);

  private:
    int runHeadless();
    void frame(
        double dtSec);  // model update, UI, render (no swap: a capture reads the back buffer)
    void updateModel(double dtSec);
    // The keyboard shortcuts (Space, Left, Right, Ctrl+Q) pressed since the last frame, as
    // commands; onKey is the GLFW key callback that records them.
    static void onKey(GLFWwindow* window, int key, int scancode, int action, int mods);
    void shortcutCommands(Commands& out);
    void driveStepHops();  // --step-hops
    Commands drawUi();
    void clearBackgrounds(int fbWidth, int fbHeight);
    int writeCaptures();
    // The --dump-layout document: the pictures of the last frame, the cursor, the panels' and
    // rows' rectangles, and stateJson() under "state".
    bool writeLayoutFile(const std::string& path, std::string& error) const;
    void dumpLayoutIfDue();  // --dump-layout-every: interactive frames rewrite the dump
    // --dump-state-on-exit: cursor_event, selected_session, picture, live, tutorial, window.
    nlohmann::json stateJson() const;
    int writeStateOnExit(int rc) const;  // rc, or kExitWriteFailed when the file failed
    DrawList layoutArchitectureIn(const RectF& canvas) const;
    // The shown tab's picture, rendered offscreen at its full size (File > Export, --export-png).
    bool exportPicture(const std::string& path, std::string& error);
    // sequence_export.cpp: the sequence tab's diagram as shown (its sessions and center) with a
    // wider window, for the PNG and Mermaid exports.
    DrawList layoutSequenceForExport() const;
    bool exportSequenceMermaid(const std::string& path, std::string& error) const;

    // app_sources.cpp: sources, derived data and commands.
    int loadFileNow(const std::string& path);  // whole file; an ExitCode
    void startLoad(const std::string& path);   // in slices, one per frame
    void stepLoad();
    void finishLoad();
    void startLive(const std::string& address);
    void drainLive();
    void resetDerived();   // after the store was refilled: keyframes, cursor, log filter, indexes
    void extendDerived();  // after appends: the indexes take the new events
    void updateFilter();
    void reportLoadProblems(const std::string& path);
    void applyCommands(const Commands& commands);
    void applyStartOptions();
    SourceInfo sourceInfo() const;

    // app_tutorial.cpp: the lesson (--tutorial), its server, step actions and fault injection.
    int openTutorial(const std::string& nameOrPath);  // an ExitCode
    void closeTutorial();                             // stops the lesson server and helpers
    void listLessons();                               // the Tutorial menu's lessons
    void updateTutorial();                            // once per frame, after the cursor moved
    void onTutorialStep(bool runAction);              // highlights, tab, the step's action
    void runStepAction();                             // now: the trace socket is watched
    void syncReplayRun();      // a replay shows the recording of the step's server run
    void driveTutorialGate();  // live: hold the lesson's server, step it to the checkpoint
    bool watchingTrace() const;
    bool applyTutorialCommand(const Command& c);  // false: not a tutorial / server command
    void applyFault(const Command& c);
    void applyStartFault();  // --fault, once its moment has come
    bool runServerAction(const tutorial::Action& action, std::string& error);
    void updateServerAccess();
    // The lesson on its recording (its server did not start, or --tutorial-replay): an ExitCode.
    int replayLesson(const tutorial::Lesson& lesson, std::string serverError);
    int64_t nowMs() const;
    nlohmann::json tutorialJson() const;

    // bench.cpp
    int runBench();
    void benchPlay(const char* name, PaceMode mode, double value, PictureTab tab);
    void benchLiveIngest(double linesPerSec);  // 0 = as fast as possible

    ViewerOptions options_;
    GLFWwindow* window_ = nullptr;
    bool imguiReady_ = false;
    bool headless_ = false;
    std::unique_ptr<TraceStore> store_;
    StateTimeline timeline_;
    StateCursor cursor_;
    Playback playback_;
    std::unique_ptr<TraceReader> reader_;  // set while a file loads in slices
    std::unique_ptr<LiveSource> live_;     // set for a --connect session
    std::string sourceLabel_;              // file path or live address
    ViewState view_;
    Activity activity_;
    ModelFindings findings_;
    SessionIndex sessions_;    // the sequence tab's session list and diagrams
    StartupProgress startup_;  // the startup tab's lit steps, extended with the store
    TraceStatistics stats_;    // the statistics tab's numbers, extended with the store
    // The records of the pictures drawn in the last frame (the tab on show; --dump-layout).
    std::vector<DrawList> pictures_;
    RectF pictureArea_;  // the picture tab's content area this frame
    PanelRects rects_;   // where the panels were placed this frame (their backgrounds are cleared)
    float fps_ = 0;
    uint64_t frames_ = 0;               // frames drawn (the layout dump's "frame")
    double lastFrameSec_ = 0;           // glfwGetTime() of the last interactive frame
    int startRc_ = 0;                   // an ExitCode: --tutorial could not open
    std::string linkShown_;             // web: the moment query the address bar shows
    bool startOptionsPending_ = false;  // interactive: --at-event waits for the file to load
    struct KeyPress
    {
        int key, mods, action;
    };
    std::vector<KeyPress> pressedKeys_;  // by onKey, taken by the next frame
    bool redrawNow_ = false;     // the last frame applied commands: draw the next one at once
    double lastDumpSec_ = -1e9;  // glfwGetTime() of the last --dump-layout-every write
    int stepHopsLeft_ = 0;
    HopStepper hopStepper_;      // "Next hop" in live step mode: one cursor event per hop
    size_t stepBaseEvents_ = 0;  // store size when --step-hops took the hold
    int stepFrames_ = 0;
    // The open lesson (app_tutorial.cpp): the session, the server the viewer started for it and
    // the runner of its actions (destroyed before the server: helpers stop first).
    std::unique_ptr<TutorialSession> tutorial_;
    std::unique_ptr<tutorial::LessonServer> lessonServer_;
    std::unique_ptr<tutorial::ActionRunner> actions_;
    std::string rscopeBinary_;
    bool pendingAction_ = false;         // the step's action waits for the trace socket
    std::string replayFirst_;            // a replay: the recording of the lesson's first run
    int replayRun_ = 1;                  // the run whose recording the store holds
    std::vector<std::string> walked_;    // --tutorial-step: each step's status when left
    size_t highlightSatisfied_ = 0;      // matchers met when the highlights were last substituted
    bool startFaultDone_ = false;        // --fault applied (or refused)
    std::vector<std::string> faultLog_;  // what each fault command did (status texts; the dump)
};

}  // namespace rscope::viewer
