// LineSplitter: bytes in any chunking (file reads, socket reads) to whole '\n'-terminated lines,
// keeping the unfinished tail for the next chunk. Owner: one reader. Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace rscope::tracefile
{

// No valid trace line comes near this (a payload preview is at most 32 bytes).
inline constexpr size_t kMaxLineBytes = 1 << 20;

class LineSplitter
{
  public:
    explicit LineSplitter(size_t maxLineBytes = kMaxLineBytes) : maxLineBytes_(maxLineBytes) {}

    // Calls onLine(std::string_view line, bool tooLong) for each line completed by data, without
    // its '\n' (and '\r'). A line past the limit is reported once, cut, with tooLong = true.
    template <typename OnLine>
    void feed(std::string_view data, OnLine&& onLine)
    {
        while (!data.empty())
        {
            const char* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
            size_t take = nl ? static_cast<size_t>(nl - data.data()) : data.size();
            if (skipping_)
            {
                if (nl) skipping_ = false;
            }
            else if (partial_.size() + take > maxLineBytes_)
            {
                partial_.append(data.data(), maxLineBytes_ - partial_.size());
                onLine(std::string_view(partial_), true);
                partial_.clear();
                skipping_ = nl == nullptr;
            }
            else if (nl && partial_.empty())
            {
                onLine(trimCr(data.substr(0, take)), false);  // the common case: no copy
            }
            else
            {
                partial_.append(data.data(), take);
                if (nl)
                {
                    onLine(trimCr(partial_), false);
                    partial_.clear();
                }
            }
            data.remove_prefix(nl ? take + 1 : take);
        }
    }

    // The bytes of an unfinished line (nothing after the last '\n').
    std::string_view partial() const { return partial_; }
    void clearPartial() { partial_.clear(); }

  private:
    static std::string_view trimCr(std::string_view line)
    {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    }

    size_t maxLineBytes_;
    std::string partial_;
    bool skipping_ = false;  // dropping the rest of a too-long line up to its '\n'
};

}  // namespace rscope::tracefile
