// LoadThread: one epoll loop over a share of runLoad()'s connections. Internal to engine/client.
// Owner: runLoad(), which builds it, calls run() on one thread and reads result() after the join.
#pragma once

#include <netinet/in.h>
#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/unique_fd.h"
#include "engine/client/latency_histogram.h"
#include "engine/client/load_client.h"

namespace rscope::client
{

// This thread's share of the run, fixed before it starts.
struct ThreadPlan
{
    sockaddr_in addr{};
    int firstIndex = 0;  // global index of its first connection (it goes into every payload)
    int count = 0;       // connections (or concurrency slots when connecting per request)
    uint64_t quota = 0;  // request attempts; 0 = unlimited (a duration run)
    double rate = 0;     // request starts per second; 0 = unpaced
    int64_t startNs = 0;
    int64_t endNs = 0;       // no request starts at or after this (INT64_MAX: quota only)
    int64_t deadlineNs = 0;  // hard stop: whatever is still in flight counts as an error
};

struct ThreadResult
{
    uint64_t requests = 0;
    uint64_t errors = 0;
    int64_t lastReplyNs = 0;
    LatencyHistogram latency;
    std::string firstError;
};

class LoadThread
{
  public:
    LoadThread(const LoadOptions& options, const ThreadPlan& plan);
    ~LoadThread();
    LoadThread(const LoadThread&) = delete;
    LoadThread& operator=(const LoadThread&) = delete;

    // Runs the loop until the share is done; catches everything. Call once, on one thread.
    void run();
    const ThreadResult& result() const { return result_; }

  private:
    struct Conn;

    bool paced() const { return plan_.rate > 0; }
    bool done(int64_t now) const;
    void loop();
    void dispatch(const epoll_event& ev);
    void startRequest(Conn& c, int64_t now);
    void offerNext(Conn& c, int64_t now);
    void startPaced(int64_t now);
    void openSocket(Conn& c, int64_t now);
    void onConnectDone(Conn& c, int64_t now);
    void sendMore(Conn& c, int64_t now);
    void setInterest(Conn& c, uint32_t events, int64_t now);
    void onReadable(Conn& c, int64_t now);
    bool matches(const Conn& c, const char* data, size_t len) const;
    void complete(Conn& c, int64_t now);
    void closeSocket(Conn& c);
    void fail(Conn& c, const std::string& why, int64_t now);
    void retryDue(int64_t now);
    void sweepTimeouts(int64_t now);
    void noteError(const std::string& why);
    void noteReason(const std::string& why);

    const ThreadPlan plan_;
    const LoadOptions options_;  // framing: applied to each request
    const size_t size_;
    const size_t prefixLen_;  // reply bytes before the echoed request (article replies)
    const bool perRequest_;   // a fresh connection per request
    const int64_t requestTimeoutNs_;
    base::UniqueFd epoll_;
    std::vector<Conn> conns_;     // indexed by slot, the low half of epoll_event.data
    std::vector<uint32_t> free_;  // slots that may start a request (paced runs)
    std::vector<char> scratch_;   // every recv lands here; replies are compared in place
    uint64_t started_ = 0;
    uint64_t inFlight_ = 0;
    int retrying_ = 0;  // connections waiting for their retry time
    int64_t nextRetryNs_ = 0;
    int64_t lastProgressNs_ = 0;  // start, then the last verified reply
    ThreadResult result_;
};

}  // namespace rscope::client
