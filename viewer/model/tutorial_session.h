// A lesson being followed in the viewer: the current step, the language, and the step's
// checkpoint evaluated over the store's events — live (events appended after the step began) or
// against a recording (scanned forward from where the step began; the cursor catches up).
// Owner: ViewerApp (GUI thread). Not thread-safe. The app runs the step actions; this class only
// says when one is due.
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
    None,            // the step has no checkpoint
    Waiting,         // live: not yet; replay: the recording is still being scanned
    TimedOut,        // live: still waiting past timeout_ms: the hint is shown
    Ahead,           // replay: met by a later event of the recording, the cursor is before it
    Met,             // live: met; replay: the cursor has passed the event that met it
    DoneEarlier,     // live: re-entered with Back after it had been met (being re-checked)
    NotInRecording,  // replay: the recording ends without meeting it: the hint is shown
};
const char* checkpointStatusName(CheckpointStatus status);  // "waiting", "met", ...

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
    // now (live mode, the step has one; never for Back). Windows: see tutorial_session.cpp.
    bool start(const TraceStore& store, int64_t nowMs);  // enters step 0
    bool next(const TraceStore& store, int64_t nowMs);   // also skips an unmet checkpoint
    bool back(const TraceStore& store, int64_t nowMs);
    // Re-enters the current step: live with an action, a new window and the action again.
    bool repeat(const TraceStore& store, int64_t nowMs);
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
    bool canAdvance() const;  // Next (not Skip): met, none, done earlier, or ahead in a replay
    int64_t metEvent() const { return metEvent_; }  // store index of the meeting event, -1
    size_t satisfied() const;
    size_t total() const;
    int64_t elapsedMs(int64_t nowMs) const { return nowMs - enteredMs_; }
    size_t stepBegin() const { return begin_; }  // store index the checkpoint counts from
    // Replay: where the cursor should go when the learner presses Next (the event that met the
    // step), -1 when it stays.
    int64_t nextSeekEvent() const;

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
    void arm(int64_t nowMs);

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
    std::vector<bool> metBefore_;     // per step: its checkpoint was met (or it had none)
    std::vector<size_t> stepBegins_;  // where each entered step began
    // Per step: the bindings its checkpoint made when it was met (Back keeps earlier ones).
    std::vector<std::map<std::string, std::string>> stepBindings_;
};

}  // namespace rscope::viewer
