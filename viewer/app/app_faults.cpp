// The Server menu's fault injection for ViewerApp: kill, stop, resume a worker, reload, a slow
// trace client, an oversized packet, a client that never reads; through the lesson's ActionRunner
// when the viewer owns the server, as plain signals to the pids the trace shows when the server is
// local but not ours.
// --fault applies one of them headless.
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/tutorial/lesson_runner.h"
#include "viewer/app/platform.h"
#include "viewer/app/viewer_app.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

namespace
{

// A live source the viewer may signal: its server runs on this host.
bool isLocalAddress(const std::string& address)
{
    return address.rfind("unix:", 0) == 0 || address.rfind("127.", 0) == 0 ||
           address.rfind("localhost", 0) == 0;
}

}  // namespace

void ViewerApp::updateServerAccess()
{
    bool owned = lessonServer_ && lessonServer_->running();
    bool local = !owned && live_ && isLocalAddress(live_->address());
    view_.serverOwned = owned;
    view_.serverLocal = local;
    if (platformIsWeb())
    {
        // A page can neither start a process nor signal one: step mode goes through the bridge
        // (the timeline's buttons), faults need the desktop viewer on the server's machine.
        view_.serverOwned = view_.serverLocal = false;
        view_.serverNote =
            "in the browser: faults need the desktop viewer (rscope-viewer "
            "--connect) on the server's machine";
    }
    else if (owned)
        view_.serverNote = "the lesson's server (started by the viewer)";
    else if (local)
        view_.serverNote = "a local server, not ours: signals only";
    else if (live_)
        view_.serverNote = "a remote server: the viewer cannot act on it";
    else
        view_.serverNote = "no server: a recording";
}

void ViewerApp::applyStartFault()
{
    if (startFaultDone_ || options_.fault.empty() || !watchingTrace()) return;
    size_t target = static_cast<size_t>(std::max(1, options_.tutorialStep)) - 1;
    if (tutorial_ && tutorial_->step() < std::min(target, tutorial_->steps() - 1)) return;
    using T = Command::Type;
    const std::string& f = options_.fault;
    size_t colon = f.find(':');
    std::string kind = f.substr(0, colon);
    Command c = Command::make(kind == "kill"          ? T::KillWorker
                              : kind == "pause"       ? T::PauseWorker
                              : kind == "resume"      ? T::ResumeWorker
                              : kind == "reload"      ? T::ReloadWorkers
                              : kind == "slow-client" ? T::OpenSlowClient
                              : kind == "never-reads" ? T::ConnectNeverReads
                                                      : T::SendOversized);
    if (colon != std::string::npos)
    {
        c.index = std::stoi(f.substr(colon + 1));
        // A worker's pid is known once it has started: until then there is nothing to signal.
        ArchitectureState newest;
        timeline_.stateAt(*store_, store_->size(), newest);
        bool started = false;
        for (const WorkerState& w : newest.workers())
            started |= w.index == c.index && w.pid > 0 && w.status != WorkerStatus::Starting;
        if (!started) return;
    }
    startFaultDone_ = true;
    applyFault(c);
}

