// ModelChecker: conformance of a trace to the process model (../shared/docs/process-model.md
// sections 3 and 6): reactor ownership by fd, the dispatch_mode rule, replies through the owning
// reactor, no data after close, one onClose per session. Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/tracefile/trace_types.h"

namespace rscope::tracefile
{

// The header settings the rules depend on.
struct ModelSettings
{
    bool processMode = true;  // settings.mode == "process"
    int reactorNum = 0;
    int workerNum = 0;
    int dispatchMode = 0;

    static ModelSettings fromHeader(const TraceHeader& header);
};

// One broken rule at one event.
struct ModelFinding
{
    uint64_t line = 0;
    uint64_t seq = 0;
    std::string message;
};

class ModelChecker
{
  public:
    explicit ModelChecker(const TraceHeader& header);

    // Feed events in file order; unknown kinds never arrive, kinds without a rule are ignored.
    void observe(const TraceEventView& event);

    const std::vector<ModelFinding>& findings() const { return findings_; }

  private:
    struct Session
    {
        std::optional<int64_t> fd;
        std::optional<int64_t> reactor;  // assigned by reactor_assign (or registered)
        std::optional<uint32_t> peerIp;  // host order, as the server hashes it
        bool closed = false;
        uint64_t closeLine = 0;
        uint64_t onCloseLine = 0;  // line of the first onClose, 0 before it
    };

    void checkReactor(const TraceEventView& event, Session& session);
    void checkDispatch(const TraceEventView& event, const Session& session);
    void checkOwnerWrite(const TraceEventView& event, const Session& session);
    void add(const TraceEventView& event, std::string message);

    ModelSettings settings_;
    std::unordered_map<int64_t, Session> sessions_;
    std::vector<ModelFinding> findings_;
};

// Reads path and runs ModelChecker over it. Problems of the file itself are not reported here
// (checkTrace does that); an unreadable file yields no findings.
std::vector<ModelFinding> checkModel(const std::string& path);

// "a.b.c.d" to the host-order value the server's ip-mod dispatch uses; nullopt if malformed.
std::optional<uint32_t> parseIpv4(const std::string& text);

}  // namespace rscope::tracefile
