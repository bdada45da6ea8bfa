// An open-addressing hash table from flow id to a small value: one array, linear probing,
// backward-shift deletion, so inserting and erasing the requests in flight allocates only when
// the table grows. Key 0 is "empty" (flow 0 means "no flow" in the trace). No owner; not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rscope::viewer
{

template <typename V>
class FlowTable
{
  public:
    // The value of `key`, or nullptr.
    V* find(uint64_t key)
    {
        if (size_ == 0) return nullptr;
        for (size_t i = slotOf(key);; i = next(i))
        {
            if (slots_[i].key == key) return &slots_[i].value;
            if (slots_[i].key == 0) return nullptr;
        }
    }
    // The value of `key`, default-constructed if new; second is true when it was inserted.
    std::pair<V*, bool> insert(uint64_t key)
    {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        size_t i = slotOf(key);
        for (; slots_[i].key != 0; i = next(i))
            if (slots_[i].key == key) return {&slots_[i].value, false};
        slots_[i].key = key;
        slots_[i].value = V{};
        ++size_;
        return {&slots_[i].value, true};
    }
    void erase(uint64_t key)
    {
        if (size_ == 0) return;
        size_t i = slotOf(key);
        for (; slots_[i].key != key; i = next(i))
            if (slots_[i].key == 0) return;
        // Backward shift: pull later entries of the probe run into the hole, so lookups never
        // need tombstones.
        for (size_t j = next(i);; j = next(j))
        {
            if (slots_[j].key == 0) break;
            size_t home = slotOf(slots_[j].key);
            // Move j into i unless its home lies cyclically in (i, j].
            bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (stays) continue;
            slots_[i] = slots_[j];
            i = j;
        }
        slots_[i].key = 0;
        --size_;
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
    void clear()
    {
        slots_.clear();
        size_ = 0;
    }
    size_t size() const { return size_; }

  private:
    struct Slot
    {
        uint64_t key = 0;
        V value{};
    };
    // splitmix64's finaliser: flow ids differ mostly in their low and their top bits.
    size_t slotOf(uint64_t key) const
    {
        key ^= key >> 30;
        key *= 0xbf58476d1ce4e5b9ULL;
        key ^= key >> 27;
        key *= 0x94d049bb133111ebULL;
        key ^= key >> 31;
        return static_cast<size_t>(key) & (slots_.size() - 1);
    }
    size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }
    void grow()
    {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        size_ = 0;
        for (Slot& s : old)
            if (s.key != 0) *insert(s.key).first = std::move(s.value);
    }

    std::vector<Slot> slots_;  // size is 0 or a power of two, at most half full
    size_t size_ = 0;
};

}  // namespace rscope::viewer
