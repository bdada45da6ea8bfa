// The tutorial state machine. Windows follow `rscope tutorial check` (lesson_check.h): a step's
// events count from when its action ran; a step without an action shares the window of the step
// before it, so several steps can explain the events of one action. Back re-enters the previous
// step with the window it had (its checkpoint is re-evaluated over the same events, shown "done
// earlier" meanwhile if it was met) and does not run its action again; Repeat opens a new window
// and runs the action again (live). In a replay a step with an action begins after the event
// that met the step before it, where the recording's action ran.
#include "viewer/model/tutorial_session.h"

#include <algorithm>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

const char* checkpointStatusName(CheckpointStatus status)
{
    switch (status)
    {
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

bool TutorialSession::start(const TraceStore& store, int64_t nowMs)
{
    if (steps() == 0) return false;
    return enter(0, mode_ == TutorialMode::Live ? store.size() : 0, nowMs, true);
}

bool TutorialSession::next(const TraceStore& store, int64_t nowMs)
{
    if (step_ + 1 >= steps()) return false;
    bool action = lesson_.steps[step_ + 1].action.has_value();
    size_t begin = begin_;  // no action: the same window
    if (action && mode_ == TutorialMode::Live) begin = store.size();
    if (action && mode_ == TutorialMode::Replay && metEvent_ >= 0)
        begin = static_cast<size_t>(metEvent_) + 1;
    return enter(step_ + 1, begin, nowMs, true);
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
    return enter(step_, newWindow ? store.size() : begin_, nowMs, true);
}

void TutorialSession::restartWindow(size_t begin, int64_t nowMs)
{
    if (steps() > 0) enter(step_, begin, nowMs, false);
}

void TutorialSession::switchToReplay(const TraceStore& store, int64_t nowMs)
{
    mode_ = TutorialMode::Replay;
    // Live positions mean nothing in the recording: the step is looked for from its start.
    std::fill(stepBegins_.begin(), stepBegins_.end(), 0);
    if (steps() > 0) enter(step_, 0, nowMs, false);
    (void)store;
}

bool TutorialSession::enter(size_t step, size_t begin, int64_t nowMs, bool runAction)
{
    step_ = step;
    begin_ = begin;
    stepBegins_[step] = begin;
    arm(nowMs);
    return runAction && mode_ == TutorialMode::Live && current().action.has_value();
}

void TutorialSession::arm(int64_t nowMs)
{
    scanned_ = begin_;
    metEvent_ = -1;
    enteredMs_ = nowMs;
    const tutorial::Step& s = current();
    if (s.checkpoint)
    {
        tracker_ = std::make_unique<tutorial::CheckpointTracker>(*s.checkpoint);
        status_ = CheckpointStatus::Waiting;
    }
    else
    {
        tracker_.reset();
        status_ = CheckpointStatus::None;
        metBefore_[step_] = true;
    }
}

void TutorialSession::update(const TraceStore& store, size_t position, int64_t nowMs, size_t budget)
{
    if (steps() == 0) return;
    if (store.size() < scanned_) storeReset(nowMs);  // refilled without a storeReset call
    bool listening = status_ == CheckpointStatus::Waiting ||
                     status_ == CheckpointStatus::TimedOut ||
                     status_ == CheckpointStatus::DoneEarlier;
    if (tracker_ && listening)
    {
        size_t end = std::min(store.size(), scanned_ + budget);
        for (; scanned_ < end; ++scanned_)
        {
            if (!tracker_->observe(feed_.facts(store, scanned_))) continue;
            metEvent_ = static_cast<int64_t>(scanned_);
            metBefore_[step_] = true;
            stepBindings_[step_] = tracker_->bindings();
            status_ = CheckpointStatus::Met;
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
    if (mode_ == TutorialMode::Live)
    {
        // A new recording (server restarted, reconnect): every event of it is after the step
        // began. A met step stays met; its event index pointed into the old store.
        begin_ = 0;
        stepBegins_[step_] = 0;
        if (status_ == CheckpointStatus::Met || status_ == CheckpointStatus::None)
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

bool TutorialSession::canAdvance() const
{
    return status_ == CheckpointStatus::None || status_ == CheckpointStatus::Met ||
           status_ == CheckpointStatus::DoneEarlier || status_ == CheckpointStatus::Ahead;
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

int64_t TutorialSession::nextSeekEvent() const
{
    return mode_ == TutorialMode::Replay ? metEvent_ : -1;
}

}  // namespace rscope::viewer
