// Playback: the cursor (position, cursorNs, phase) and how wall time moves it in the two pace
// modes. Stepping and seeking put the cursor in one canonical state per event, so that stepping
// back and forth always lands on identical values.
#include "viewer/model/playback.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

// Number of events with tsNs <= t.
size_t countUpTo(const TraceStore& store, int64_t t)
{
    if (t == std::numeric_limits<int64_t>::max()) return store.size();
    return store.lowerBoundNs(t + 1);
}

}  // namespace

void Playback::setSpeed(double speed)
{
    if (!(speed == speed)) return;  // NaN: keep the old speed
    speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
}

void Playback::setEventIntervalMs(double ms)
{
    if (!(ms == ms)) return;
    eventIntervalMs_ = std::clamp(ms, 1.0, 10000.0);
}

void Playback::stepForward(const TraceStore& store)
{
    pause();
    live_ = false;
    settleOn(store, std::min(position_ + 1, store.size()));
}

void Playback::stepBack(const TraceStore& store)
{
    pause();
    live_ = false;
    settleOn(store, position_ > 0 ? std::min(position_ - 1, store.size()) : 0);
}

void Playback::stepSession(const TraceStore& store, int64_t session, bool forward)
{
    // "From the cursor": forward looks at events not yet happened, back at those before the
    // newest. A linear scan: run on a click, not per frame.
    size_t n = store.size();
    if (forward)
    {
        for (size_t i = position_; i < n; ++i)
            if (store[i].session == session)
            {
                pause();
                seekEvent(store, i);
                return;
            }
    }
    else
    {
        for (size_t i = std::min(position_, n); i-- > 1;)
            if (store[i - 1].session == session)
            {
                pause();
                seekEvent(store, i - 1);
                return;
            }
    }
}

void Playback::seekEvent(const TraceStore& store, size_t index, double phaseSec)
{
    live_ = false;
    if (store.size() == 0)
    {
        seekStart();
        return;
    }
    index = std::min(index, store.size() - 1);
    position_ = index + 1;
    cursorNs_ = store[index].tsNs;
    phaseSec_ = phaseSec < 0 ? tokenLifetimeSec_ / 2 : phaseSec;
}

void Playback::seekNs(const TraceStore& store, int64_t tsNs)
{
    live_ = false;
    position_ = countUpTo(store, tsNs);
    cursorNs_ = tsNs;
    phaseSec_ = 0;
}

void Playback::seekStart()
{
    live_ = false;
    position_ = 0;
    cursorNs_ = 0;
    phaseSec_ = 0;
}

void Playback::settleOn(const TraceStore& store, size_t position)
{
    // The one state a step leads to for a given position: the newest event's token half-way.
    if (position == 0 || store.size() == 0)
        seekStart();
    else
        seekEvent(store, position - 1, -1.0);
}

void Playback::advance(const TraceStore& store, double dtSec)
{
    if (!(dtSec > 0)) dtSec = 0;
    if (live_)
    {
        followLive(store, dtSec);
        return;
    }
    if (!playing_) return;
    if (mode_ == PaceMode::RealTime)
        advanceRealTime(store, dtSec);
    else
        advanceEventPace(store, dtSec);
}

void Playback::advanceRealTime(const TraceStore& store, double dtSec)
{
    if (store.size() == 0)
    {
        pause();
        return;
    }
    const double nsPerSec = speed_ * 1e9;
    // Play resumes from the cursor's trace time. A stepped cursor's phase (the newest token
    // shown half-way) is not folded into the clock: at 1x on a busy trace that half token
    // lifetime is ~100k events, a jump away from the moment the learner chose. The newest token
    // flies again from its source instead. Before the first event the clock starts just before it.
    int64_t clock = cursorNs_;
    clock = std::max(clock, store.firstNs() - 1);
    clock += std::llround(dtSec * nsPerSec);
    // Past the last event the clock runs one token lifetime more, so the last tokens land.
    const int64_t endNs = store.lastNs() + std::llround(tokenLifetimeSec_ * nsPerSec);
    if (clock >= endNs)
    {
        clock = endNs;
        pause();
    }
    cursorNs_ = clock;
    phaseSec_ = 0;
    // Never move backwards: events passed stay passed even when ts are slightly out of order.
    position_ = std::min(std::max(position_, countUpTo(store, cursorNs_)), store.size());
}

