// The tutorial state machine. Windows follow `rscope tutorial check` (lesson_check.h): a step's
// events count from when its action ran; a step without an action shares the window of the step
// before it, so several steps can explain the events of one action. A step with an action is
// entered Ready: nothing of it has happened until the learner presses Next, which runs the action
// and opens the window (the step stays until Next is pressed again). Back re-enters the previous
// step with the window it had (its checkpoint is re-evaluated over the same events, shown "done
// earlier" meanwhile if it was met) and does not run its action again; Repeat opens a new window
// and runs the action again (live). In a replay a step with an action begins after the event
// that met the step before it, where the recording's action ran. Whenever a checkpoint is met the
// cursor is sent to the event that met it, so the picture shows that moment.
#include "viewer/model/tutorial_session.h"

#include <algorithm>
#include <optional>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

const char* checkpointStatusName(CheckpointStatus status)
{
    switch (status)
    {
        case CheckpointStatus::Ready:
            return "ready";
        case CheckpointStatus::None:
            return "none";
        case CheckpointStatus::Waiting:
            return "waiting";
        case CheckpointStatus::TimedOut:
            return "timed_out";
        case CheckpointStatus::Ahead:
            return "ahead";
        case CheckpointStatus::Met:
            return "met";
        case CheckpointStatus::DoneEarlier:
            return "done_earlier";
        case CheckpointStatus::NotInRecording:
            return "not_in_recording";
    }
    return "none";
}

TutorialSession::TutorialSession(tutorial::Lesson lesson, tutorial::Lang lang, TutorialMode mode)
    : lesson_(std::move(lesson)),
      lang_(lang),
      mode_(mode),
      metBefore_(lesson_.steps.size(), false),
      stepBegins_(lesson_.steps.size(), 0),
      stepBindings_(lesson_.steps.size())
{
}

TutorialSession::~TutorialSession() = default;

const std::string& TutorialSession::hint() const
{
    static const std::string kNone;
    if (steps() == 0 || !current().checkpoint) return kNone;
    return current().checkpoint->hint.in(lang_);
}

namespace
{

bool startsServer(const std::optional<tutorial::Action>& action)
{
    return action && (action->kind == "start_server" || action->kind == "restart_server");
}

}  // namespace

bool TutorialSession::start(const TraceStore& store, int64_t nowMs)
{
    if (steps() == 0) return false;
    size_t begin = mode_ == TutorialMode::Live ? store.size() : 0;
    if (lesson_.steps[0].action)
    {
        // Live: the server as it is now (started on entry unless this step starts it); a replay:
        // the recording's replayed startup, or its very start when this step starts the server.
        enterReady(0, begin, nowMs);
        if (startsServer(lesson_.steps[0].action))
            moveToStartup_ = true;  // before the first event, even on a server that runs already
        else if (mode_ == TutorialMode::Live)
            moveCursorTo(CursorMove::Kind::Follow);
        else
            moveToStartup_ = true;
        return false;
    }
    enter(0, begin, nowMs, false);
    if (mode_ == TutorialMode::Live) moveCursorTo(CursorMove::Kind::Follow);
    return false;
}

bool TutorialSession::next(const TraceStore& store, int64_t nowMs)
{
    if (ready_)
    {
        // The learner asked for the action: its window opens now (live) or where the step was
        // entered (replay: just after the previous checkpoint's event).
        ready_ = false;
        size_t begin = mode_ == TutorialMode::Live ? store.size() : begin_;
        // A server that runs already (attached, or started on entry) replays its startup to
        // the viewer: that is what a start_server step shows.
        if (current().action->kind == "start_server") begin = 0;
        enter(step_, begin, nowMs, false);
        if (mode_ == TutorialMode::Live) moveCursorTo(CursorMove::Kind::Follow);
        return mode_ == TutorialMode::Live;
    }
    if (step_ + 1 >= steps()) return false;
    if (lesson_.steps[step_ + 1].action)
    {
        size_t begin = begin_;
        if (mode_ == TutorialMode::Replay && metEvent_ >= 0)
            begin = static_cast<size_t>(metEvent_) + 1;
        // The picture keeps the moment the finished step ended on until the action runs.
        if (metEvent_ >= 0) moveCursorTo(CursorMove::Kind::Event, static_cast<size_t>(metEvent_));
        enterReady(step_ + 1, begin, nowMs);
        return false;
    }
    enter(step_ + 1, begin_, nowMs, false);  // no action: the same window
    if (mode_ == TutorialMode::Live) moveCursorTo(CursorMove::Kind::Follow);
    return false;
}

