// Serialisation of trace records to JSON Lines (traces/FORMAT.md): the envelope, the named args
// of the kind table, and the escaped payload preview. The collector's hot loop: no format-string
// parsing, no allocation and no library call per field (padded per-kind fragments copied with
// fixed-size memcpy, integers in 8-digit chunks by writeDecimal).
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "engine/format/trace_event.h"

namespace rscope::trace
{

// A growable byte buffer that never zero-fills (std::string::resize would).
class TextBuffer
{
  public:
    const char* data() const { return data_.get(); }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void clear() { size_ = 0; }
    void truncate(size_t n) { size_ = n; }
    // Room for n more bytes; returns where they go. Commit with advance().
    char* reserve(size_t n)
    {
        if (size_ + n > capacity_) grow(size_ + n);
        return data_.get() + size_;
    }
    void advance(size_t n) { size_ += n; }
    void append(const char* s, size_t n) { std::memcpy(reserve(n), s, n), size_ += n; }
    void append(const std::string& s) { append(s.data(), s.size()); }

  private:
    void grow(size_t need);
    std::unique_ptr<char[]> data_;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

// `"actor":{...}` of one ring, prebuilt by the collector so each event only copies it. The
// array is padded: a line copies all of it with one fixed-size (inlined) memcpy and keeps size.
struct ActorField
{
    static constexpr size_t kCapacity = 96;  // the longest is 75 bytes (task_worker, 7-digit ids)
    char text[kCapacity] = {};
    size_t size = 0;
    bool taskWorker = false;  // role task_worker: a few kinds name another fn (historicFn)
    bool empty() const { return size == 0; }
    std::string_view view() const { return {text, size}; }
};
ActorField actorJson(const char* role, int index, int pid, int tid);

// Room writeEventLine may need: the longest line (envelope, 5 args, a 32-byte preview escaped 6x)
// plus the slack the fixed-size copies of padded fragments write past a field's end.
inline constexpr size_t kMaxEventLineBytes = 1024 + ActorField::kCapacity;

// Writes one event line (with its newline) at p, which has kMaxEventLineBytes of room; returns
// its end.
char* writeEventLine(char* p, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview = nullptr);
// Appends one event line (with the trailing newline).
// preview: the r.previewLen payload bytes (the ring slot after the record), or nullptr.
void appendEventLine(TextBuffer& out, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview = nullptr);
void appendEventLine(std::string& out, uint64_t seq, const TraceRecord& r, const ActorField& actor,
                     const char* preview = nullptr);

// Appends s as a JSON string literal (quotes included); bytes >= 0x80 and controls are \u00XX.
void appendJsonString(std::string& out, const char* s, size_t len);

}  // namespace rscope::trace
