// TraceStore: the events of one trace in seq order, their args/payload text in one arena, the
// interned actors, the header topology and the first errors met while reading.
#include "viewer/model/trace_store.h"

#include <algorithm>
#include <limits>

namespace rscope::viewer
{

namespace
{
// Enough to show what went wrong; a broken 1M-line file must not hold 1M messages.
constexpr size_t kMaxKeptErrors = 1000;

std::string actorName(const Actor& a)
{
    if (a.role == Role::Reactor || a.role == Role::Worker || a.role == Role::TaskWorker)
        return std::string(roleName(a.role)) + "[" + std::to_string(a.index) + "]";
    if (a.role == Role::Unknown) return "unknown[" + std::to_string(a.tid) + "]";
    return roleName(a.role);
}

bool sameActor(const Actor& a, const Actor& b)
{
    return a.tid == b.tid && a.pid == b.pid && a.role == b.role && a.index == b.index;
}
}  // namespace

std::string ParseError::text() const
{
    if (line == 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
}

TraceStore::TraceStore() = default;
TraceStore::~TraceStore() = default;

void TraceStore::clear()
{
    topology_ = Topology{};
    hasHeader_ = false;
    // Swap with empties so that a new (possibly much smaller) trace does not keep the old capacity.
    std::vector<Event>().swap(events_);
    std::vector<Actor>().swap(actors_);
    std::vector<char>().swap(arena_);
    std::vector<ParseError>().swap(errors_);
    lastActor_ = 0;
    errorCount_ = 0;
    unknownKinds_ = 0;
    droppedByServer_ = 0;
    rejected_ = 0;
    held_.clear();
    gateEvents_ = 0;
}

void TraceStore::setTopology(Topology topology)
{
    topology_ = std::move(topology);
    hasHeader_ = true;
    // The header's threads come first, in header order, so actor indices and names are stable
    // however the events interleave.
    for (const Actor& thread : topology_.threads) internActor(thread);
}

bool TraceStore::append(Event event, std::string_view argsJson, std::string_view payload)
{
    if (!events_.empty() && event.seq <= events_.back().seq)
    {
        ++rejected_;
        return false;
    }
    held_.apply(event.kind, event.tsNs);
    if (HeldTime::isGateKind(event.kind))
    {
        ++gateEvents_;
        return true;
    }
    payload = payload.substr(0, std::numeric_limits<uint16_t>::max());
    // Offsets are 32-bit to keep Event small: a 4 GiB arena is ~50M events, far past the budget.
    if (arena_.size() + argsJson.size() + payload.size() > std::numeric_limits<uint32_t>::max())
    {
        ++rejected_;
        return false;
    }
    event.argsOffset = static_cast<uint32_t>(arena_.size());
    event.argsLength = static_cast<uint32_t>(argsJson.size());
    arena_.insert(arena_.end(), argsJson.begin(), argsJson.end());
    event.payloadOffset = static_cast<uint32_t>(arena_.size());
    event.payloadLength = static_cast<uint16_t>(payload.size());
    arena_.insert(arena_.end(), payload.begin(), payload.end());
    events_.push_back(event);
    return true;
}

uint16_t TraceStore::internActor(const Actor& actor)
{
    if (lastActor_ < actors_.size() && sameActor(actors_[lastActor_], actor)) return lastActor_;
    for (size_t i = 0; i < actors_.size(); ++i)
    {
        if (sameActor(actors_[i], actor))
        {
            lastActor_ = static_cast<uint16_t>(i);
            return lastActor_;
        }
    }
    // Event::actor is 16 bits; a trace with 65535 threads folds the rest into the last one.
    if (actors_.size() >= std::numeric_limits<uint16_t>::max())
        return static_cast<uint16_t>(actors_.size() - 1);
    actors_.push_back(actor);
    if (actors_.back().name.empty()) actors_.back().name = actorName(actor);
    lastActor_ = static_cast<uint16_t>(actors_.size() - 1);
    return lastActor_;
}

void TraceStore::reserve(size_t events, size_t textBytes)
{
    events_.reserve(events);
    arena_.reserve(std::min<size_t>(textBytes, std::numeric_limits<uint32_t>::max()));
}

std::string_view TraceStore::args(const Event& e) const
{
    return std::string_view(arena_.data() + e.argsOffset, e.argsLength);
}

std::string_view TraceStore::payload(const Event& e) const
{
    return std::string_view(arena_.data() + e.payloadOffset, e.payloadLength);
}

size_t TraceStore::lowerBoundNs(int64_t t) const
{
    auto it = std::partition_point(events_.begin(), events_.end(),
                                   [t](const Event& e) { return e.tsNs < t; });
    return static_cast<size_t>(it - events_.begin());
}

int64_t TraceStore::firstNs() const
{
    return events_.empty() ? 0 : events_.front().tsNs;
}

int64_t TraceStore::lastNs() const
{
    return events_.empty() ? 0 : events_.back().tsNs;
}

void TraceStore::addError(ParseError error)
{
    ++errorCount_;
    if (errors_.size() < kMaxKeptErrors) errors_.push_back(std::move(error));
}

size_t TraceStore::memoryBytes() const
{
    size_t bytes = sizeof(*this);
    bytes += events_.capacity() * sizeof(Event);
    bytes += arena_.capacity();
    bytes += actors_.capacity() * sizeof(Actor);
    for (const Actor& a : actors_) bytes += a.name.capacity();
    bytes += errors_.capacity() * sizeof(ParseError);
    for (const ParseError& e : errors_) bytes += e.file.capacity() + e.message.capacity();
    bytes += topology_.headerJson.capacity();
    bytes += topology_.threads.capacity() * sizeof(Actor);
    bytes += topology_.processes.capacity() * sizeof(Process);
    bytes += topology_.pipes.capacity() * sizeof(Pipe);
    bytes += topology_.listeners.capacity() * sizeof(Listener);
    bytes += topology_.connections.capacity() * sizeof(OpenConnection);
    return bytes;
}

}  // namespace rscope::viewer
