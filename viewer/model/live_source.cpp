// LiveSource's shared half: the line batcher (split, decode) and the queue between the receiving
// side and the GUI thread's drain into the store. The queue is two vectors swapped under one
// mutex, so decoded lines and their strings are reused instead of allocated per line.
#include "viewer/model/live_source.h"

#include <cstring>

#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{
// Line 1 of a connection failed to parse: a header attempt (then refused), or garbage?
bool looksLikeHeader(std::string_view line)
{
    return line.find("\"header\"") != std::string_view::npos;
}
}  // namespace

const char* liveStatusName(LiveStatus s)
{
    switch (s)
    {
        case LiveStatus::Connecting:
            return "connecting";
        case LiveStatus::Connected:
            return "connected";
        case LiveStatus::Retrying:
            return "disconnected, retrying";
        case LiveStatus::Stopped:
            return "stopped";
    }
    return "unknown";
}

// --- receiving side ---------------------------------------------------------------------------

void LineBatcher::reset()
{
    splitter_ = tracefile::LineSplitter();
    lineNo_ = 0;
    headerRefused = false;
}

bool LineBatcher::decode(std::string_view line, std::string& why)
{
    ++lineNo_;
    if (count == batch.size()) batch.emplace_back();
    ParsedLine& pl = batch[count++];
    parser_.parse(line, pl);
    if (pl.type != ParsedLine::Type::Error) return true;
    // An error line's event is unused: it carries the line number to drain().
    pl.event.seq = lineNo_;
    if (lineNo_ == 1 && looksLikeHeader(line))
    {
        why = "header refused: " + pl.error;
        headerRefused = true;
        return false;
    }
    return true;
}

std::string LineBatcher::feed(std::string_view bytes)
{
    std::string why;
    splitter_.feed(bytes,
                   [&](std::string_view line, bool tooLong)
                   {
                       if (!why.empty()) return;  // the stream is broken: nothing more counts
                       if (tooLong)
                           why = "a line longer than " +
                                 std::to_string(tracefile::kMaxLineBytes >> 10) +
                                 " KiB: not a trace stream";
                       else
                           decode(line, why);
                   });
    return why;
}

void LiveSource::publish(LineBatcher& lines)
{
    size_t count = lines.count;
    if (count == 0) return;
    std::vector<ParsedLine>& batch = lines.batch;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (queueCount_ == 0)
        {
            // The usual case: the GUI has taken everything; hand over the whole vector.
            queue_.swap(batch);
            queueCount_ = count;
        }
        else
        {
            // The GUI is behind: append, swapping with the queue's spares to keep capacities.
            for (size_t i = 0; i < count; ++i, ++queueCount_)
            {
                if (queueCount_ < queue_.size())
                    std::swap(queue_[queueCount_], batch[i]);
                else
                    queue_.push_back(std::move(batch[i]));
            }
        }
    }
    linesReceived_.fetch_add(count, std::memory_order_relaxed);
    lines.count = 0;
}

void LiveSource::setLastError(std::string message)
{
    std::lock_guard<std::mutex> lock(mutex_);
    lastError_ = std::move(message);
}

// --- GUI thread -------------------------------------------------------------------------------

std::string LiveSource::lastError() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return lastError_;
}

size_t LiveSource::queued() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return queueCount_ + (pendingCount_ - pendingPos_);
}

size_t LiveSource::drain(TraceStore& store, size_t maxLines, bool& headerSeen)
{
    headerSeen = false;
    size_t taken = 0;
    while (taken < maxLines)
    {
        if (pendingPos_ == pendingCount_)
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queueCount_ == 0) break;
            // Our used-up lines become the socket thread's spares.
            pending_.swap(queue_);
            pendingCount_ = queueCount_;
            pendingPos_ = 0;
            queueCount_ = 0;
        }
        ParsedLine& line = pending_[pendingPos_++];
        ++taken;
        switch (line.type)
        {
            case ParsedLine::Type::Header:
                // A new stream (server restart or reconnect): a new recording.
                store.clear();
                store.setTopology(std::move(line.topology));
                headerSeen = true;
                break;
            case ParsedLine::Type::Event:
            {
                line.event.actor = store.internActor(line.actor);
                if (line.event.kind == EventKind::TraceDropped)
                    store.addDroppedByServer(line.droppedCount);
                uint64_t lastSeq = store.size() ? store.events().back().seq : 0;
                if (!store.append(line.event, line.args, line.payload))
                    store.addError({address_, 0,
                                    "seq " + std::to_string(line.event.seq) + " is not after seq " +
                                        std::to_string(lastSeq) + "; event skipped"});
                break;
            }
            case ParsedLine::Type::UnknownKind:
                store.addUnknownKind();
                break;
            case ParsedLine::Type::End:
                break;
            case ParsedLine::Type::Error:
                store.addError({address_, line.event.seq, line.error});
                break;
        }
    }
    return taken;
}

}  // namespace rscope::viewer
