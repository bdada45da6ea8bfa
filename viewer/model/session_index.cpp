// Per-session index: one pass over the new events, a hash lookup per session event (cached for
// runs of the same session), summaries updated in place.
#include "viewer/model/session_index.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

// Events before the cursor that sessionsActiveAround looks at: enough for a few dozen
// interleaved requests, small enough to cost microseconds per frame on any trace.
constexpr size_t kActiveScanEvents = 4096;

// The value of "key": in a flat args object, as raw text (a string without its quotes).
std::string_view argText(std::string_view args, std::string_view key)
{
    // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on literal + temporary.
    std::string quoted(1, '"');
    quoted.append(key).append("\":");
    size_t at = args.find(quoted);
    if (at == std::string_view::npos) return {};
    size_t begin = at + quoted.size();
    if (begin < args.size() && args[begin] == '"')
    {
        size_t end = args.find('"', begin + 1);
        return end == std::string_view::npos ? std::string_view{}
                                             : args.substr(begin + 1, end - begin - 1);
    }
    size_t end = args.find_first_of(",}", begin);
    return args.substr(begin, end == std::string_view::npos ? end : end - begin);
}

// "127.0.0.1:55868" from accept's args; empty when the args lack them.
std::string peerOfAccept(std::string_view args)
{
    std::string_view ip = argText(args, "peer_ip");
    std::string_view port = argText(args, "peer_port");
    if (ip.empty()) return {};
    std::string peer(ip);
    if (!port.empty()) peer.append(":").append(port);
    return peer;
}

bool startsClose(const SessionSummary& s)
{
    return s.closingEvent == SessionSummary::kNone;
}

bool parseInt(std::string_view text, int64_t& out)
{
    if (text.empty()) return false;
    auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool peerPortIs(std::string_view peer, std::string_view port)
{
    size_t colon = peer.rfind(':');
    return colon != std::string_view::npos && peer.substr(colon + 1) == port;
}

bool containsNoCase(std::string_view hay, std::string_view needle)
{
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    return it != hay.end();
}

}  // namespace

const char* closerName(Closer c)
{
    switch (c)
    {
        case Closer::Client:
            return "client";
        case Closer::Server:
            return "server";
        case Closer::Error:
            return "error";
        case Closer::None:
            break;
    }
    return "";
}

SessionIndex::SessionIndex() = default;
SessionIndex::~SessionIndex() = default;

void SessionIndex::clear()
{
    sessions_.clear();
    events_.clear();
    pending_.clear();
    slots_.clear();
    headerConnections_.clear();
    headerRead_ = false;
    lastSession_ = 0;
    lastSlot_ = 0;
    indexed_ = 0;
}

const SessionSummary* SessionIndex::find(int64_t session) const
{
    auto it = slots_.find(session);
    return it == slots_.end() ? nullptr : &sessions_[it->second];
}

std::span<const uint32_t> SessionIndex::eventsOf(int64_t session) const
{
    auto it = slots_.find(session);
    if (it == slots_.end()) return {};
    return events_[it->second];
}

void SessionIndex::extend(const TraceStore& store)
{
    if (!headerRead_)
    {
        // Connections open before the recording started have no accept: the header names them.
        const auto& conns = store.topology().connections;
        for (size_t i = 0; i < conns.size(); ++i)
            headerConnections_.emplace(conns[i].session, static_cast<uint32_t>(i));
        headerRead_ = true;
    }
    size_t end = std::min(store.size(), static_cast<size_t>(SessionSummary::kNone));
    for (size_t i = indexed_; i < end; ++i)
    {
        const Event& e = store[i];
        if (e.session == 0) continue;
        uint32_t index = static_cast<uint32_t>(i);
        apply(store, index, slotFor(store, e.session, index));
    }
    indexed_ = std::max(indexed_, end);
}

uint32_t SessionIndex::slotFor(const TraceStore& store, int64_t session, uint32_t eventIndex)
{
    if (session == lastSession_ && !sessions_.empty()) return lastSlot_;
    auto [it, added] = slots_.emplace(session, static_cast<uint32_t>(sessions_.size()));
    if (added)
    {
        SessionSummary s;
        s.session = session;
        s.firstEvent = eventIndex;
        s.openedNs = store[eventIndex].tsNs;
        auto h = headerConnections_.find(session);
        if (h != headerConnections_.end())
        {
            const OpenConnection& c = store.topology().connections[h->second];
            s.fd = c.fd;
            s.reactor = c.reactor;
            s.peer = c.peer;
        }
        sessions_.push_back(std::move(s));
        events_.emplace_back();
        pending_.emplace_back();
    }
    lastSession_ = session;
    lastSlot_ = it->second;
    return it->second;
}

