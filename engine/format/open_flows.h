// OpenFlows: the set of flow ids whose last event so far is not terminal, kept by the collector
// for the trace file so its trace_end can list the flows cut by the stop. Open addressing with
// linear probing and backward-shift deletion: no allocation per event, ~10 ns per update.
// Owner: the collector thread. Thread-safety: none.
#pragma once

#include <cstdint>
#include <vector>

namespace rscope::trace
{

class OpenFlows
{
  public:
    OpenFlows() : slots_(1024, 0) {}

    // Records the latest event of flow (0 = no flow).
    void observe(uint64_t flow, bool terminal)
    {
        if (flow == 0) return;
        if (terminal)
            erase(flow);
        else
            insert(flow);
    }
    std::vector<uint64_t> list() const
    {
        std::vector<uint64_t> out;
        for (uint64_t f : slots_)
            if (f != 0) out.push_back(f);
        return out;
    }
    size_t size() const { return size_; }

  private:
    size_t mask() const { return slots_.size() - 1; }
    static size_t hash(uint64_t f) { return static_cast<size_t>(f * 0x9e3779b97f4a7c15ULL >> 20); }

    void insert(uint64_t flow)
    {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        size_t i = hash(flow) & mask();
        while (slots_[i] != 0)
        {
            if (slots_[i] == flow) return;
            i = (i + 1) & mask();
        }
        slots_[i] = flow;
        ++size_;
    }

    void erase(uint64_t flow)
    {
        size_t i = hash(flow) & mask();
        while (slots_[i] != flow)
        {
            if (slots_[i] == 0) return;
            i = (i + 1) & mask();
        }
        // Backward shift: move later entries of the probe run into the hole.
        size_t hole = i;
        for (size_t j = (i + 1) & mask(); slots_[j] != 0; j = (j + 1) & mask())
        {
            size_t home = hash(slots_[j]) & mask();
            bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable)
            {
                slots_[hole] = slots_[j];
                hole = j;
            }
        }
        slots_[hole] = 0;
        --size_;
    }

    void grow()
    {
        std::vector<uint64_t> old;
        old.swap(slots_);
        slots_.assign(old.size() * 2, 0);
        size_ = 0;
        for (uint64_t f : old)
            if (f != 0) insert(f);
    }

    std::vector<uint64_t> slots_;
    size_t size_ = 0;
};

}  // namespace rscope::trace
