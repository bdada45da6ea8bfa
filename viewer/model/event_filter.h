// The event log's filter: by kind, actor, session and a text search; yields the matching event
// indices once per change (not per frame). Plain data; owner: the GUI thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

#include "viewer/model/trace_event.h"

namespace rscope::viewer
{

class TraceStore;

struct EventFilter
{
    std::bitset<static_cast<size_t>(EventKind::Count)> hiddenKinds;  // set = hidden
    int actor = -1;       // TraceStore::actors() index, -1 = any
    int64_t session = 0;  // 0 = any
    std::string text;     // case-insensitive, in kind, fn, actor name, args and payload
    bool operator==(const EventFilter&) const = default;
    bool empty() const;
};

bool matches(const TraceStore& store, size_t index, const EventFilter& filter);

// Matching indices of [from, store.size()), appended to `out`: call again after live appends.
void filterEvents(const TraceStore& store, const EventFilter& filter, size_t from,
                  std::vector<uint32_t>& out);

}  // namespace rscope::viewer