void ViewerApp::applyFault(const Command& c)
{
    using T = Command::Type;
    updateServerAccess();
    // Outside the lesson's steps: a server the lesson holds must be free to show what it does.
    if (tutorial_) tutorial_->leavePace();
    int worker = static_cast<int>(c.index);
    tutorial::Action action;
    const char* what = "";
    std::string oversizedText;
    switch (c.type)
    {
        case T::KillWorker:
            action.kind = "kill_worker";
            what = "SIGKILL to worker";
            break;
        case T::PauseWorker:
            action.kind = "pause_worker";
            what = "SIGSTOP to worker";
            break;
        case T::ResumeWorker:
            action.kind = "resume_worker";
            what = "SIGCONT to worker";
            break;
        case T::ReloadWorkers:
            action.kind = "reload";
            what = "SIGUSR1 to the master (reload)";
            break;
        case T::OpenSlowClient:
            action.kind = "slow_reader";
            action.ms = 5000;
            what = "a slow trace client for 5 s";
            break;
        case T::SendOversized:
        {
            // Just past the server's package_max_length (2 MiB unless the lesson sets it; never
            // below 64 KiB, as swoole raises it). Only a framed protocol has a limit to pass.
            int64_t maxLength = 2 << 20;
            std::string protocol = "raw";
            if (lessonServer_)
                for (const auto& [flag, value] : lessonServer_->flags())
                {
                    if (flag == "package-max-length") maxLength = std::atoll(value.c_str());
                    if (flag == "protocol") protocol = value;
                }
            action.kind = "send_big";
            action.bytes = static_cast<int>(std::max<int64_t>(maxLength, 64 << 10) + 4096);
            oversizedText =
                "an oversized packet (" + std::to_string(action.bytes) + " bytes" +
                (protocol == "raw" ? ", but the server frames nothing: raw reads)" : ")");
            what = oversizedText.c_str();
            break;
        }
        case T::ConnectNeverReads:
        {
            // Enough to pass the kernel's socket buffers (a few MiB on loopback) and the
            // lesson's socket_buffer_size (8 MiB unless the lesson sets it), when the handler
            // echoes: the output buffer then reaches overflow.
            int64_t limit = 8 << 20;
            if (lessonServer_)
                for (const auto& [flag, value] : lessonServer_->flags())
                    if (flag == "socket-buffer-size") limit = std::atoll(value.c_str());
            action.kind = "never_reads";
            action.bytes = static_cast<int>(std::min<int64_t>(limit + (8 << 20), 256 << 20));
            action.holdMs = 30000;
            oversizedText =
                "a client that never reads (" + std::to_string(action.bytes) + " bytes sent, 30 s)";
            what = oversizedText.c_str();
            break;
        }
        default:
            return;
    }
    action.worker = worker;
    std::string error;
    bool ok = false;
    bool perWorker =
        c.type == T::KillWorker || c.type == T::PauseWorker || c.type == T::ResumeWorker;
    if (view_.serverOwned && actions_)
    {
        if (tutorial_)
            ok = runServerAction(action, error);
        else
            error = "no lesson";
    }
    else if (view_.serverLocal && c.type != T::OpenSlowClient && c.type != T::SendOversized &&
             c.type != T::ConnectNeverReads)
    {
        // Not our server but on this host: the signal goes to the pid the trace shows.
        ArchitectureState newest;
        timeline_.stateAt(*store_, store_->size(), newest);
        pid_t pid = 0;
        int sig = c.type == T::KillWorker     ? SIGKILL
                  : c.type == T::PauseWorker  ? SIGSTOP
                  : c.type == T::ResumeWorker ? SIGCONT
                                              : SIGUSR1;
        if (perWorker)
        {
            for (const WorkerState& w : newest.workers())
                if (w.index == worker) pid = w.pid;
        }
        else
        {
            for (const Process& p : store_->topology().processes)
                if (p.role == Role::Master) pid = p.pid;
        }
        if (pid <= 0)
            error = "no pid in the trace";
        else if (::kill(pid, sig) != 0)
            error = "kill(" + std::to_string(pid) + "): " + std::strerror(errno);
        else
            ok = true;
    }
    else
    {
        error = view_.serverNote;
    }
    std::string target = perWorker ? "[" + std::to_string(worker) + "]" : "";
    if (ok)
    {
        if (c.type == T::PauseWorker) view_.pausedWorkers.push_back(worker);
        if (c.type == T::OpenSlowClient) view_.slowReaderUntilMs = nowMs() + action.ms;
        if (c.type == T::ResumeWorker || c.type == T::KillWorker)
            view_.pausedWorkers.erase(
                std::remove(view_.pausedWorkers.begin(), view_.pausedWorkers.end(), worker),
                view_.pausedWorkers.end());
        view_.statusMessage = std::string("sent ") + what + target;
        view_.statusIsError = false;
    }
    else
    {
        view_.statusMessage = std::string(what) + target + ": " + error;
        view_.statusIsError = true;
    }
    faultLog_.push_back(view_.statusMessage);
    std::fprintf(stderr, "rscope-viewer: %s\n", view_.statusMessage.c_str());
}

}  // namespace rscope::viewer