void Playback::advanceEventPace(const TraceStore& store, double dtSec)
{
    const double intervalSec = eventIntervalMs_ / 1000.0;
    phaseSec_ += dtSec;
    size_t n = store.size();
    if (position_ < n && phaseSec_ >= intervalSec)
    {
        // A long frame (a hitch, a breakpoint) passes several events at once, in O(1).
        auto steps = static_cast<size_t>(std::floor(phaseSec_ / intervalSec));
        steps = std::min(steps, n - position_);
        position_ += steps;
        phaseSec_ -= static_cast<double>(steps) * intervalSec;
    }
    if (position_ > 0) cursorNs_ = store[position_ - 1].tsNs;
    if (position_ >= n && phaseSec_ >= tokenLifetimeSec_) pause();
}

size_t Playback::behindLive(const TraceStore& store) const
{
    return live_ && position_ < store.size() ? store.size() - position_ : 0;
}

void Playback::jumpToLive(const TraceStore& store)
{
    live_ = true;
    playing_ = true;
    position_ = store.size();
    cursorNs_ = store.size() > 0 ? store.lastNs() : 0;
    phaseSec_ = 0;
}

void Playback::followLivePaced(const TraceStore& store, double dtSec)
{
    const size_t n = store.size();
    const double intervalSec = eventIntervalMs_ / 1000.0;
    position_ = std::min(position_, n);  // a new recording may be shorter
    phaseSec_ += dtSec;
    if (position_ < n && phaseSec_ >= intervalSec)
    {
        auto steps = static_cast<size_t>(std::floor(phaseSec_ / intervalSec));
        steps = std::min(steps, n - position_);
        position_ += steps;
        phaseSec_ -= static_cast<double>(steps) * intervalSec;
    }
    // Caught up: the next event may show as soon as it comes, but an idle minute must not let a
    // burst through at once, nor make its token start old.
    if (position_ == n) phaseSec_ = std::min(phaseSec_, intervalSec);
    cursorNs_ = position_ > 0 ? store[position_ - 1].tsNs : 0;
}

void Playback::followLive(const TraceStore& store, double dtSec)
{
    if (livePaced_ && mode_ == PaceMode::EventPace)
    {
        followLivePaced(store, dtSec);
        return;
    }
    size_t n = store.size();
    if (n == 0)
    {
        position_ = 0;
        return;
    }
    if (mode_ == PaceMode::RealTime)
    {
        // The clock runs on wall time but never lags the newest event, so fresh events start
        // their flight within the latency of the socket, and idle tokens land.
        int64_t clock = cursorNs_ + std::llround((phaseSec_ + dtSec) * speed_ * 1e9);
        cursorNs_ = std::max(clock, store.lastNs());
        phaseSec_ = 0;
    }
    else
    {
        phaseSec_ = n > position_ ? 0 : phaseSec_ + dtSec;
        cursorNs_ = store.lastNs();
    }
    position_ = n;
}

double Playback::ageSec(const TraceStore& store, size_t i) const
{
    if (i >= position_ || i >= store.size()) return -1.0;
    if (mode_ == PaceMode::RealTime)
        return static_cast<double>(cursorNs_ - store[i].tsNs) / (speed_ * 1e9) + phaseSec_;
    return static_cast<double>(position_ - 1 - i) * (eventIntervalMs_ / 1000.0) + phaseSec_;
}

size_t Playback::windowStart(const TraceStore& store, double seconds) const
{
    size_t pos = std::min(position_, store.size());
    double left = seconds - phaseSec_;  // age budget left for events older than the phase
    if (pos == 0 || left <= 0) return pos;
    size_t start;
    if (mode_ == PaceMode::RealTime)
    {
        // age(i) < seconds  <=>  ts_i > cursorNs - left * speed * 1e9
        double oldest = static_cast<double>(cursorNs_) - left * speed_ * 1e9;
        start = oldest < static_cast<double>(store.firstNs())
                    ? 0
                    : countUpTo(store, static_cast<int64_t>(std::floor(oldest)));
    }
    else
    {
        // age(i) = (pos - 1 - i) * interval + phase < seconds  <=>  pos - 1 - i < left / interval
        double k = std::ceil(left / (eventIntervalMs_ / 1000.0));
        start = k >= static_cast<double>(pos) ? 0 : pos - static_cast<size_t>(k);
    }
    start = std::min(start, pos);
    // Rounding may put the estimate one event off: settle it exactly where ageSec() says, so a
    // token never shows at progress 1 nor vanishes early.
    while (start < pos && ageSec(store, start) >= seconds) ++start;
    while (start > 0 && ageSec(store, start - 1) < seconds) --start;
    return start;
}

}  // namespace rscope::viewer
