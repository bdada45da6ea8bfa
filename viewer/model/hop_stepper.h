// Live step mode's "Next hop": each hop asked for moves the cursor exactly one event further.
// An event already received beyond the cursor is shown first; at the newest event the server is
// stepped (one paused thread goes on), and stepped again when that step showed no event after a
// while (the thread it let go went idle: its next event is another thread's). A step that lets
// out two events (a thread that was not paused answered too) leaves the second for the next hop.
// Owner: ViewerApp (GUI thread). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rscope::viewer
{

class TraceStore;
class Playback;

class HopStepper
{
  public:
    // A step that showed no event for this long is taken as gone idle: step again.
    static constexpr int64_t kRetryMs = 400;

    void request(int hops);
    void reset();
    int pending() const { return pending_; }

    // One frame: moves the paused cursor over received events for the hops asked for; true when
    // the server must be stepped now (the caller sends `step`).
    bool update(const TraceStore& store, Playback& playback, int64_t nowMs);

  private:
    int pending_ = 0;
    bool stepSent_ = false;  // a step is out and its event not in yet
    size_t sizeAtStep_ = 0;
    int64_t stepAtMs_ = 0;
};

}  // namespace rscope::viewer
