// exportChromeTrace: each event becomes an "X" slice on its thread's track. A slice is written
// when the next event of its thread arrives, so that its duration (1 µs at most) never runs
// past that event; callback_enter slices wait for their callback_exit and last until it.
#include "engine/tracefile/chrome_export.h"

#include <algorithm>
#include <optional>
#include <ostream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/tracefile/trace_reader.h"

namespace rscope::tracefile
{

namespace
{
using nlohmann::json;

uint64_t threadKey(int pid, int tid)
{
    return (uint64_t(uint32_t(pid)) << 32) | uint32_t(tid);
}

// Reactor threads live in the master process.
std::string processName(const std::string& role, int index)
{
    if (role == "worker") return fmt::format("worker[{}]", index);
    if (role == "manager") return "manager";
    return "master";
}

// Indexes come from the file: clamped, so INT_MAX + 2 cannot overflow (the server's own
// indexes stay far below this).
constexpr int kMaxSortIndex = 1 << 20;

int sortIndexAfter(int base, int index)
{
    return base + std::clamp(index, 0, kMaxSortIndex);
}

int processSortIndex(const std::string& role, int index)
{
    if (role == "worker") return sortIndexAfter(2, index);
    return role == "manager" ? 1 : 0;
}

// a - b without signed overflow, whatever timestamps a file holds; saturates at the ends.
int64_t saturatingSub(int64_t a, int64_t b)
{
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d)) return b < 0 ? INT64_MAX : INT64_MIN;
    return d;
}

int64_t saturatingAdd(int64_t a, int64_t b)
{
    int64_t s;
    if (__builtin_add_overflow(a, b, &s)) return b > 0 ? INT64_MAX : INT64_MIN;
    return s;
}

class ChromeWriter
{
  public:
    explicit ChromeWriter(std::ostream& out) : out_(out) { out_ << "{\"traceEvents\":[\n"; }

    void header(const TraceHeader& h)
    {
        for (const HeaderProcess& p : h.processes)
            if (p.pid > 0) nameProcess(p.pid, p.role, p.index);  // 0: a worker not started yet
        for (const HeaderThread& t : h.threads)
        {
            Actor actor{t.role, t.index, t.pid, t.tid};
            if (actor.pid > 0 && actor.tid > 0)
                nameThread(actor, t.name.empty() ? actor.label() : t.name);
        }
    }

    void event(const TraceEventView& e)
    {
        const Actor& a = e.actor;
        nameProcess(a.pid, a.role, a.index);
        nameThread(a, a.label());

        json args = json::object();
        args["fn"] = e.fn;
        args["seq"] = e.seq;
        if (e.session) args["session"] = *e.session;
        if (e.fd) args["fd"] = *e.fd;
        if (e.reactor) args["reactor"] = *e.reactor;
        if (e.worker) args["worker"] = *e.worker;
        if (e.msgId) args["msg_id"] = *e.msgId;
        if (e.flow) args["flow"] = *e.flow;
        if (e.payload) args["payload"] = *e.payload;
        // Output only: the args as written, parsed here (the line parser bounded their depth).
        json written = json::parse(e.rawArgs, nullptr, false);
        if (written.is_object())
            for (auto it = written.begin(); it != written.end(); ++it) args[it.key()] = it.value();
        Slice slice{json{{"name", e.kindName},
                         {"cat", a.role},
                         {"ph", "X"},
                         {"pid", a.pid},
                         {"tid", a.tid},
                         {"ts", static_cast<double>(e.tsNs) / 1000.0},
                         {"args", std::move(args)}},
                    e.tsNs};
        if (uint64_t flow = e.flowId(); flow != 0)
        {
            // Flow v2: every slice of a flow binds the same id; the viewer chains them in time.
            slice.value["bind_id"] = fmt::format("0x{:x}", flow);
            slice.value["flow_out"] = true;
            if (!flowsSeen_.insert(flow).second) slice.value["flow_in"] = true;
            ++summary_.flowEvents;
        }

        Thread& thread = threads_[threadKey(a.pid, a.tid)];
        if (thread.held)
        {
            emit(*thread.held,
                 std::clamp<int64_t>(saturatingSub(e.tsNs, thread.held->tsNs), 0, kSliceNs));
            thread.held.reset();
        }
        if (e.kind == trace::EventKind::CallbackEnter)
            thread.callbacks.push_back(std::move(slice));
        else
        {
            if (e.kind == trace::EventKind::CallbackExit && !thread.callbacks.empty())
            {
                emit(thread.callbacks.back(),
                     std::max<int64_t>(0, saturatingSub(e.tsNs, thread.callbacks.back().tsNs)));
                thread.callbacks.pop_back();
            }
            thread.held = std::move(slice);
        }
        thread.lastTsNs = std::max(thread.lastTsNs, e.tsNs);
    }

