// Binary frames: encoding for the collector, decoding for the recorder (trace_wire.h).
#include "engine/format/trace_wire.h"

#include <cstring>

#include <fmt/format.h>

namespace rscope::trace
{

char* writeEventFrame(char* p, uint64_t seq, uint16_t ring, const TraceRecord& record,
                      const char* preview)
{
    size_t previewLen = preview != nullptr ? std::min<size_t>(record.previewLen, kPreviewBytes) : 0;
    WireHeader h{static_cast<uint32_t>(sizeof h + sizeof record + previewLen),
                 static_cast<uint16_t>(WireType::Event), ring, seq};
    std::memcpy(p, &h, sizeof h);
    std::memcpy(p + sizeof h, &record, sizeof record);
    // The record says how many preview bytes follow; without a preview it says 0.
    if (previewLen != record.previewLen)
    {
        uint8_t len = static_cast<uint8_t>(previewLen);
        std::memcpy(p + sizeof h + offsetof(TraceRecord, previewLen), &len, 1);
    }
    if (previewLen > 0) std::memcpy(p + sizeof h + sizeof record, preview, previewLen);
    return p + h.size;
}

char* writeActorFrame(char* p, uint16_t ring, const ActorField& actor)
{
    WireHeader h{static_cast<uint32_t>(sizeof h + actor.size),
                 static_cast<uint16_t>(WireType::Actor), ring, 0};
    std::memcpy(p, &h, sizeof h);
    std::memcpy(p + sizeof h, actor.text, actor.size);
    return p + h.size;
}

void appendEventFrame(TextBuffer& out, uint64_t seq, uint16_t ring, const TraceRecord& record,
                      const char* preview)
{
    char* p = out.reserve(kMaxWireFrame);
    out.advance(static_cast<size_t>(writeEventFrame(p, seq, ring, record, preview) - p));
}

void appendActorFrame(TextBuffer& out, uint16_t ring, const ActorField& actor)
{
    char* p = out.reserve(kMaxActorFrame);
    out.advance(static_cast<size_t>(writeActorFrame(p, ring, actor) - p));
}

std::string wireHeaderProblem(const WireHeader& h)
{
    bool event = h.type == static_cast<uint16_t>(WireType::Event);
    if (!event && h.type != static_cast<uint16_t>(WireType::Actor))
        return fmt::format("binary frame of unknown type {}", h.type);
    size_t min = sizeof h + (event ? sizeof(TraceRecord) : 1);
    size_t max = event ? kMaxWireFrame : sizeof h + ActorField::kCapacity;
    if (h.size < min || h.size > max)
        return fmt::format("binary frame of type {} with a size of {} bytes", h.type, h.size);
    return "";
}

bool FrameHopper::feed(std::string_view data)
{
    while (!data.empty() && error_.empty())
    {
        if (have_ < sizeof header_)
        {
            size_t take = std::min(sizeof header_ - have_, data.size());
            std::memcpy(header_ + have_, data.data(), take);
            have_ += take;
            data.remove_prefix(take);
            if (have_ < sizeof header_) break;
            WireHeader h;
            std::memcpy(&h, header_, sizeof h);
            error_ = wireHeaderProblem(h);
            size_ = h.size;
        }
        size_t skip = std::min(size_ - have_, data.size());
        have_ += skip;
        data.remove_prefix(skip);
        if (have_ == size_) have_ = 0;
    }
    return error_.empty();
}

bool WireDecoder::checkHeader(const WireHeader& h)
{
    std::string problem = wireHeaderProblem(h);
    return problem.empty() || fail(std::move(problem));
}

bool WireDecoder::actorFrame(const WireHeader& h, std::string_view d)
{
    if (h.ring >= actors_.size()) actors_.resize(h.ring + 1u);
    ActorField& a = actors_[h.ring];
    a = ActorField{};
    a.size = d.size() - sizeof h;
    std::memcpy(a.text, d.data() + sizeof h, a.size);
    // The frame carries the actor's JSON only; its role picks a few kinds' fn (historicFn).
    a.taskWorker = a.view().find("\"role\":\"task_worker\"") != std::string_view::npos;
    return true;
}

bool WireDecoder::eventFrame(const WireHeader& h, std::string_view d, Event* e)
{
    std::memcpy(&record_, d.data() + sizeof h, sizeof record_);
    if (d.size() != sizeof h + sizeof record_ + record_.previewLen)
        return fail(fmt::format("binary event frame of {} bytes with a {}-byte preview", d.size(),
                                record_.previewLen));
    if (h.ring >= actors_.size() || actors_[h.ring].empty())
        return fail(
            fmt::format("binary event {} of ring {} before that ring's actor", h.seq, h.ring));
    e->seq = h.seq;
    e->record = &record_;
    e->preview = record_.previewLen > 0 ? d.data() + sizeof h + sizeof record_ : nullptr;
    e->actor = &actors_[h.ring];
    return true;
}

bool WireDecoder::fail(std::string message)
{
    error_ = std::move(message);
    return false;
}

}  // namespace rscope::trace
