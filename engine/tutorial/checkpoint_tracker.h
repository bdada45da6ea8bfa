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
#include <unordered_set>
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

// The checkpoint holds whenever SOME choice of events fits: a variable is not stuck with the first
// event that could bind it (the first accept may be a connection that never sends), and in
// any_order an event that fits two matchers is tried for each.
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
    // The first matcher the furthest match still waits for (total() once met): what a failure
    // report names.
    size_t pending() const;
    size_t total() const;
    // Variables bound so far ("$w" -> "2"): those of the match that got furthest (of the one
    // that holds, once met()).
    const std::map<std::string, std::string>& bindings() const { return bindings_; }

    // Partial matches kept at most; past it the least advanced are dropped (a checkpoint over
    // thousands of connections binding a variable each could otherwise grow without bound).
    static constexpr size_t kMaxPartials = 1024;
    size_t partialCount() const;  // for tests and the curious

  private:
    // One way of matching the events so far.
    struct Partial
    {
        std::vector<int> counts;  // per matcher: events taken
        size_t next = 0;          // in order: the first matcher not complete
        std::map<std::string, std::string> bindings;
        std::string key;  // counts and bindings as text, to keep partials distinct
    };

    // True when `m` matches the event given `bound`; fills `fresh` with the variables this
    // match would bind.
    bool matches(const Matcher& m, const EventFacts& event,
                 const std::map<std::string, std::string>& bound,
                 std::map<std::string, std::string>& fresh) const;
    size_t done(const Partial& p) const;  // complete matchers
    bool complete(const Partial& p) const { return done(p) == checkpoint_.events.size(); }
    void prune();
    void pickBest();

    const Checkpoint& checkpoint_;
    int64_t sinceNs_;
    std::vector<Partial> partials_;  // distinct, never empty (the empty match is always there)
    std::unordered_set<std::string> keys_;  // Partial::key of every partial
    size_t best_ = 0;  // index in partials_ of the furthest (or complete) match
    std::map<std::string, std::string> bindings_;
};

}  // namespace rscope::tutorial
