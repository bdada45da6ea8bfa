// ModelRules: the process model's conformance rules (docs/process-model.md, sections 3, 6
// and 10) over a stream of events: a connection stays on reactor fd % reactor_num, dispatch modes 2
// and 4 pick fd % worker_num and ip % worker_num, replies leave through the owning reactor, no data
// after close, onClose once; only event workers call task(), to a task worker id, and the result
// comes back to the caller; a task worker never runs a connection's callbacks. Both
// `rscope trace check --model` (from JSON lines) and the viewer (from its compact events) feed it,
// so the two report the same findings.
// Owner: the caller. Thread-safety: none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/format/trace_event.h"

namespace rscope::trace
{

// The settings the rules depend on (the trace header's "settings").
struct ModelSettings
{
    bool processMode = true;  // settings.mode == "process"
    int reactorNum = 0;
    int workerNum = 0;
    int taskWorkerNum = 0;  // settings.task_worker_num: ids workerNum .. workerNum + this - 1
    int dispatchMode = 0;
};

// What the rules read of one event. `ref` is the caller's handle on it (a file line, an event
// index) and comes back in the findings.
struct ModelEvent
{
    uint64_t ref = 0;
    uint64_t seq = 0;
    EventKind kind = EventKind::Count;
    std::optional<int64_t> session;
    std::optional<int64_t> fd;
    std::optional<int64_t> reactor;
    std::optional<int64_t> worker;
    uint64_t flow = 0;               // 0 = none
    int actorReactor = -1;           // the emitting thread's index when it is a reactor thread
    int actorWorker = -1;            // the emitting process's worker id (event or task worker)
    bool actorTaskWorker = false;    // the actor's role is task_worker
    std::optional<uint32_t> peerIp;  // accept: args.peer_ip in host order
    bool recvData = false;           // worker_receive of a RECV_DATA message
    bool finishData = false;         // worker_receive of a FINISH message (a task's result)
    CallbackId callback = CallbackId::None;  // callback_enter: args.callback
    std::optional<int64_t> taskId;           // task_dispatch, task_finish: args.task_id
    std::optional<int64_t> taskTarget;       // task_dispatch: args.target
    std::optional<int64_t> taskToWorker;     // task_finish: args.to_worker
};

// One broken rule at one event.
struct ModelFinding
{
    uint64_t ref = 0;
    uint64_t seq = 0;
    std::string message;
};

class ModelRules
{
  public:
    // `refLabel` names a ref in messages ("line" for a file, "event" for the viewer's index).
    ModelRules(const ModelSettings& settings, const char* refLabel)
        : settings_(settings), refLabel_(refLabel)
    {
    }

    // A connection already open when the trace began (the header's topology): it never gets an
    // accept, but its fd, owner and peer are known.
    void seedConnection(int64_t session, std::optional<int64_t> fd, std::optional<int64_t> reactor,
                        std::optional<uint32_t> peerIp);
    // Events in seq order; kinds without a rule are ignored.
    void observe(const ModelEvent& event);

    const std::vector<ModelFinding>& findings() const { return findings_; }
    const ModelSettings& settings() const { return settings_; }

  private:
    struct Session
    {
        std::optional<int64_t> fd;
        std::optional<int64_t> reactor;  // assigned by reactor_assign (or registered)
        std::optional<uint32_t> peerIp;  // host order, as the server hashes it
        bool closed = false;
        uint64_t closeRef = 0;
        uint64_t onCloseRef = 0;  // ref of the first onClose
        bool onCloseSeen = false;
    };

    // The event worker whose request (flow) dispatched tasks: their results must reach it.
    struct TaskFlow
    {
        int64_t caller = -1;
        uint64_t dispatchRef = 0;  // ref of the flow's first task_dispatch
        int pending = 0;           // tasks dispatched whose onFinish has not run yet
    };

    void observeSession(const ModelEvent& event);
    void observeTask(const ModelEvent& event);
    bool isTaskWorker(const ModelEvent& event) const;
    void checkTaskDispatch(const ModelEvent& event);
    // `what` reached worker `to`; a finding unless it is the flow's caller.
    void checkTaskResult(const ModelEvent& event, const TaskFlow& flow, const std::string& what,
                         int64_t to);
    void checkReactor(const ModelEvent& event, Session& session);
    void checkDispatch(const ModelEvent& event, const Session& session);
    void checkOwnerWrite(const ModelEvent& event, const Session& session);
    void add(const ModelEvent& event, std::string message);

    ModelSettings settings_;
    const char* refLabel_;
    std::unordered_map<int64_t, Session> sessions_;
    std::unordered_map<uint64_t, TaskFlow> taskFlows_;  // by flow id, while tasks are pending
    std::vector<ModelFinding> findings_;
};

// "a.b.c.d" to the host-order value the server's ip-mod dispatch uses; nullopt if malformed.
std::optional<uint32_t> parseIpv4(std::string_view text);

}  // namespace rscope::trace
