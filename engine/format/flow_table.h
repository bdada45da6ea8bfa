// FlowTable: the one hash table keyed by flow id (open addressing, linear probing, backward-shift
// deletion), used wherever flows in flight are followed per event: the recorder's and the trace
// file's open flows (OpenFlows), the hop tracker, the trace stats. No owner; not thread-safe.
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rscope::trace
{

// Flow id -> V. Key 0 is the empty slot (flow 0 means "no flow" in the trace, traces/FORMAT.md),
// so it cannot be stored. Inserting and erasing allocate only when the table doubles; it never
// shrinks except by clear(). V must be default-constructible and movable; an empty V (a set)
// takes no room in the slot.
template <typename V>
class FlowTable
{
  public:
    // The value of `key`, or nullptr.
    V* find(uint64_t key)
    {
        size_t i = indexOf(key);
        return i == kNone ? nullptr : &slots_[i].value;
    }
    const V* find(uint64_t key) const
    {
        size_t i = indexOf(key);
        return i == kNone ? nullptr : &slots_[i].value;
    }
    bool contains(uint64_t key) const { return indexOf(key) != kNone; }

    // The value of `key`, default-constructed if new; second is true when it was inserted.
    std::pair<V*, bool> insert(uint64_t key)
    {
        assert(key != 0 && "flow 0 is the empty slot: callers skip events without a flow");
        if ((size_ + 1) * 2 > slots_.size()) grow();
        size_t i = slotOf(key);
        for (; slots_[i].key != 0; i = next(i))
            if (slots_[i].key == key) return {&slots_[i].value, false};
        slots_[i].key = key;
        slots_[i].value = V{};
        ++size_;
        return {&slots_[i].value, true};
    }

    // Returns whether `key` was there.
    bool erase(uint64_t key)
    {
        size_t i = indexOf(key);
        if (i == kNone) return false;
        // Backward shift: pull later entries of the probe run into the hole, so lookups never
        // need tombstones.
        for (size_t j = next(i);; j = next(j))
        {
            if (slots_[j].key == 0) break;
            size_t home = slotOf(slots_[j].key);
            // Move j into i unless its home lies cyclically in (i, j].
            bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (stays) continue;
            slots_[i] = std::move(slots_[j]);
            i = j;
        }
        slots_[i].key = 0;
        --size_;
        return true;
    }

    // Erases every entry for which pred(key, value) holds (a rare sweep: rebuilds the table).
    template <typename Pred>
    void eraseIf(Pred pred)
    {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.size(), Slot{});
        size_ = 0;
        for (Slot& s : old)
            if (s.key != 0 && !pred(s.key, s.value)) *insert(s.key).first = std::move(s.value);
    }

    // Calls fn(key, value) for every entry, in no particular order.
    template <typename Fn>
    void forEach(Fn fn) const
    {
        for (const Slot& s : slots_)
            if (s.key != 0) fn(s.key, s.value);
    }

    void clear()
    {
        slots_.clear();
        size_ = 0;
        shift_ = 64;
    }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

  private:
    struct Slot
    {
        uint64_t key = 0;
        [[no_unique_address]] V value{};
    };

    // Fibonacci hashing: the top bits of key * 2^64/phi. Every key bit reaches them, so ids that
    // differ only in their high bits (the issuing thread) or only in their low bits (a counter)
    // both spread; one multiply, cheaper than a finaliser.
    size_t slotOf(uint64_t key) const
    {
        return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
    }
    size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }
    // The slot holding `key`, or kNone.
    size_t indexOf(uint64_t key) const
    {
        if (size_ == 0 || key == 0) return kNone;
        for (size_t i = slotOf(key);; i = next(i))
        {
            if (slots_[i].key == key) return i;
            if (slots_[i].key == 0) return kNone;
        }
    }
    void grow()
    {
        std::vector<Slot> old;
        old.swap(slots_);
        size_t capacity = old.empty() ? kFirstCapacity : old.size() * 2;
        slots_.assign(capacity, Slot{});
        shift_ = 64 - std::countr_zero(capacity);
        size_ = 0;
        for (Slot& s : old)
            if (s.key != 0) *insert(s.key).first = std::move(s.value);
    }

    // A sparse first table keeps probe runs and backward shifts short for the usual few hundred
    // requests in flight (~7 ns per event against ~9 with 64 slots).
    static constexpr size_t kFirstCapacity = 1024;
    static constexpr size_t kNone = SIZE_MAX;
    std::vector<Slot> slots_;  // size is 0 or a power of two, at most half full
    size_t size_ = 0;
    int shift_ = 64;  // 64 - log2(slots_.size())
};

}  // namespace rscope::trace