    ChromeExportSummary finish()
    {
        for (auto& [key, thread] : threads_)
        {
            if (thread.held) emit(*thread.held, kSliceNs);
            // A callback still running at the end: up to the thread's last event slice.
            for (Slice& open : thread.callbacks)
                emit(open,
                     std::max(kSliceNs,
                              saturatingSub(saturatingAdd(thread.lastTsNs, kSliceNs), open.tsNs)));
        }
        threads_.clear();
        out_ << "\n],\"displayTimeUnit\":\"ns\"}\n";
        out_.flush();
        return summary_;
    }

  private:
    struct Slice
    {
        json value;
        int64_t tsNs;
    };
    struct Thread
    {
        std::optional<Slice> held;     // the last small slice, until the thread's next event
        std::vector<Slice> callbacks;  // callback_enter slices waiting for their exit
        int64_t lastTsNs = 0;
    };

    void write(const json& value)
    {
        if (!first_) out_ << ",\n";
        first_ = false;
        out_ << value.dump();
    }

    void emit(Slice& slice, int64_t durNs)
    {
        slice.value["dur"] = static_cast<double>(durNs) / 1000.0;
        write(slice.value);
        ++summary_.slices;
    }

    void nameProcess(int pid, const std::string& role, int index)
    {
        if (!namedProcesses_.insert(pid).second) return;
        write({{"name", "process_name"},
               {"ph", "M"},
               {"pid", pid},
               {"args", {{"name", processName(role, index)}}}});
        write({{"name", "process_sort_index"},
               {"ph", "M"},
               {"pid", pid},
               {"args", {{"sort_index", processSortIndex(role, index)}}}});
        ++summary_.processes;
    }

    void nameThread(const Actor& actor, const std::string& name)
    {
        if (!namedThreads_.insert(threadKey(actor.pid, actor.tid)).second) return;
        nameProcess(actor.pid, actor.role, actor.index);
        int sortIndex = actor.role == "reactor" ? sortIndexAfter(1, actor.index) : 0;
        write({{"name", "thread_name"},
               {"ph", "M"},
               {"pid", actor.pid},
               {"tid", actor.tid},
               {"args", {{"name", name}}}});
        write({{"name", "thread_sort_index"},
               {"ph", "M"},
               {"pid", actor.pid},
               {"tid", actor.tid},
               {"args", {{"sort_index", sortIndex}}}});
        ++summary_.threads;
    }

    std::ostream& out_;
    bool first_ = true;
    ChromeExportSummary summary_;
    std::unordered_set<int> namedProcesses_;
    std::unordered_set<uint64_t> namedThreads_;
    std::unordered_set<uint64_t> flowsSeen_;
    std::unordered_map<uint64_t, Thread> threads_;
};
}  // namespace

ChromeExportSummary exportChromeTrace(const std::string& inPath, std::ostream& out,
                                      const std::function<void(const Problem&)>& onProblem)
{
    ChromeWriter writer(out);
    TraceSink sink;
    sink.onHeader = [&](const TraceHeader& h) { writer.header(h); };
    sink.onEvent = [&](const TraceEventView& e) { writer.event(e); };
    sink.onProblem = onProblem;
    TraceReader reader(inPath);
    bool readable = reader.read(sink);
    ChromeExportSummary summary = writer.finish();
    summary.readable = readable;
    summary.errors = reader.counts().errors;
    return summary;
}

}  // namespace rscope::tracefile
