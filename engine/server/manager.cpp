// Manager: fork, reap with waitpid(-1, WNOHANG) until 0, restart with the same id and pipe.
#include "engine/server/manager.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/process_globals.h"
#include "engine/reactor/event_loop.h"
#include "engine/reactor/signal_channel.h"
#include "engine/reactor/timer.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
#include "engine/server/task_worker.h"
#include "engine/server/worker.h"
#include "engine/trace/events.h"

namespace rscope::server
{

Manager::Manager(Server& server, WorkerMain runWorker)
    : server_(server), runWorker_(std::move(runWorker))
{
    if (!runWorker_)
        runWorker_ = [](Server& s, int id)
        {
            Worker worker(s, id);
            return worker.run();
        };
}

Manager::~Manager() = default;

int Manager::run()
{
    SharedState& shared = server_.shared();
    if (!stopOnInterrupt_)
    {
        base::setThreadRole(base::Role::Manager, -1);
        trace::attachThread(trace::ActorRole::Manager, -1);
        // The manager dies with the master (swoole sets the same parent-death signal).
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != shared.header().masterPid.load()) return 0;
        // Client sockets are the master's business.
        server_.listenFd().reset();
    }
    loop_ = std::make_unique<reactor::EventLoop>();
    signals_ = std::make_unique<reactor::SignalChannel>(
        loop_.get(), std::initializer_list<int>{SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2},
        [this](int signo, int) { onSignal(signo); });
    trace::ev::managerStart(::getppid());
    // Event workers first, then task workers (1.8 forks the task pool first, model 10.1; the
    // ids are the same either way and no task can be sent before an event worker runs).
    for (int id = 0; id < totalWorkers(); ++id) spawnWorker(id);
    if (server_.config().taskWorkerNum > 0)
        RS_INFO("manager started: {} workers and {} task workers forked", workerNum(),
                server_.config().taskWorkerNum);
    else
        RS_INFO("manager started: {} workers forked", workerNum());
    if (onReady_)
        readyTimer_ = std::make_unique<reactor::PeriodicTimer>(
            loop_.get(), 2,
            [this]
            {
                for (int w = 0; w < totalWorkers(); ++w)
                    if (server_.shared().worker(w).status.load() ==
                        static_cast<uint8_t>(WorkerStatus::Starting))
                        return;
                auto ready = std::move(onReady_);
                onReady_ = nullptr;
                loop_->runAfterEvents([this] { readyTimer_.reset(); });
                ready();
            });
    loop_->loop();
    RS_INFO("manager stopped: every worker reaped");
    return 0;
}

void Manager::spawnWorker(int id)
{
    WorkerSlot& slot = server_.shared().worker(id);
    slot.status.store(static_cast<uint8_t>(WorkerStatus::Starting));
    // The generation is counted before the fork: the child reports it in worker_start and may
    // run before the parent returns from fork().
    slot.generation.fetch_add(1);
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid < 0)
    {
        slot.generation.fetch_sub(1);
        RS_ERROR("fork(worker {}): {}; retrying at the next child event", id,
                 base::errnoText(errno));
        return;
    }
    if (pid == 0)
    {
        // The child must not use (or epoll_ctl through) the manager's loop: drop our copies.
        loop_->abandonAfterFork();
        signals_->abandonAfterFork();
        if (killTimer_) killTimer_->abandonAfterFork();
        if (readyTimer_) readyTimer_->abandonAfterFork();
        bool task = id >= workerNum();
        base::setThreadRole(task ? base::Role::TaskWorker : base::Role::Worker, id);
        int code = 70;
        try
        {
            if (task)
            {
                TaskWorker worker(server_, id);
                code = worker.run();
            }
            else
                code = runWorker_(server_, id);
        }
        catch (const std::exception& e)
        {
            RS_ERROR("uncaught exception: {}; exiting", e.what());
        }
        std::fflush(stdout);
        ::_exit(code);
    }
    slot.pid.store(pid);
}

void Manager::onSignal(int signo)
{
    switch (signo)
    {
        case SIGCHLD:
            reapChildren();
            break;
        case SIGTERM:
            beginStop();
            break;
        case SIGINT:
            // Ctrl-C reaches the whole process group; the master orchestrates the stop.
            if (stopOnInterrupt_) beginStop();
            break;
        case SIGUSR1:
            reloadWorkers(0, totalWorkers());
            break;
        case SIGUSR2:
            // swoole: SIGUSR2 reloads the task workers only (model 10.5). Without task workers
            // we reload every worker, as before they existed (4.3).
            if (server_.config().taskWorkerNum > 0)
                reloadWorkers(workerNum(), totalWorkers());
            else
                reloadWorkers(0, totalWorkers());
            break;
    }
}

