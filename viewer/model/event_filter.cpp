// The event log's filter: kind, actor, session and a case-insensitive text search over what the
// log shows of an event (kind, fn, actor name, args and payload text).
#include "viewer/model/event_filter.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{
char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string toLower(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

// `needle` is already lower case.
bool containsNoCase(std::string_view haystack, std::string_view needle)
{
    if (needle.empty()) return true;
    if (needle.size() > haystack.size()) return false;
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char h, char n) { return lower(h) == n; });
    return it != haystack.end();
}

// Everything but the text search: cheap checks first, so the search runs on few events.
bool matchesIds(const Event& e, const EventFilter& f)
{
    if (static_cast<size_t>(e.kind) < f.hiddenKinds.size() &&
        f.hiddenKinds.test(static_cast<size_t>(e.kind)))
        return false;
    if (f.actor >= 0 && e.actor != f.actor) return false;
    if (f.session != 0 && e.session != f.session) return false;
    return true;
}

bool matchesText(const TraceStore& store, const Event& e, std::string_view lowerText)
{
    if (lowerText.empty()) return true;
    const trace::KindInfo& info = trace::kindInfo(e.kind);
    return containsNoCase(info.name, lowerText) || containsNoCase(eventFn(e), lowerText) ||
           containsNoCase(store.actorOf(e).name, lowerText) ||
           containsNoCase(store.args(e), lowerText) || containsNoCase(store.payload(e), lowerText);
}
}  // namespace

bool EventFilter::empty() const
{
    return hiddenKinds.none() && actor < 0 && session == 0 && text.empty();
}

bool matches(const TraceStore& store, size_t index, const EventFilter& filter)
{
    const Event& e = store[index];
    return matchesIds(e, filter) && matchesText(store, e, toLower(filter.text));
}

void filterEvents(const TraceStore& store, const EventFilter& filter, size_t from,
                  std::vector<uint32_t>& out)
{
    const std::vector<Event>& events = store.events();
    if (filter.empty())
    {
        for (size_t i = from; i < events.size(); ++i) out.push_back(static_cast<uint32_t>(i));
        return;
    }
    std::string lowerText = toLower(filter.text);
    for (size_t i = from; i < events.size(); ++i)
        if (matchesIds(events[i], filter) && matchesText(store, events[i], lowerText))
            out.push_back(static_cast<uint32_t>(i));
}

}  // namespace rscope::viewer
