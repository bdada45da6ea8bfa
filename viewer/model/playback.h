// The playback cursor over a trace: play, pause, step, scrub, speed, and the teaching pace.
// Time is injected (advance(dt)) so headless frames are deterministic. Owner: the GUI thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rscope::viewer
{

class TraceStore;

enum class PaceMode : uint8_t
{
    RealTime,   // trace time runs at `speed` x wall time (0.01x .. 100x)
    EventPace,  // teaching pace: one event every `eventIntervalMs` of wall time
};

// position() = number of events the cursor has passed: events [0, position) have happened and
// event position()-1 is the newest. "At event N" (0-based) means position N+1.
class Playback
{
  public:
    static constexpr double kMinSpeed = 0.01;
    static constexpr double kMaxSpeed = 100.0;

    void play() { playing_ = true; }
    void pause() { playing_ = false; }
    bool playing() const { return playing_; }

    void setMode(PaceMode mode) { mode_ = mode; }
    PaceMode mode() const { return mode_; }
    void setSpeed(double speed);  // clamped to [kMinSpeed, kMaxSpeed]
    double speed() const { return speed_; }
    void setEventIntervalMs(double ms);  // clamped to [1, 10000]
    double eventIntervalMs() const { return eventIntervalMs_; }
    // How long (wall seconds) a hop token takes to cross its edge.
    void setTokenLifetimeSec(double s) { tokenLifetimeSec_ = s; }
    double tokenLifetimeSec() const { return tokenLifetimeSec_; }

    // Each pauses and sets the phase so the newest event's token is mid-flight when phaseSec < 0.
    // Steps and seeks leave live mode (the cursor would otherwise jump back to the end).
    void stepForward(const TraceStore& store);
    void stepBack(const TraceStore& store);
    // Next / previous event (from the cursor) whose session is `session`; stays put if none.
    void stepSession(const TraceStore& store, int64_t session, bool forward);
    // Event `index` becomes the newest; its token has been flying `phaseSec` (negative = half of
    // the token lifetime).
    void seekEvent(const TraceStore& store, size_t index, double phaseSec = -1.0);
    void seekNs(const TraceStore& store, int64_t tsNs);  // every event with ts <= tsNs has happened
    void seekStart();

    // One frame of wall time. Playing moves the cursor (stopping at the end unless live);
    // in live mode the cursor stays on the newest event.
    void advance(const TraceStore& store, double dtSec);

    void goLive()
    {
        live_ = true;
        playing_ = true;
    }
    void leaveLive() { live_ = false; }
    bool live() const { return live_; }
    // Live at the teaching pace (EventPace mode): the cursor walks the live events one every
    // eventIntervalMs, and what arrives faster waits behind it. Off (or RealTime): the cursor
    // stays on the newest event.
    void setLivePaced(bool on) { livePaced_ = on; }
    bool livePaced() const { return livePaced_; }
    // Live events received but not shown yet (the teaching pace's buffer); 0 when not live.
    size_t behindLive(const TraceStore& store) const;
    // Catches up: live again, the newest event is the cursor's and its token flies from its start.
    void jumpToLive(const TraceStore& store);

    size_t position() const { return position_; }
    int64_t cursorNs() const { return cursorNs_; }
    double phaseSec() const { return phaseSec_; }
    // Wall seconds since event i happened on this cursor's clock (< 0: not yet). Drives tokens.
    double ageSec(const TraceStore& store, size_t i) const;
    // The oldest event index whose age is below `seconds` (the animation window start).
    size_t windowStart(const TraceStore& store, double seconds) const;

  private:
    // The canonical stepped state for `position`: what stepForward/stepBack land on.
    void settleOn(const TraceStore& store, size_t position);
    void advanceRealTime(const TraceStore& store, double dtSec);
    void advanceEventPace(const TraceStore& store, double dtSec);
    void followLive(const TraceStore& store, double dtSec);
    void followLivePaced(const TraceStore& store, double dtSec);

    PaceMode mode_ = PaceMode::EventPace;
    double speed_ = 1.0;
    double eventIntervalMs_ = 700.0;
    double tokenLifetimeSec_ = 0.6;
    bool playing_ = false;
    bool live_ = false;
    bool livePaced_ = false;
    size_t position_ = 0;
    int64_t cursorNs_ = 0;
    // Wall seconds since the newest event was reached (EventPace); in RealTime the extra age a
    // step or seekEvent gives the events (cursorNs_ is then the newest event's ts), 0 while
    // playing.
    double phaseSec_ = 0.0;
};

}  // namespace rscope::viewer
