// The load generator behind `rscope client --connections ...`: N connections on epoll loops,
// every reply verified byte for byte, latency into a histogram. Thread-safety: runLoad() may be
// called from any thread; it owns the threads it starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/client/latency_histogram.h"

namespace rscope::client
{

struct LoadOptions
{
    std::string host = "127.0.0.1";
    uint16_t port = 9502;
    int connections = 100;
    double durationS = 0;   // run this long (0 = use requests)
    uint64_t requests = 0;  // total requests (0 = use duration)
    size_t size = 64;       // request bytes
    bool connectPerRequest = false;
    double rate = 0;            // total requests/s across connections; 0 = as fast as possible
    bool articleReply = false;  // reply = "From TcpServer: " + request, then the server closes
    int threads = 1;
};

struct LoadSummary
{
    uint64_t requests = 0;  // completed and verified
    uint64_t errors = 0;    // mismatches, resets, refused connects, timeouts
    double durationS = 0;
    double requestsPerSec = 0;
    LatencyHistogram latency;
    std::string firstError;
};

LoadSummary runLoad(const LoadOptions& options);

// The request payload number seq of connection conn: unique per (conn, seq), so a reply that
// crossed connections or requests cannot verify.
void fillPayload(std::string* out, int conn, uint64_t seq, size_t size);

}  // namespace rscope::client
