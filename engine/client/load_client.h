// The load generator behind `rscope client --connections ...`: N connections split over T epoll
// loops, every reply verified byte for byte, latency into a histogram.
// Owner: the caller of runLoad(), which starts and joins its own threads. Thread-safety: reentrant.
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
    int connections = 100;  // concurrency: one request in flight per connection
    double durationS = 0;   // run this long, then drain (0 = run until `requests`)
    uint64_t requests = 0;  // total request attempts (0 = run for `durationS`)
    size_t size = 64;       // request bytes
    // Each request opens a fresh connection, sends, reads the reply and closes.
    bool connectPerRequest = false;
    double rate = 0;  // total request starts per second over all connections; 0 = no pacing
    // Reply = "From TcpServer Swoole: " + request, then the server closes (implies a connection per
    // request); otherwise the reply must equal the request.
    bool articleReply = false;
    // How each request is framed for the server's --protocol: raw (as is), eof (ends with
    // packageEof), length (a 4-byte big-endian length, pack('N'), then the body). The server's
    // echo sends the whole frame back, so the reply still equals the request.
    enum class Framing
    {
        Raw,
        Eof,
        Length,
    };
    Framing framing = Framing::Raw;
    std::string packageEof = "\r\n";
    int threads = 1;                // each thread runs its own epoll loop over its connections
    int requestTimeoutMs = 10'000;  // a reply (or connect) slower than this is an error
    double deadlineS = 0;           // hard stop for `requests` runs (0 = 600 s)
};

struct LoadSummary
{
    // Verified replies. In a `requests` run, requests + errors == LoadOptions::requests unless the
    // server sent bytes nobody asked for.
    uint64_t requests = 0;
    uint64_t errors = 0;        // mismatches, resets, refused connects, timeouts
    double durationS = 0;       // from the start to the last verified reply
    double requestsPerSec = 0;  // requests / durationS
    LatencyHistogram latency;   // request sent (or connect started) to reply verified
    std::string firstError;     // the first error's reason, empty when errors == 0
};

// Runs the load and returns when it is done: `durationS` + drain, or all `requests` attempted.
// Always terminates: a drain grace of 2 s after `durationS`, request timeouts, a hard deadline.
LoadSummary runLoad(const LoadOptions& options);

// Request seq of connection conn: "c<conn>r<seq>:" then letters derived from both, ending in '\n'.
// Unique per (conn, seq) when size holds the header, so a reply that crossed connections or
// requests cannot verify. Writes exactly size bytes; never allocates.
void fillPayload(char* out, size_t size, int conn, uint64_t seq);
// Frames a filled payload in place for options.framing (the delimiter at the end, or the length
// field at the start).
void frameRequest(char* out, size_t size, const LoadOptions& options);
// Why these options cannot frame a request ("" when they can).
std::string framingProblem(const LoadOptions& options);

}  // namespace rscope::client