void Manager::reapChildren()
{
    SharedState& shared = server_.shared();
    for (;;)
    {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        int id = -1;
        for (int w = 0; w < totalWorkers(); ++w)
            if (shared.worker(w).pid.load() == pid) id = w;
        if (id < 0) continue;  // not one of ours (never expected)
        WorkerSlot& slot = shared.worker(id);
        slot.pid.store(0);
        slot.status.store(static_cast<uint8_t>(WorkerStatus::Exited));
        if (stopping_) continue;
        const char* what = id < workerNum() ? "worker" : "task worker";
        bool abnormal = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
        if (abnormal)
        {
            if (WIFSIGNALED(status))
                RS_WARN(
                    "{}[{}] (pid {}) killed by signal {} ({}); restarting it with the "
                    "same id and pipe",
                    what, id, pid, WTERMSIG(status), ::strsignal(WTERMSIG(status)));
            else
                RS_WARN("{}[{}] (pid {}) exited with status {}; restarting it", what, id, pid,
                        WEXITSTATUS(status));
        }
        else
            RS_INFO("{}[{}] (pid {}) exited normally (max_request or reload); restarting it", what,
                    id, pid);
        shared.header().workerRestarts.fetch_add(1);
        spawnWorker(id);
        int exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        trace::ev::workerRestart(id, pid, slot.pid.load(), exitStatus, signal,
                                 id < workerNum() ? trace::EventKind::WorkerRestart
                                                  : trace::EventKind::TaskWorkerRestart);
        if (reloadPending_ > 0 && --reloadPending_ == 0) trace::ev::reload(false, reloadCount_);
    }
    if (!stopping_) return;
    // Another SIGCHLD may run this again before the loop returns: each phase is reported once.
    // Event workers stop first; then the task workers, so that no event worker hands a task to
    // a task worker that is gone (1.8.6's order, model 10.5).
    if (liveWorkers(0, workerNum()) == 0 && !workersStopped_)
    {
        workersStopped_ = true;
        trace::ev::shutdown(trace::Phase::WorkersStopped);
        signalWorkers(workerNum(), totalWorkers(), SIGTERM);
    }
    if (workersStopped_ && liveWorkers(workerNum(), totalWorkers()) == 0 && !taskWorkersStopped_)
    {
        taskWorkersStopped_ = true;
        if (server_.config().taskWorkerNum > 0)
            trace::ev::shutdown(trace::Phase::TaskWorkersStopped);
        loop_->quit();
    }
}

int Manager::workerNum() const
{
    return server_.config().workerNum;
}

int Manager::totalWorkers() const
{
    return server_.config().workerNum + server_.config().taskWorkerNum;
}

int Manager::liveWorkers(int from, int to) const
{
    int live = 0;
    for (int w = from; w < to; ++w)
        if (server_.shared().worker(w).pid.load() != 0) ++live;
    return live;
}

void Manager::signalWorkers(int from, int to, int signo)
{
    for (int w = from; w < to; ++w)
        if (pid_t pid = server_.shared().worker(w).pid.load(); pid > 0) ::kill(pid, signo);
}

void Manager::beginStop()
{
    if (stopping_) return;
    stopping_ = true;
    // The master closed it already, unless it died (PDEATHSIG) or this is BASE mode's master.
    trace::closeStepGate();
    signalWorkers(0, workerNum(), SIGTERM);
    if (liveWorkers(0, totalWorkers()) == 0)
    {
        loop_->quit();
        return;
    }
    if (liveWorkers(0, workerNum()) == 0) reapChildren();  // on to the task workers
    // Workers get max_wait_time to finish; after twice that, SIGKILL (swoole's alarm).
    killAtMs_ = base::monotonicMs() + 2000LL * server_.config().maxWaitTimeS;
    killTimer_ = std::make_unique<reactor::PeriodicTimer>(
        loop_.get(), 100,
        [this]
        {
            if (base::monotonicMs() < killAtMs_) return;
            for (int w = 0; w < totalWorkers(); ++w)
                if (pid_t pid = server_.shared().worker(w).pid.load(); pid > 0)
                {
                    RS_WARN("{}[{}] (pid {}) still running after {} s; sending SIGKILL",
                            w < workerNum() ? "worker" : "task worker", w, pid,
                            2 * server_.config().maxWaitTimeS);
                    ::kill(pid, SIGKILL);
                }
        });
}

void Manager::reloadWorkers(int from, int to)
{
    if (stopping_) return;
    RS_INFO("reloading {} {} (each exits gracefully and is restarted)", to - from,
            from >= workerNum() ? "task workers" : "workers");
    reloadPending_ = liveWorkers(from, to);
    reloadCount_ = to - from;
    trace::ev::reload(true, reloadCount_);
    signalWorkers(from, to, SIGTERM);
}

}  // namespace rscope::server