bool TutorialSession::back(const TraceStore& store, int64_t nowMs)
{
    if (step_ == 0) return false;
    size_t k = step_ - 1;
    bool wasMet = metBefore_[k];
    enter(k, std::min(stepBegins_[k], store.size()), nowMs, false);
    if (wasMet && status_ == CheckpointStatus::Waiting && mode_ == TutorialMode::Live)
        status_ = CheckpointStatus::DoneEarlier;
    return false;
}

bool TutorialSession::repeat(const TraceStore& store, int64_t nowMs)
{
    if (steps() == 0) return false;
    bool newWindow = mode_ == TutorialMode::Live && current().action.has_value();
    enter(step_, newWindow ? store.size() : begin_, nowMs, false);
    if (newWindow) moveCursorTo(CursorMove::Kind::Follow);
    return newWindow;
}

void TutorialSession::restartWindow(size_t begin, int64_t nowMs)
{
    if (steps() == 0) return;
    if (ready_)
        enterReady(step_, begin, nowMs);
    else
        enter(step_, begin, nowMs, false);
}

void TutorialSession::switchToReplay(const TraceStore& store, int64_t nowMs)
{
    mode_ = TutorialMode::Replay;
    // Live positions mean nothing in the recording: the step is looked for from its start.
    std::fill(stepBegins_.begin(), stepBegins_.end(), 0);
    pendingMove_ = {};
    if (steps() > 0) restartWindow(0, nowMs);
    if (ready_) moveToStartup_ = true;
    (void)store;
}

bool TutorialSession::enter(size_t step, size_t begin, int64_t nowMs, bool runAction)
{
    unpaced_ = false;
    step_ = step;
    begin_ = begin;
    ready_ = false;
    stepBegins_[step] = begin;
    // A step with an action opens its own window; one without shares the window's action.
    if (current().action) windowAction_ = current().action->kind;
    arm(nowMs);
    return runAction && mode_ == TutorialMode::Live && current().action.has_value();
}

void TutorialSession::enterReady(size_t step, size_t begin, int64_t nowMs)
{
    unpaced_ = false;
    step_ = step;
    begin_ = begin;
    ready_ = true;
    stepBegins_[step] = begin;
    arm(nowMs);
}

void TutorialSession::arm(int64_t nowMs)
{
    scanned_ = begin_;
    metEvent_ = -1;
    enteredMs_ = nowMs;
    const tutorial::Step& s = current();
    if (s.checkpoint)
        tracker_ = std::make_unique<tutorial::CheckpointTracker>(*s.checkpoint);
    else
        tracker_.reset();
    if (ready_)
        status_ = CheckpointStatus::Ready;
    else if (s.checkpoint)
        status_ = CheckpointStatus::Waiting;
    else
    {
        status_ = CheckpointStatus::None;
        metBefore_[step_] = true;
    }
}

void TutorialSession::moveCursorTo(CursorMove::Kind kind, size_t event)
{
    pendingMove_ = CursorMove{kind, event};
    moveToStartup_ = false;
}

bool TutorialSession::listening() const
{
    return status_ == CheckpointStatus::Waiting || status_ == CheckpointStatus::TimedOut ||
           status_ == CheckpointStatus::DoneEarlier;
}

void TutorialSession::update(const TraceStore& store, size_t position, int64_t nowMs, size_t budget)
{
    if (steps() == 0 || ready_) return;  // a Ready step's action has not run: nothing to see
    if (store.size() < scanned_) storeReset(nowMs);  // refilled without a storeReset call
    if (tracker_ && listening())
    {
        size_t end = std::min(store.size(), scanned_ + budget);
        for (; scanned_ < end; ++scanned_)
        {
            if (!tracker_->observe(feed_.facts(store, scanned_))) continue;
            metEvent_ = static_cast<int64_t>(scanned_);
            metBefore_[step_] = true;
            stepBindings_[step_] = tracker_->bindings();
            status_ = CheckpointStatus::Met;
            // The step ends on the event that met it: the picture shows that moment.
            moveCursorTo(CursorMove::Kind::Event, scanned_);
            ++scanned_;
            break;
        }
    }
    if (mode_ == TutorialMode::Replay)
    {
        // The cursor decides what the learner has seen: met once it passed the meeting event.
        if (metEvent_ >= 0)
            status_ = position > static_cast<size_t>(metEvent_) ? CheckpointStatus::Met
                                                                : CheckpointStatus::Ahead;
        else if (tracker_ && scanned_ >= store.size())
            status_ = CheckpointStatus::NotInRecording;
        return;
    }
    if (status_ == CheckpointStatus::Waiting && tracker_ &&
        nowMs - enteredMs_ > current().checkpoint->timeoutMs)
        status_ = CheckpointStatus::TimedOut;
}