void SessionIndex::apply(const TraceStore& store, uint32_t index, uint32_t slot)
{
    const Event& e = store[index];
    SessionSummary& s = sessions_[slot];
    std::vector<uint32_t>& events = events_[slot];
    events.push_back(index);
    s.lastEvent = index;
    if (s.fd < 0 && e.fd >= 0) s.fd = e.fd;
    if (s.reactor < 0 && e.reactor >= 0) s.reactor = e.reactor;
    auto cause = static_cast<trace::Cause>(e.cause);
    switch (e.kind)
    {
        case EventKind::Accept:
            s.acceptEvent = index;
            s.fd = e.fd;
            s.peer = peerOfAccept(store.args(e));
            break;
        case EventKind::ReactorAssign:
            if (e.reactor >= 0) s.reactor = e.reactor;
            break;
        case EventKind::ReactorRegister:
            if (s.registerEvent == SessionSummary::kNone) s.registerEvent = index;
            break;
        case EventKind::ConnectNotify:
        case EventKind::CloseNotify:
            if (e.worker >= 0) s.worker = e.worker;
            break;
        case EventKind::Dispatch:
            if (e.worker >= 0) s.worker = e.worker;
            if (e.pipeType == PipeType::RecvData || e.pipeType == kNoPipeType) ++s.requests;
            break;
        case EventKind::Read:
        case EventKind::Frame:
            if (e.kind == EventKind::Read && e.bytes > 0)
                s.bytesIn += static_cast<uint64_t>(e.bytes);
            // The flow's first read (raw protocol) or its frame (framed protocols) starts it.
            if (e.flow != 0 && pending_[slot].flow != e.flow) pending_[slot] = {e.flow, e.tsNs};
            break;
        case EventKind::ReactorWrite:
        {
            if (e.bytes > 0) s.bytesOut += static_cast<uint64_t>(e.bytes);
            Pending& p = pending_[slot];
            if (e.flow != 0 && p.flow == e.flow)
            {
                // Step mode's held time is not the server's: a stepped request reads as the
                // microseconds it took, not the seconds the learner held it.
                s.lastLatencyNs = store.held().activeNs(p.startNs, e.tsNs);
                s.maxLatencyNs = std::max(s.maxLatencyNs, s.lastLatencyNs);
                p = {};
            }
            break;
        }
        case EventKind::CloseRequest:
            if (startsClose(s)) s.closingEvent = index;
            if (s.closer == Closer::None) s.closer = Closer::Server;
            break;
        case EventKind::PeerClose:
            if (startsClose(s)) s.closingEvent = index;
            if (s.closer == Closer::None)
                s.closer = cause == trace::Cause::Eof || cause == trace::Cause::None
                               ? Closer::Client
                               : Closer::Error;
            break;
        case EventKind::Close:
            if (s.closeEvent == SessionSummary::kNone)
            {
                s.closeEvent = index;
                s.closedNs = e.tsNs;
            }
            if (s.closer == Closer::None)
            {
                if (cause == trace::Cause::ServerClose || cause == trace::Cause::Reset ||
                    cause == trace::Cause::None)
                    s.closer = Closer::Server;
                else if (cause == trace::Cause::Eof)
                    s.closer = Closer::Client;
                else
                    s.closer = Closer::Error;
            }
            // A closed session gets no more requests: give back the growth slack now, so closed
            // sessions cost 4 bytes per event.
            pending_[slot] = {};
            events.shrink_to_fit();
            break;
        default:
            break;
    }
}

const char* SessionIndex::stateAt(const SessionSummary& s, size_t position)
{
    auto passed = [position](uint32_t event)
    { return event != SessionSummary::kNone && position > event; };
    if (!passed(s.firstEvent)) return "future";
    if (passed(s.closeEvent)) return "closed";
    if (passed(s.closingEvent)) return "closing";
    if (passed(s.registerEvent)) return "open";
    // Accepted and not yet registered; a connection the header found open has no accept.
    return s.acceptEvent != SessionSummary::kNone ? "accepted" : "open";
}

bool SessionIndex::sessionMatches(const SessionSummary& s, std::string_view filter, size_t position)
{
    const char* state = stateAt(s, position);
    size_t i = 0;
    while (i < filter.size())
    {
        while (i < filter.size() && std::isspace(static_cast<unsigned char>(filter[i]))) ++i;
        size_t j = i;
        while (j < filter.size() && !std::isspace(static_cast<unsigned char>(filter[j]))) ++j;
        std::string_view term = filter.substr(i, j - i);
        i = j;
        if (term.empty()) continue;
        int64_t n = 0;
        if (parseInt(term, n))
        {
            if (n != s.session && n != s.fd && !peerPortIs(s.peer, term)) return false;
            continue;
        }
        char c = static_cast<char>(std::tolower(static_cast<unsigned char>(term[0])));
        if ((c == 'r' || c == 'w') && parseInt(term.substr(1), n))
        {
            if (n != (c == 'r' ? s.reactor : s.worker)) return false;
            continue;
        }
        if (!containsNoCase(s.peer, term) && !containsNoCase(state, term) &&
            !containsNoCase(closerName(s.closer), term))
            return false;
    }
    return true;
}

void SessionIndex::sessionsActiveAround(const TraceStore& store, size_t position, size_t max,
                                        std::vector<int64_t>& out) const
{
    out.clear();
    size_t end = std::min({position, store.size(), indexed_});
    size_t stop = end > kActiveScanEvents ? end - kActiveScanEvents : 0;
    int64_t newest = 0;
    for (size_t i = end; i > stop && out.size() < max; --i)
    {
        int64_t session = store[i - 1].session;
        if (session == 0) continue;
        if (newest == 0) newest = session;
        if (std::find(out.begin(), out.end(), session) != out.end()) continue;
        const SessionSummary* s = find(session);
        if (s == nullptr) continue;
        std::string_view state = stateAt(*s, position);
        if (state != "closed" && state != "future") out.push_back(session);
    }
    if (out.empty() && newest != 0) out.push_back(newest);
}

size_t SessionIndex::memoryBytes() const
{
    size_t bytes = sessions_.capacity() * sizeof(SessionSummary) +
                   events_.capacity() * sizeof(std::vector<uint32_t>) +
                   pending_.capacity() * sizeof(Pending);
    for (const auto& v : events_) bytes += v.capacity() * sizeof(uint32_t);
    for (const SessionSummary& s : sessions_)
        if (s.peer.capacity() > 15) bytes += s.peer.capacity();
    // An unordered_map node: the pair, a next pointer and the cached hash; plus a bucket.
    bytes += slots_.size() * (sizeof(std::pair<int64_t, uint32_t>) + 2 * sizeof(void*)) +
             slots_.bucket_count() * sizeof(void*);
    return bytes;
}

}  // namespace rscope::viewer
