// The binary event stream a trace client may ask for with the `binary` command (traces/FORMAT.md,
// section 10): the collector's records as they are, 80 bytes an event instead of ~290 of JSON,
// and no JSON to scan on arrival. `rscope record` uses it and writes the very lines the JSON
// stream would have carried, with the same serialiser (trace_json.h).
// Frames, little-endian, one after another:
//   WireHeader { size, type, ring, seq } then, for an event, the TraceRecord and its preview
//   bytes (record.previewLen); for an actor, the `"actor":{...}` text of that ring.
// Actor frames come before the first event of a ring and again whenever its actor changes.
// Plain functions and a decoder; any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/format/trace_event.h"
#include "engine/format/trace_json.h"

namespace rscope::trace
{

inline constexpr uint16_t kWireVersion = 1;
// The line that ends the JSON part of a client's stream; binary frames follow its '\n'.
inline constexpr std::string_view kBinaryStartLine = "{\"type\":\"binary\",\"version\":1}\n";

enum class WireType : uint16_t
{
    Event = 1,
    Actor = 2,
};

struct WireHeader
{
    uint32_t size;  // the whole frame, header included
    uint16_t type;  // WireType
    uint16_t ring;  // the emitting actor's ring
    uint64_t seq;   // events: the sequence number; actors: 0
};
static_assert(sizeof(WireHeader) == 16);
inline constexpr size_t kMaxWireFrame = sizeof(WireHeader) + sizeof(TraceRecord) + kPreviewBytes;
inline constexpr size_t kMaxActorFrame = sizeof(WireHeader) + ActorField::kCapacity;

// Write one frame at p (room for kMaxWireFrame / kMaxActorFrame bytes); return its end.
char* writeEventFrame(char* p, uint64_t seq, uint16_t ring, const TraceRecord& record,
                      const char* preview);
char* writeActorFrame(char* p, uint16_t ring, const ActorField& actor);
void appendEventFrame(TextBuffer& out, uint64_t seq, uint16_t ring, const TraceRecord& record,
                      const char* preview);
void appendActorFrame(TextBuffer& out, uint16_t ring, const ActorField& actor);

// "" if a frame may have this header, else why not (sizes are bounded by the frame type).
std::string wireHeaderProblem(const WireHeader& h);

// Follows frame boundaries through a stream by the sizes in the headers alone, so that a reader
// storing frames as they come (rscope record) knows whether it stopped inside one. Owner: one
// reader. Thread-safety: none.
class FrameHopper
{
  public:
    // False (error() set) on a header no frame can have.
    bool feed(std::string_view data);
    // Bytes of the frame under way (0 at a frame boundary).
    size_t midFrame() const { return have_; }
    const std::string& error() const { return error_; }

  private:
    char header_[sizeof(WireHeader)];
    size_t have_ = 0;  // bytes of the current frame seen
    size_t size_ = 0;  // its size, once its header is complete
    std::string error_;
};

// Turns frames, in any chunking, back into events. Owner: one reader. Thread-safety: none.
class WireDecoder
{
  public:
    struct Event
    {
        uint64_t seq;
        const TraceRecord* record;
        const char* preview;  // record->previewLen bytes, or nullptr
        const ActorField* actor;
    };

    // Calls onEvent(const Event&) per complete event frame. False (error() set) on a frame that
    // cannot be one: the stream is then not decodable any more.
    template <typename OnEvent>
    bool feed(std::string_view data, OnEvent&& onEvent)
    {
        if (!error_.empty()) return false;
        while (!carry_.empty())  // first complete the frame cut by the previous chunk
        {
            size_t need = sizeof(WireHeader);
            if (carry_.size() >= need)
            {
                if (!checkSize(carry_)) return false;
                need = frameSize(carry_);
                if (carry_.size() == need)
                {
                    if (!frame(carry_, onEvent)) return false;
                    carry_.clear();
                    break;
                }
            }
            size_t take = std::min(need - carry_.size(), data.size());
            carry_.append(data.data(), take);
            data.remove_prefix(take);
            if (carry_.size() < need) return true;  // this chunk is used up
        }
        while (data.size() >= sizeof(WireHeader))
        {
            uint32_t size = frameSize(data);
            if (!checkSize(data)) return false;
            if (data.size() < size) break;
            if (!frame(data.substr(0, size), onEvent)) return false;
            data.remove_prefix(size);
        }
        carry_.assign(data.data(), data.size());
        return true;
    }

    // Bytes of an unfinished frame.
    size_t pendingBytes() const { return carry_.size(); }
    const std::string& error() const { return error_; }

  private:
    static uint32_t frameSize(std::string_view d)
    {
        WireHeader h;
        std::memcpy(&h, d.data(), sizeof h);
        return h.size;
    }
    // Every frame's header is checked once, before the frame is taken (events inline: they
    // are nearly all the frames).
    bool checkSize(std::string_view d)
    {
        WireHeader h;
        std::memcpy(&h, d.data(), sizeof h);
        if (h.type == static_cast<uint16_t>(WireType::Event) &&
            h.size >= sizeof h + sizeof(TraceRecord) && h.size <= kMaxWireFrame)
            return true;
        return checkHeader(h);
    }
    bool checkHeader(const WireHeader& h);
    template <typename OnEvent>
    bool frame(std::string_view d, OnEvent& onEvent)
    {
        WireHeader h;
        std::memcpy(&h, d.data(), sizeof h);
        if (h.type == static_cast<uint16_t>(WireType::Actor)) return actorFrame(h, d);
        Event e;
        if (!eventFrame(h, d, &e)) return false;
        onEvent(static_cast<const Event&>(e));
        return true;
    }
    bool actorFrame(const WireHeader& h, std::string_view d);
    bool eventFrame(const WireHeader& h, std::string_view d, Event* e);
    bool fail(std::string message);

    std::string carry_;
    std::vector<ActorField> actors_;  // by ring
    TraceRecord record_;              // aligned copy of the frame's record
    std::string error_;
};

}  // namespace rscope::trace
