// CheckpointTracker: a set of partial matches (like an NFA run). An event extends every partial
// it fits; the old partial survives only when the extension bound a new variable (the event might
// be the wrong one to bind), otherwise the extension dominates it. in_order extends only the
// first unfinished matcher (a subsequence); any_order tries every unfinished matcher it fits.
#include "engine/tutorial/checkpoint_tracker.h"

#include <algorithm>
#include <numeric>
#include <unordered_set>

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

std::string keyOf(const std::vector<int>& counts, const std::map<std::string, std::string>& b)
{
    std::string key;
    for (int c : counts) key += std::to_string(c) + ',';
    for (const auto& [name, value] : b) key += name + '=' + value + ';';
    return key;
}
}  // namespace

CheckpointTracker::CheckpointTracker(const Checkpoint& checkpoint, int64_t sinceNs)
    : checkpoint_(checkpoint), sinceNs_(sinceNs)
{
    Partial empty;
    empty.counts.assign(checkpoint.events.size(), 0);
    empty.key = keyOf(empty.counts, empty.bindings);
    keys_.insert(empty.key);
    partials_.push_back(std::move(empty));
}

bool CheckpointTracker::matches(const Matcher& m, const EventFacts& event,
                                const std::map<std::string, std::string>& bound,
                                std::map<std::string, std::string>& fresh) const
{
    if (std::find(m.kinds.begin(), m.kinds.end(), event.kind) == m.kinds.end()) return false;
    if (!m.actorRole.empty() && event.role != m.actorRole) return false;
    if (m.actorIndex >= 0 && event.index != m.actorIndex) return false;
    // One value against the literal, the bound variable, or a variable bound by this very match.
    auto fits = [&](const MatchValue& want, const std::optional<std::string>& have)
    {
        if (!have) return false;
        if (!want.isVariable()) return *have == want.text;
        if (auto b = bound.find(want.variable); b != bound.end()) return b->second == *have;
        if (auto b = fresh.find(want.variable); b != fresh.end()) return b->second == *have;
        fresh[want.variable] = *have;
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

size_t CheckpointTracker::done(const Partial& p) const
{
    if (checkpoint_.inOrder) return p.next;
    size_t n = 0;
    for (size_t i = 0; i < p.counts.size(); ++i)
        if (p.counts[i] >= checkpoint_.events[i].count) ++n;
    return n;
}

bool CheckpointTracker::observe(const EventFacts& event)
{
    if (met() || event.tsNs < sinceNs_) return met();
    const std::vector<Matcher>& ms = checkpoint_.events;
    // Most events concern no matcher: they leave every partial as it is.
    bool relevant = std::any_of(
        ms.begin(), ms.end(),
        [&](const Matcher& m)
        { return std::find(m.kinds.begin(), m.kinds.end(), event.kind) != m.kinds.end(); });
    if (!relevant) return met();
    // Extensions are collected first; the partials they dominate go, and an extension equal to a
    // partial already there is not added twice (keys_ holds the key of every partial).
    std::vector<Partial> grown;
    std::vector<bool> dominated(partials_.size(), false);
    for (size_t k = 0; k < partials_.size(); ++k)
    {
        const Partial& p = partials_[k];
        size_t first = checkpoint_.inOrder ? p.next : 0;
        size_t last = checkpoint_.inOrder ? std::min(p.next + 1, ms.size()) : ms.size();
        for (size_t i = first; i < last; ++i)
        {
            if (p.counts[i] >= ms[i].count) continue;
            std::map<std::string, std::string> fresh;
            if (!matches(ms[i], event, p.bindings, fresh)) continue;
            Partial q = p;
            ++q.counts[i];
            if (checkpoint_.inOrder && q.counts[i] >= ms[i].count) ++q.next;
            dominated[k] = dominated[k] || fresh.empty();
            q.bindings.insert(fresh.begin(), fresh.end());
            q.key = keyOf(q.counts, q.bindings);
            grown.push_back(std::move(q));
        }
    }
    if (grown.empty()) return met();
    std::vector<Partial> next;
    next.reserve(partials_.size() + grown.size());
    for (size_t k = 0; k < partials_.size(); ++k)
    {
        if (dominated[k])
            keys_.erase(partials_[k].key);
        else
            next.push_back(std::move(partials_[k]));
    }
    for (Partial& q : grown)
        if (keys_.insert(q.key).second) next.push_back(std::move(q));
    partials_ = std::move(next);
    prune();
    pickBest();
    return met();
}

void CheckpointTracker::prune()
{
    if (partials_.size() <= kMaxPartials) return;
    // The empty match stays (it is where every new binding starts); of the others the most
    // advanced are kept, and among equals the older ones (stable), whose requests began first.
    auto empty = std::find_if(
        partials_.begin(), partials_.end(),
        [](const Partial& p)
        { return std::all_of(p.counts.begin(), p.counts.end(), [](int c) { return c == 0; }); });
    std::optional<Partial> root;
    if (empty != partials_.end())
    {
        root = std::move(*empty);
        partials_.erase(empty);
    }
    std::stable_sort(partials_.begin(), partials_.end(),
                     [&](const Partial& a, const Partial& b) { return done(a) > done(b); });
    for (size_t k = kMaxPartials - (root ? 1 : 0); k < partials_.size(); ++k)
        keys_.erase(partials_[k].key);
    partials_.resize(kMaxPartials - (root ? 1 : 0));
    if (root) partials_.push_back(std::move(*root));
}

void CheckpointTracker::pickBest()
{
    best_ = 0;
    for (size_t i = 1; i < partials_.size(); ++i)
    {
        size_t d = done(partials_[i]);
        size_t bestDone = done(partials_[best_]);
        bool moreEvents =
            d == bestDone &&
            std::accumulate(partials_[i].counts.begin(), partials_[i].counts.end(), 0) >
                std::accumulate(partials_[best_].counts.begin(), partials_[best_].counts.end(), 0);
        if (d > bestDone || moreEvents) best_ = i;
    }
    bindings_ = partials_[best_].bindings;
}

bool CheckpointTracker::met() const
{
    return complete(partials_[best_]);
}

size_t CheckpointTracker::satisfied() const
{
    return done(partials_[best_]);
}

size_t CheckpointTracker::pending() const
{
    const Partial& p = partials_[best_];
    if (checkpoint_.inOrder) return p.next;
    for (size_t i = 0; i < p.counts.size(); ++i)
        if (p.counts[i] < checkpoint_.events[i].count) return i;
    return total();
}

size_t CheckpointTracker::partialCount() const
{
    return partials_.size();
}

size_t CheckpointTracker::total() const
{
    return checkpoint_.events.size();
}

}  // namespace rscope::tutorial
