// What each box of the architecture picture says: title, counters, state and its colours, and a
// tooltip with pid, tid, fd or session and the historic swoole functions of that actor.
#include <algorithm>
#include <cmath>
#include <string>

#include "viewer/layout/architecture_parts.h"
#include "viewer/layout/layout_text.h"
#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer::arch
{

namespace
{

std::string pidText(int pid)
{
    return pid > 0 ? std::to_string(pid) : std::string("?");
}

void styleNode(NodeRecord& n)
{
    stateColors(n.role, n.state, n.fill, n.border);
    if (n.selected) n.border = rgba(255, 255, 255);
}

// Back-pressure on top of the state's colours: amber near a limit, red at it (model 3.8, 8.6,
// 8.18). A selected node keeps its white border; the fill carries the warning then.
void stylePressure(NodeRecord& n, BufferPressure p)
{
    if (p == BufferPressure::None) return;
    bool over = p == BufferPressure::Over;
    n.fill = over ? rgba(100, 30, 28) : rgba(92, 66, 18);
    if (!n.selected) n.border = over ? rgba(235, 85, 80) : rgba(240, 170, 50);
}

std::string percentText(int64_t part, int64_t whole)
{
    return whole > 0 ? std::to_string(part * 100 / whole) + " %" : std::string("?");
}

}  // namespace

void stateColors(const std::string& role, const std::string& state, Color& fill, Color& border)
{
    // A dark theme (ImGui's default): fills are dim, borders carry the hue.
    if (role == "master")
    {
        fill = rgba(28, 33, 44);
        border = rgba(120, 140, 185);
    }
    else if (role == "main_reactor" || role == "reactor")
    {
        fill = rgba(36, 52, 76);
        border = rgba(110, 160, 230);
    }
    else if (role == "manager")
    {
        fill = rgba(50, 42, 68);
        border = rgba(175, 140, 230);
    }
    else if (role == "client")
    {
        fill = rgba(38, 44, 52);
        border = state == "closed" ? rgba(110, 110, 120) : rgba(150, 165, 185);
    }
    else if (state == "busy")
    {
        fill = rgba(112, 78, 16);
        border = rgba(255, 190, 60);
    }
    else if (state == "killed")  // died without worker_exit: a signal or a crash
    {
        fill = rgba(100, 28, 28);
        border = rgba(235, 85, 80);
    }
    else if (state == "exited")  // left gracefully (shutdown, max_request, reload): grey
    {
        fill = rgba(34, 34, 38);
        border = rgba(105, 105, 115);
    }
    else if (state == "stopped")  // frozen: a cold blue, neither working nor dead
    {
        fill = rgba(38, 48, 78);
        border = rgba(130, 150, 235);
    }
    else if (state == "idle" && role == "task_worker")  // idle, in the task workers' own hue
    {
        fill = rgba(50, 44, 64);
        border = rgba(190, 145, 225);
    }
    else if (state == "idle")
    {
        fill = rgba(40, 60, 50);
        border = rgba(115, 170, 135);
    }
    else  // starting, unknown
    {
        fill = rgba(52, 52, 58);
        border = rgba(140, 140, 150);
    }
}

NodeRecord masterNode(const ArchitectureLayoutInput& in, const Facts& facts)
{
    NodeRecord n;
    n.id = "master";
    n.role = "master";
    n.title = "master  pid " + pidText(facts.masterPid);
    n.tooltip = {
        "master process  pid " + pidText(facts.masterPid),
        "main thread (main reactor) + " + std::to_string(facts.reactors.size()) +
            " reactor threads",
        "forks the manager before it starts its reactor threads",
        "swoole: swServer_start, swServer_master_onAccept",
    };
    if (in.state != nullptr && in.state->shutdown()) n.state = "stopping";
    styleNode(n);
    return n;
}

NodeRecord mainReactorNode(const ArchitectureLayoutInput& in, const Facts& facts)
{
    NodeRecord n;
    n.id = "main_reactor";
    n.role = "main_reactor";
    n.parent = "master";
    n.title = "main reactor  tid " + pidText(facts.masterTid);
    if (!facts.listen.empty()) n.lines.push_back("listen " + facts.listen);
    if (in.state != nullptr)
        n.lines.push_back("accepted " + std::to_string(in.state->accepted()) + "  open " +
                          std::to_string(in.state->sessions().size()));
    n.tooltip = {
        "main reactor: the master's main thread",
        "pid " + pidText(facts.masterPid) + "  tid " + pidText(facts.masterTid),
        "listen, accept, then hand the fd to reactor[fd % " +
            std::to_string(std::max<size_t>(facts.reactors.size(), 1)) + "]",
        "swoole: swServer_master_onAccept, swServer_start",
    };
    if (!facts.listen.empty()) n.tooltip.insert(n.tooltip.begin() + 2, "listen " + facts.listen);
    styleNode(n);
    return n;
}

NodeRecord reactorNode(const ArchitectureLayoutInput& in, const Facts& facts, int index)
{
    const ReactorState* r = findReactor(in.state, index);
    int tid = r != nullptr ? r->tid : 0;
    if (tid == 0 && in.store != nullptr)
        for (const Actor& a : in.store->topology().threads)
            if (a.role == Role::Reactor && a.index == index) tid = a.tid;
    NodeRecord n;
    n.id = nodeIdReactor(index);
    n.role = "reactor";
    n.parent = "master";
    n.title = n.id + "  tid " + pidText(tid);
    std::string polled;
    for (const Pipe& p : facts.pipes)
        if (p.reactor == index) polled += (polled.empty() ? "" : ", ") + std::to_string(p.worker);
    n.tooltip = {
        "reactor thread " + std::to_string(index) + " of the master",
        "pid " + pidText(facts.masterPid) + "  tid " + pidText(tid),
        "owns the client fds with fd % " + std::to_string(facts.reactors.size()) +
            " == " + std::to_string(index),
    };
    if (!polled.empty()) n.tooltip.push_back("polls the pipes of worker " + polled);
    if (r != nullptr)
    {
        n.lines = {
            "connections " + std::to_string(r->connections),
            "read " + formatBytes(static_cast<int64_t>(r->bytesRead)) + "  written " +
                formatBytes(static_cast<int64_t>(r->bytesWritten)),
            "queued " + formatBytes(r->bytesQueued),
        };
        // Bytes the thread holds for full worker pipes (model 8.6): shown only when there are.
        if (r->pipeQueued > 0) n.lines.push_back("pipe queue " + formatBytes(r->pipeQueued));
        n.tooltip.push_back("handoffs " + std::to_string(r->handoffs) + "  reads " +
                            std::to_string(r->reads) + "  writes " + std::to_string(r->writes) +
                            "  closes " + std::to_string(r->closes));
    }
    n.tooltip.push_back(
        "swoole: swReactorThread_onRead, swReactorThread_send2worker, "
        "swReactorThread_onPipeReceive, swReactorThread_send");
    styleNode(n);
    if (r != nullptr && in.state != nullptr)
    {
        // The worst of its connections' output buffers; a pipe queue is a warning of its own.
        BufferPressure worst = r->pipeQueued > 0 ? BufferPressure::Near : BufferPressure::None;
        for (const auto& [id, s] : in.state->sessions())
            if (s.queuedOn == index || (s.queuedOn < 0 && s.reactor == index))
                worst = std::max(worst, in.state->pressureOf(s));
        stylePressure(n, worst);
        if (r->bytesQueued > 0)
            n.tooltip.push_back(
                "queued: output waiting in its connections' buffers (limit "
                "socket_buffer_size " +
                (in.state->socketBufferSize() > 0 ? formatBytes(in.state->socketBufferSize())
                                                  : std::string("unknown")) +
                " each)");
        if (r->pipeQueued > 0)
            n.tooltip.push_back("pipe queue: messages for full worker pipes, kept in its memory");
    }
    return n;
}

NodeRecord managerNode(const ArchitectureLayoutInput& in, const Facts& facts)
{
    NodeRecord n;
    n.id = "manager";
    n.role = "manager";
    n.title = "manager  pid " + pidText(facts.managerPid);
    if (in.state != nullptr)
    {
        n.lines.push_back("restarts " + std::to_string(in.state->managerRestarts()));
        if (in.state->reloading())
        {
            n.state = "reloading";
            n.lines.push_back("reloading workers");
        }
    }
    n.tooltip = {
        "manager process  pid " + pidText(facts.managerPid),
        "forks the workers, reaps them and forks a successor when one exits",
        "swoole: swManager_start, swManager_loop_sync",
    };
    styleNode(n);
    return n;
}

NodeRecord workerNode(const ArchitectureLayoutInput& in, const Facts& facts, int index)
{
    const WorkerState* w = findWorker(in.state, index);
    bool task = std::find(facts.taskWorkers.begin(), facts.taskWorkers.end(), index) !=
                facts.taskWorkers.end();
    int pid = w != nullptr ? w->pid : 0;
    int generation = w != nullptr ? w->generation : 0;
    if (in.store != nullptr)
        for (const Process& p : in.store->topology().processes)
            if ((p.role == Role::Worker || p.role == Role::TaskWorker) && p.index == index)
            {
                if (pid == 0) pid = p.pid;
                if (generation == 0) generation = p.generation;
            }
    NodeRecord n;
    n.id = task ? nodeIdTaskWorker(index) : nodeIdWorker(index);
    n.role = task ? "task_worker" : "worker";
    // A task worker's title is long ("task_worker[12]") and its column narrow: its pid goes on
    // the counters' line.
    n.title = task ? n.id : n.id + "  pid " + pidText(pid);
    n.tooltip = {std::string(task ? "task worker process " : "worker process ") +
                 std::to_string(index) + "  pid " + pidText(pid) + "  generation " +
                 std::to_string(generation)};
    if (w != nullptr)
    {
        n.state = workerStateName(*w);
        std::string doing = n.state;
        if (w->status == WorkerStatus::Exited && !w->killed && w->exitReason != 0)
            doing += std::string(" (") + trace::causeName(w->exitReason) + ")";
        if (w->status == WorkerStatus::Busy && w->callback != CallbackId::None)
        {
            doing = std::string("busy: ") + callbackLabel(w->callback);
            if (w->session != 0) doing += "  session " + std::to_string(w->session);
        }
        int64_t busyNs = in.state->busyNs(*w, in.state->nowNs());  // step mode's hold left out
        n.lines = {
            doing,
            (task ? "pid " + pidText(pid) + "  gen " + std::to_string(w->generation) + "  tasks " +
                        std::to_string(w->tasks)
                  : "gen " + std::to_string(w->generation) + "  requests " +
                        std::to_string(w->requests)),
            "busy " + formatDurationNs(busyNs),
        };
        n.tooltip.push_back("status: " + doing);
        n.tooltip.push_back("received " + std::to_string(w->received) + " messages, in " +
                            formatBytes(static_cast<int64_t>(w->bytesIn)) + ", out " +
                            formatBytes(static_cast<int64_t>(w->bytesOut)));
        n.tooltip.push_back("requests " + std::to_string(w->requests) + "  busy " +
                            formatDurationNs(busyNs) + "  restarts " + std::to_string(w->restarts));
    }
    else
    {
        // Header only: a pid means the process exists; whether it has started is unknown.
        n.state = pid > 0 ? "idle" : "starting";
        n.lines = {n.state};
    }
    bool stopped = in.stoppedWorkers != nullptr &&
                   std::find(in.stoppedWorkers->begin(), in.stoppedWorkers->end(), index) !=
                       in.stoppedWorkers->end();
    if (stopped && n.state != "exited" && n.state != "killed")
    {
        n.state = "stopped";
        n.lines.front() = "stopped (SIGSTOP)";
        n.tooltip.push_back("stopped by the viewer: its pipe fills; Server > Resume worker");
    }
    for (const Pipe& p : facts.pipes)
        if (p.worker == index)
            n.tooltip.push_back("pipe: master fd " + std::to_string(p.masterFd) + " (read by " +
                                nodeIdReactor(p.reactor) + "), worker fd " +
                                std::to_string(p.workerFd));
    if (task)
    {
        n.tooltip.push_back(
            "no event loop: a blocking read of its pipe, one task at a time; "
            "event workers write the tasks, no reactor thread reads the pipe");
        n.tooltip.push_back(
            "swoole: swTaskWorker_onStart, swProcessPool_worker_loop, swTaskWorker_onTask, "
            "swTaskWorker_finish");
    }
    else
        n.tooltip.push_back("swoole: swWorker_loop, swWorker_onPipeReceive, swWorker_send2reactor");
    styleNode(n);
    return n;
}

NodeRecord clientNode(const ArchitectureLayoutInput& in, const ClientInfo& c)
{
    NodeRecord n;
    n.id = nodeIdClient(c.session);
    n.role = "client";
    n.state = c.stage;
    n.title = "client  session " + std::to_string(c.session);
    std::string where = c.fd >= 0 ? "fd " + std::to_string(c.fd) : std::string();
    if (c.reactor >= 0) where += (where.empty() ? "" : "  ") + nodeIdReactor(c.reactor);
    if (!where.empty()) n.lines.push_back(where);
    n.lines.push_back(c.peer.empty() ? c.stage : c.peer + "  " + c.stage);
    // Last, so a box too short for it drops it (fitLines): back-pressure on this connection.
    if (c.queued > 0)
        n.lines.push_back("queued " + formatBytes(c.queued) +
                          (c.limit > 0 ? "  " + percentText(c.queued, c.limit) : "") +
                          (c.overflow ? "  overflow" : ""));
    n.selected = in.selectedSession != 0 && c.session == in.selectedSession;
    n.tooltip = {"session " + std::to_string(c.session) + " (swoole's $fd)"};
    if (c.fd >= 0) n.tooltip.push_back("fd " + std::to_string(c.fd) + " in the master");
    if (!c.peer.empty()) n.tooltip.push_back("peer " + c.peer);
    if (c.reactor >= 0) n.tooltip.push_back("owned by " + nodeIdReactor(c.reactor));
    if (c.worker >= 0) n.tooltip.push_back("last dispatched to " + nodeIdWorker(c.worker));
    n.tooltip.push_back("requests " + std::to_string(c.requests) + "  stage " + c.stage);
    if (c.queued > 0)
        n.tooltip.push_back("queued " + formatBytes(c.queued) +
                            " in its output buffer, not yet written to the client");
    if (c.limit > 0)
        n.tooltip.push_back("limit socket_buffer_size " + formatBytes(c.limit) +
                            ": amber from 75 %, red at the limit");
    if (c.overflow)
        n.tooltip.push_back(
            "overflow (buffer_full): send() to it fails until the buffer is empty "
            "(buffer_drain)");
    styleNode(n);
    stylePressure(n, c.pressure);
    return n;
}

NodeRecord foldedClientsNode(const ArchitectureLayoutInput& in, const ClientSet& clients)
{
    NodeRecord n;
    n.id = nodeIdClients();
    n.role = "client";
    n.state = "folded";
    // append(), not "+" + string: GCC 12 warns falsely (-Wrestrict) on that operator+ overload.
    n.title.append("+").append(std::to_string(clients.folded.size())).append(" more");
    std::string ids;
    for (size_t i = 0; i < clients.folded.size() && i < 6; ++i)
        ids += (i == 0 ? "" : ", ") + std::to_string(clients.folded[i].session);
    if (clients.folded.size() > 6) ids += ", ...";
    n.lines.push_back("sessions " + ids);
    n.tooltip = {std::to_string(clients.folded.size()) + " more clients, folded", "sessions " + ids,
                 "at most " + std::to_string(std::max(in.maxClients, 0)) + " are drawn one by one"};
    styleNode(n);
    return n;
}

void fitLines(NodeRecord& node, const Metrics& m)
{
    float room = node.rect.h - 2 * m.pad;
    int fit = static_cast<int>(std::floor(room / m.lineHeight + 1e-3f)) - 1;  // minus the title
    if (fit < 0) fit = 0;
    if (node.lines.size() > static_cast<size_t>(fit)) node.lines.resize(static_cast<size_t>(fit));
}

const WorkerState* findWorker(const ArchitectureState* state, int index)
{
    if (state == nullptr) return nullptr;
    for (const WorkerState& w : state->workers())
        if (w.index == index) return &w;
    return nullptr;
}

const ReactorState* findReactor(const ArchitectureState* state, int index)
{
    if (state == nullptr) return nullptr;
    for (const ReactorState& r : state->reactors())
        if (r.index == index) return &r;
    return nullptr;
}

}  // namespace rscope::viewer::arch