void TutorialSession::storeReset(int64_t nowMs)
{
    if (steps() == 0) return;
    gateSize_ = 0;
    // Event indexes pointed into the old store.
    if (pendingMove_.kind == CursorMove::Kind::Event) pendingMove_ = {};
    if (mode_ == TutorialMode::Live)
    {
        // A new recording (server restarted, reconnect): every event of it is after the step
        // began. A met step stays met; its event index pointed into the old store.
        begin_ = 0;
        stepBegins_[step_] = 0;
        if (ready_ || status_ == CheckpointStatus::Met || status_ == CheckpointStatus::None)
        {
            scanned_ = 0;
            metEvent_ = -1;
            return;
        }
        CheckpointStatus keep = status_;
        int64_t entered = enteredMs_;
        arm(nowMs);
        enteredMs_ = entered;  // the timeout runs from the step's entry, not the reconnect
        if (keep == CheckpointStatus::DoneEarlier) status_ = keep;
        return;
    }
    arm(nowMs);
}

CursorMove TutorialSession::takeCursorMove(const TraceStore& store)
{
    CursorMove move = pendingMove_;
    pendingMove_ = {};
    if (moveToStartup_)
    {
        moveToStartup_ = false;
        move = CursorMove{CursorMove::Kind::Start, 0};
        if (steps() > 0 && !startsServer(lesson_.steps[0].action))
        {
            // The server was up before the step's action: the replayed startup (events whose
            // seq is below the header's live_from_seq) has happened.
            uint64_t live = store.topology().liveFromSeq;
            for (size_t i = 0; i < store.size() && store[i].seq < live; ++i)
                move = CursorMove{CursorMove::Kind::Event, i};
        }
    }
    if (move.kind == CursorMove::Kind::Event && move.event >= store.size()) return {};
    return move;
}

bool TutorialSession::freeRunning() const
{
    return windowAction_ == "send_requests" || windowAction_ == "send_big" ||
           windowAction_ == "open_connections" || windowAction_ == "slow_reader" ||
           windowAction_ == "never_reads" || windowAction_ == "reload";
}

void TutorialSession::leavePace()
{
    if (mode_ != TutorialMode::Live) return;
    unpaced_ = true;
    moveCursorTo(CursorMove::Kind::Follow);
}

GateCommand TutorialSession::gateCommand(size_t storeSize, bool holding, int64_t nowMs)
{
    if (mode_ != TutorialMode::Live || steps() == 0) return GateCommand::None;
    if (unpaced_) return holding ? GateCommand::Run : GateCommand::None;
    bool looking = listening();
    if (looking && freeRunning()) return holding ? GateCommand::Run : GateCommand::None;
    if (!holding)
    {
        gateSize_ = storeSize;
        gateMs_ = nowMs;
        return GateCommand::Hold;
    }
    if (!looking) return GateCommand::None;
    // One thread at a time: after each new event, or after a quiet while (the released thread
    // went back to its epoll; the next event is another paused thread's).
    if (storeSize > gateSize_ || nowMs - gateMs_ >= kStepIdleMs)
    {
        gateSize_ = storeSize;
        gateMs_ = nowMs;
        return GateCommand::Step;
    }
    return GateCommand::None;
}

bool TutorialSession::canAdvance() const
{
    return status_ == CheckpointStatus::Ready || status_ == CheckpointStatus::None ||
           status_ == CheckpointStatus::Met || status_ == CheckpointStatus::DoneEarlier ||
           status_ == CheckpointStatus::Ahead;
}

size_t TutorialSession::satisfied() const
{
    return tracker_ ? tracker_->satisfied() : 0;
}

size_t TutorialSession::total() const
{
    return tracker_ ? tracker_->total() : 0;
}

std::map<std::string, std::string> TutorialSession::bindings() const
{
    std::map<std::string, std::string> out;
    // Later steps win: a variable re-bound by a later checkpoint names the newer object.
    for (size_t k = 0; k < step_ && k < stepBindings_.size(); ++k)
        for (const auto& [name, value] : stepBindings_[k]) out[name] = value;
    if (tracker_)
        for (const auto& [name, value] : tracker_->bindings()) out[name] = value;
    return out;
}

std::vector<std::string> TutorialSession::highlightNodes() const
{
    if (steps() == 0) return {};
    return tutorial::resolveHighlight(current().highlight, bindings()).nodes;
}

std::vector<std::string> TutorialSession::highlightEdges() const
{
    if (steps() == 0) return {};
    return tutorial::resolveHighlight(current().highlight, bindings()).edges;
}

}  // namespace rscope::viewer
