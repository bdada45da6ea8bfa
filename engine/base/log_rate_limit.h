// LogRateLimit: a per-call-site budget for log lines that a peer can cause at any rate (a client
// that never reads, a flood of bad packets), so one connection cannot flood the log; the lines
// left out are counted and the next line that gets through says how many. Thread-safety: safe
// from any thread; under a race a line or two more may get through, never fewer.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "engine/base/clock.h"
#include "engine/base/log.h"

namespace rscope::base
{

class LogRateLimit
{
  public:
    static constexpr int64_t kWindowNs = 10'000'000'000;  // 10 s
    static constexpr uint32_t kBurst = 5;                 // lines per window

    // True when a line may be written at nowNs; *suppressed = lines left out since the last
    // line written.
    bool allow(int64_t nowNs, uint64_t* suppressed)
    {
        int64_t start = windowStartNs_.load(std::memory_order_relaxed);
        if (start == 0 || nowNs - start >= kWindowNs)
        {
            if (windowStartNs_.compare_exchange_strong(start, nowNs, std::memory_order_relaxed))
                inWindow_.store(0, std::memory_order_relaxed);
        }
        if (inWindow_.fetch_add(1, std::memory_order_relaxed) >= kBurst)
        {
            suppressed_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        *suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
        return true;
    }

  private:
    std::atomic<int64_t> windowStartNs_{0};
    std::atomic<uint32_t> inWindow_{0};
    std::atomic<uint64_t> suppressed_{0};
};

// " (N more like this suppressed)" or "".
std::string suppressedSuffix(uint64_t suppressed);

}  // namespace rscope::base

// RS_LOG with a budget of its own per call site (LogRateLimit above).
#define RS_LOG_LIMITED(level, ...)                                                               \
    do                                                                                           \
    {                                                                                            \
        static ::rscope::base::LogRateLimit rsLogLimit_;                                         \
        uint64_t rsSuppressed_ = 0;                                                              \
        if (static_cast<int>(level) >= static_cast<int>(::rscope::base::logLevel()) &&           \
            rsLogLimit_.allow(::rscope::base::monotonicNs(), &rsSuppressed_))                    \
            ::rscope::base::logLine(level, fmt::format(__VA_ARGS__) +                            \
                                               ::rscope::base::suppressedSuffix(rsSuppressed_)); \
    } while (0)
#define RS_WARN_LIMITED(...) RS_LOG_LIMITED(::rscope::base::LogLevel::Warn, __VA_ARGS__)
#define RS_ERROR_LIMITED(...) RS_LOG_LIMITED(::rscope::base::LogLevel::Error, __VA_ARGS__)
