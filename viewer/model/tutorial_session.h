// A lesson being followed in the viewer at the learner's pace: the current step, the language,
// the step's checkpoint evaluated over the store's events — live (events appended after the step
// began) or against a recording (scanned forward from where the step began) — where the cursor
// must go (the event that met the step: the picture shows that moment), and, live, how the
// server's step gate is driven (held from the start; released event by event until the step's
// checkpoint is met). A step with an action is entered Ready: its action runs only when the
// learner presses Next. Owner: ViewerApp (GUI thread). Not thread-safe. The app runs the step
// actions, moves the cursor and sends the gate commands; this class only says when.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/tutorial/checkpoint_tracker.h"
#include "engine/tutorial/lesson.h"
#include "viewer/model/tutorial_feed.h"

namespace rscope::viewer
{

class TraceStore;

enum class TutorialMode : uint8_t
{
    Live,    // the viewer's own lesson server feeds the store
    Replay,  // the lesson's recording is the store
};

enum class CheckpointStatus : uint8_t
{
    Ready,           // the step's action waits for Next (nothing of it has happened yet)
    None,            // the step has no checkpoint
    Waiting,         // live: not yet; replay: the recording is still being scanned
    TimedOut,        // live: still waiting past timeout_ms: the hint is shown
    Ahead,           // replay: met by a later event of the recording, the cursor is before it
    Met,             // live: met; replay: the cursor has passed the event that met it
    DoneEarlier,     // live: re-entered with Back after it had been met (being re-checked)
    NotInRecording,  // replay: the recording ends without meeting it: the hint is shown
};
const char* checkpointStatusName(CheckpointStatus status);  // "waiting", "met", ...

// Where the app must put the cursor (TutorialSession::takeCursorMove), once per request.
struct CursorMove
{
    enum class Kind : uint8_t
    {
        None,    // leave it (the learner may have moved it)
        Event,   // event `event` is the newest shown (its token mid-flight)
        Start,   // before the first event: nothing has happened yet
        Follow,  // live: ride the newest event while the step's events arrive
    };
    Kind kind = Kind::None;
    size_t event = 0;
};

// What the app sends on the live lesson server's trace socket (TutorialSession::gateCommand).
enum class GateCommand : uint8_t
{
    None,
    Hold,  // "hold": threads pause after each event
    Step,  // "step": the oldest paused thread goes on to its next event
    Run,   // "run": a load action's events flow freely until its checkpoint is met
};

class TutorialSession
{
  public:
    TutorialSession(tutorial::Lesson lesson, tutorial::Lang lang, TutorialMode mode);
    ~TutorialSession();
    TutorialSession(const TutorialSession&) = delete;
    TutorialSession& operator=(const TutorialSession&) = delete;

    const tutorial::Lesson& lesson() const { return lesson_; }
    TutorialMode mode() const { return mode_; }
    tutorial::Lang lang() const { return lang_; }
    void setLang(tutorial::Lang lang) { lang_ = lang; }
    size_t step() const { return step_; }  // 0-based
    size_t steps() const { return lesson_.steps.size(); }
    const tutorial::Step& current() const { return lesson_.steps[step_]; }
    const std::string& title() const { return lesson_.title.in(lang_); }
    const std::string& text() const { return current().text.in(lang_); }
    const std::string& hint() const;  // the checkpoint's hint ("" without one)

    // Steps are entered by these; each returns true when the app must run the step's action
    // now (live mode; never for Back). Windows: see tutorial_session.cpp.
    // Enters step 0: Ready when it has an action (never runs it: the learner presses Next).
    bool start(const TraceStore& store, int64_t nowMs);
    // On a Ready step: runs its action (the step stays; its window opens now). Otherwise enters
    // the next step (Ready if it has an action); also skips an unmet checkpoint.
    bool next(const TraceStore& store, int64_t nowMs);
    bool back(const TraceStore& store, int64_t nowMs);  // the step before, its action done
    // Re-enters the current step: live with an action, a new window and the action again.
    bool repeat(const TraceStore& store, int64_t nowMs);
    bool actionPending() const { return status_ == CheckpointStatus::Ready; }
    // The current step's action has run (or it has none): the step is past Ready.
    bool actionRan() const { return status_ != CheckpointStatus::Ready; }
    // The step's window begins at store index `begin`: its action ran late (it waited for the
    // trace socket: the store's end), or a replay moved on to the next server run's file (0).
    void restartWindow(size_t begin, int64_t nowMs);
    // Switches a live lesson to its recording (the server could not start): the step is
    // re-evaluated from its beginning in the store the app has just filled.
    void switchToReplay(const TraceStore& store, int64_t nowMs);

