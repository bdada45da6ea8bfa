// CheckpointTracker: in_order takes each event for the first unfinished matcher only (a greedy
// subsequence match); any_order gives it to the first unfinished matcher it fits. Variables bind
// on the first event a matcher takes and then constrain every later match.
#include "engine/tutorial/checkpoint_tracker.h"

#include <algorithm>

namespace rscope::tutorial
{

namespace
{
// The id an event carries, as text, or nullopt.
std::optional<std::string> idText(const EventFacts& e, const std::string& key)
{
    auto text = [](const auto& v) -> std::optional<std::string>
    {
        if (!v) return std::nullopt;
        return std::to_string(*v);
    };
    if (key == "session") return text(e.session);
    if (key == "fd") return text(e.fd);
    if (key == "reactor") return text(e.reactor);
    if (key == "worker") return text(e.worker);
    if (key == "msg_id") return text(e.msgId);
    return std::nullopt;
}
}  // namespace

CheckpointTracker::CheckpointTracker(const Checkpoint& checkpoint, int64_t sinceNs)
    : checkpoint_(checkpoint), sinceNs_(sinceNs), counts_(checkpoint.events.size(), 0)
{
}

bool CheckpointTracker::matches(const Matcher& m, const EventFacts& event,
                                std::map<std::string, std::string>& newBindings) const
{
    if (std::find(m.kinds.begin(), m.kinds.end(), event.kind) == m.kinds.end()) return false;
    if (!m.actorRole.empty() && event.role != m.actorRole) return false;
    if (m.actorIndex >= 0 && event.index != m.actorIndex) return false;
    // One value against the literal, the bound variable, or a variable bound by this very match.
    auto fits = [&](const MatchValue& want, const std::optional<std::string>& have)
    {
        if (!have) return false;
        if (!want.isVariable()) return *have == want.text;
        if (auto b = bindings_.find(want.variable); b != bindings_.end()) return b->second == *have;
        if (auto b = newBindings.find(want.variable); b != newBindings.end())
            return b->second == *have;
        newBindings[want.variable] = *have;
        return true;
    };
    for (const auto& [key, want] : m.ids)
        if (!fits(want, idText(event, key))) return false;
    for (const auto& [key, want] : m.args)
    {
        std::optional<std::string> have = event.arg ? event.arg(key) : std::nullopt;
        if (!fits(want, have)) return false;
    }
    return true;
}

bool CheckpointTracker::observe(const EventFacts& event)
{
    if (met() || event.tsNs < sinceNs_) return met();
    const std::vector<Matcher>& ms = checkpoint_.events;
    auto take = [&](size_t i, std::map<std::string, std::string>& fresh)
    {
        bindings_.insert(fresh.begin(), fresh.end());
        ++counts_[i];
    };
    if (checkpoint_.inOrder)
    {
        std::map<std::string, std::string> fresh;
        if (next_ < ms.size() && matches(ms[next_], event, fresh))
        {
            take(next_, fresh);
            if (counts_[next_] >= ms[next_].count) ++next_;
        }
        return met();
    }
    for (size_t i = 0; i < ms.size(); ++i)
    {
        if (counts_[i] >= ms[i].count) continue;
        std::map<std::string, std::string> fresh;
        if (matches(ms[i], event, fresh))
        {
            take(i, fresh);
            break;
        }
    }
    return met();
}

bool CheckpointTracker::met() const
{
    return satisfied() == total();
}

size_t CheckpointTracker::satisfied() const
{
    if (checkpoint_.inOrder) return next_;
    size_t done = 0;
    for (size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i] >= checkpoint_.events[i].count) ++done;
    return done;
}

size_t CheckpointTracker::total() const
{
    return checkpoint_.events.size();
}

}  // namespace rscope::tutorial
