// runLoad(): splits the run over LoadThreads, joins them and merges their results; and the
// payload every request carries.
#include "engine/client/load_client.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/process_globals.h"
#include "engine/client/load_thread.h"
#include "engine/reactor/socket_ops.h"

namespace rscope::client
{

namespace
{
constexpr int64_t kDrainGraceNs = 2'000'000'000;
constexpr double kDefaultDeadlineS = 600;

// A splitmix64 step: cheap, and different for every (connection, request) seed.
uint64_t nextRandom(uint64_t* state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
}  // namespace

void fillPayload(char* out, size_t size, int conn, uint64_t seq)
{
    char head[48];
    auto r = fmt::format_to_n(head, sizeof head, "c{}r{}:", conn, seq);
    size_t i = std::min(r.size, size);
    std::memcpy(out, head, i);
    uint64_t state = static_cast<uint64_t>(conn) << 40 ^ seq;
    // Eight letters 'a'..'p' per random word: never a delimiter such as '\n' or '\r'.
    for (; i + 8 <= size; i += 8)
    {
        uint64_t word = (nextRandom(&state) & 0x0f0f0f0f0f0f0f0fULL) + 0x6161616161616161ULL;
        std::memcpy(out + i, &word, 8);
    }
    for (uint64_t word = nextRandom(&state); i < size; ++i, word >>= 8)
        out[i] = static_cast<char>('a' + (word & 15));
    // A trailing newline keeps the payload one line for EOF-framed servers.
    if (size > r.size) out[size - 1] = '\n';
}

void frameRequest(char* out, size_t size, const LoadOptions& options)
{
    if (options.framing == LoadOptions::Framing::Eof)
    {
        const std::string& eof = options.packageEof;
        if (size >= eof.size()) std::memcpy(out + size - eof.size(), eof.data(), eof.size());
    }
    else if (options.framing == LoadOptions::Framing::Length && size >= 4)
    {
        uint32_t body = htonl(static_cast<uint32_t>(size - 4));
        std::memcpy(out, &body, 4);
    }
}

std::string framingProblem(const LoadOptions& o)
{
    if (o.framing == LoadOptions::Framing::Eof)
    {
        if (o.packageEof.empty()) return "--package-eof must not be empty";
        // fillPayload writes "c<n>r<n>:" and the letters a..p: a delimiter made only of those
        // could appear inside a request and cut it.
        bool distinct =
            o.packageEof.find_first_not_of("abcdefghijklmnop0123456789cr:") != std::string::npos;
        if (!distinct) return "--package-eof needs a byte that is not a..p, a digit, 'r' or ':'";
        if (o.size < o.packageEof.size() + 16)
            return fmt::format("--size must be at least {} with this delimiter",
                               o.packageEof.size() + 16);
    }
    if (o.framing == LoadOptions::Framing::Length && o.size < 5)
        return "--size must be at least 5 with --protocol length (4 bytes of length field)";
    return {};
}

LoadSummary runLoad(const LoadOptions& options)
{
    LoadSummary total;
    sockaddr_in addr;
    if (options.connections < 1 || options.size < 1 || options.rate < 0)
    {
        total.errors = 1;
        total.firstError = "connections and size must be at least 1, rate at least 0";
        return total;
    }
    if (!reactor::makeAddress(options.host, options.port, &addr))
    {
        total.errors = 1;
        total.firstError = fmt::format("not an IPv4 address: {}", options.host);
        return total;
    }
    int threads = std::clamp(options.threads, 1, options.connections);
    int64_t start = base::monotonicNs();
    bool timed = options.durationS > 0 || options.requests == 0;
    int64_t end = timed ? start + static_cast<int64_t>(options.durationS * 1e9) : INT64_MAX;
    double deadlineS = options.deadlineS > 0 ? options.deadlineS : kDefaultDeadlineS;
    int64_t deadline = timed ? end + kDrainGraceNs : start + static_cast<int64_t>(deadlineS * 1e9);

    // Connections, requests and rate are split in proportion; each thread then runs alone.
    std::vector<std::unique_ptr<LoadThread>> loops;
    ThreadPlan plan;
    plan.addr = addr;
    plan.startNs = start;
    plan.endNs = end;
    plan.deadlineNs = deadline;
    for (int t = 0; t < threads; ++t)
    {
        plan.count = options.connections / threads + (t < options.connections % threads);
        plan.quota =
            options.requests / threads + (static_cast<uint64_t>(t) < options.requests % threads);
        plan.rate = options.rate * plan.count / options.connections;
        if (options.requests == 0 || plan.quota > 0)
            loops.push_back(std::make_unique<LoadThread>(options, plan));
        plan.firstIndex += plan.count;
    }
    std::vector<std::thread> running;
    for (size_t i = 0; i < loops.size(); ++i)
        running.emplace_back(
            [&loop = loops[i], i]
            {
                base::nameThread(fmt::format("rs-load-{}", i).c_str());  // top -H tells them apart
                loop->run();
            });
    for (auto& t : running) t.join();

    int64_t lastReply = start;
    for (auto& loop : loops)
    {
        const ThreadResult& r = loop->result();
        total.requests += r.requests;
        total.errors += r.errors;
        total.latency.merge(r.latency);
        lastReply = std::max(lastReply, r.lastReplyNs);
        if (total.firstError.empty()) total.firstError = r.firstError;
    }
    total.durationS =
        static_cast<double>((total.requests > 0 ? lastReply : base::monotonicNs()) - start) / 1e9;
    total.requestsPerSec =
        total.durationS > 0 ? static_cast<double>(total.requests) / total.durationS : 0;
    return total;
}

}  // namespace rscope::client
