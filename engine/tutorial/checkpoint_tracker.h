// CheckpointTracker: decides whether a step's checkpoint holds over the events that arrived since
// the step began, fed one event at a time (live) or from a recording. Plain C++; the viewer feeds
// it from its compact events, `rscope tutorial check` from JSON lines.
// Owner: the runner of the step. Thread-safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tutorial/lesson.h"

namespace rscope::tutorial
{

// What a matcher may look at in one event. Ids the event does not carry are nullopt.
struct EventFacts
{
    std::string_view kind;
    std::string_view role;  // actor role: "master", "reactor", "manager", "worker"
    int index = -1;         // actor index
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::optional<int64_t> worker;
    std::optional<uint64_t> msgId;
    int64_t tsNs = 0;  // the event's monotonic ts; compared with the tracker's sinceNs
    // args.<key> as text ("RECV_DATA", "12", "true"), nullopt when absent. Called only for
    // matchers that name args, so a caller may decode lazily.
    std::function<std::optional<std::string>(std::string_view key)> arg;
};

class CheckpointTracker
{
  public:
    // Events with tsNs < sinceNs happened before the step began and are ignored (the default
    // takes every event). `checkpoint` must outlive the tracker.
    explicit CheckpointTracker(const Checkpoint& checkpoint, int64_t sinceNs = INT64_MIN);

    // One more event, in stream order. Returns met().
    bool observe(const EventFacts& event);
    bool met() const;
    // Matchers satisfied so far (in order mode: the prefix), for a progress display.
    size_t satisfied() const;
    size_t total() const;
    // Variables bound so far ("$w" -> "2").
    const std::map<std::string, std::string>& bindings() const { return bindings_; }

  private:
    // True when `m` matches the event given the bindings so far; fills `newBindings` with the
    // variables this match would bind (committed only when the event is taken).
    bool matches(const Matcher& m, const EventFacts& event,
                 std::map<std::string, std::string>& newBindings) const;

    const Checkpoint& checkpoint_;
    int64_t sinceNs_;
    std::vector<int> counts_;  // per matcher: events matched so far
    size_t next_ = 0;          // in order: the first matcher not yet complete
    std::map<std::string, std::string> bindings_;
};

}  // namespace rscope::tutorial