    // Once per frame: feeds the events appended since the last call (live) or the next slice
    // of the recording (replay), at most `budget` events; `position` is the playback position
    // (events [0, position) have happened).
    void update(const TraceStore& store, size_t position, int64_t nowMs,
                size_t budget = kScanBudget);
    // The store was cleared and refilled: live, the new recording began after the step did,
    // so all of it counts; replay, the step is scanned again from its beginning.
    void storeReset(int64_t nowMs);

    CheckpointStatus status() const { return status_; }
    // Next (not Skip): ready (runs the action), met, none, done earlier, or ahead in a replay.
    bool canAdvance() const;
    // The checkpoint is still looked for (waiting, timed out, done earlier).
    bool listening() const;
    int64_t metEvent() const { return metEvent_; }  // store index of the meeting event, -1
    size_t satisfied() const;
    size_t total() const;
    int64_t elapsedMs(int64_t nowMs) const { return nowMs - enteredMs_; }
    size_t stepBegin() const { return begin_; }  // store index the checkpoint counts from

    // The cursor move due since the last call (None when there is none), resolved against the
    // store: the event that met the step once it is met (both modes); a Ready step keeps the
    // previous step's moment (the first step: live, the server as it is; a replay, the end of
    // the recording's replayed startup, or its start when the step starts the server); live
    // events are followed while a step's checkpoint is looked for.
    CursorMove takeCursorMove(const TraceStore& store);

    // Live, a server started with --trace-step that the lesson owns: the command to send now.
    // Held from the start; while a step's checkpoint is looked for, one `step` per event that
    // arrived (or per kStepIdleMs without one: the released thread went idle); nothing once it
    // is met, so the server stays where the step ends. A load action (send_requests, send_big,
    // open_connections, slow_reader, never_reads, reload) runs free until its checkpoint is met:
    // stepping hundreds of requests would take minutes. `holding`: this viewer holds the gate now.
    GateCommand gateCommand(size_t storeSize, bool holding, int64_t nowMs);
    // The learner acted outside the lesson (the Server menu: kill, pause, reload, ...): the
    // server runs free and the cursor follows it until the next step is entered.
    void leavePace();
    static constexpr int64_t kStepIdleMs = 40;
    // Variables bound so far ("$w" -> "3"): by the checkpoints of the steps met before this one
    // and by this step's checkpoint. A highlight may name them ("worker[$w]"), so the picture
    // points at the worker this server really chose.
    std::map<std::string, std::string> bindings() const;
    // The step's highlights with the variables resolved (an id naming an unbound one is left
    // out until the events bind it: tutorial::resolveHighlight).
    std::vector<std::string> highlightNodes() const;
    std::vector<std::string> highlightEdges() const;

    static constexpr size_t kScanBudget = 200000;  // events per frame (~1 ms of matching)

  private:
    bool enter(size_t step, size_t begin, int64_t nowMs, bool runAction);
    void enterReady(size_t step, size_t begin, int64_t nowMs);
    void arm(int64_t nowMs);
    void moveCursorTo(CursorMove::Kind kind, size_t event = 0);
    bool freeRunning() const;  // the window's action is a load: no stepping

    tutorial::Lesson lesson_;
    tutorial::Lang lang_;
    TutorialMode mode_;
    size_t step_ = 0;
    std::unique_ptr<tutorial::CheckpointTracker> tracker_;  // references lesson_'s checkpoint
    EventFactsFeed feed_;
    CheckpointStatus status_ = CheckpointStatus::None;
    size_t begin_ = 0;    // first store index the step's checkpoint counts
    size_t scanned_ = 0;  // next store index to feed
    int64_t metEvent_ = -1;
    int64_t enteredMs_ = 0;
    bool ready_ = false;              // the current step waits for Next to run its action
    std::string windowAction_;        // the action that opened the current window ("" for none)
    CursorMove pendingMove_;          // what takeCursorMove returns next
    bool moveToStartup_ = false;      // pendingMove_ is "the end of the replayed startup"
    bool unpaced_ = false;            // leavePace() until the next step
    size_t gateSize_ = 0;             // store size when the last step was sent
    int64_t gateMs_ = 0;              // when it was sent
    std::vector<bool> metBefore_;     // per step: its checkpoint was met (or it had none)
    std::vector<size_t> stepBegins_;  // where each entered step began
    // Per step: the bindings its checkpoint made when it was met (Back keeps earlier ones).
    std::vector<std::map<std::string, std::string>> stepBindings_;
};

}  // namespace rscope::viewer
