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
    for (int id = 0; id < server_.config().workerNum; ++id) spawnWorker(id);
    RS_INFO("manager started: {} workers forked", server_.config().workerNum);
    if (onReady_)
        readyTimer_ = std::make_unique<reactor::PeriodicTimer>(
            loop_.get(), 2,
            [this]
            {
                for (int w = 0; w < server_.config().workerNum; ++w)
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
        base::setThreadRole(base::Role::Worker, id);
        int code = 70;
        try
        {
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
        case SIGUSR2:
            reloadWorkers();
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
        for (int w = 0; w < server_.config().workerNum; ++w)
            if (shared.worker(w).pid.load() == pid) id = w;
        if (id < 0) continue;  // not one of ours (never expected)
        WorkerSlot& slot = shared.worker(id);
        slot.pid.store(0);
        slot.status.store(static_cast<uint8_t>(WorkerStatus::Exited));
        if (stopping_) continue;
        bool abnormal = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
        if (abnormal)
        {
            if (WIFSIGNALED(status))
                RS_WARN(
                    "worker[{}] (pid {}) killed by signal {} ({}); restarting it with the "
                    "same id and pipe",
                    id, pid, WTERMSIG(status), ::strsignal(WTERMSIG(status)));
            else
                RS_WARN("worker[{}] (pid {}) exited with status {}; restarting it", id, pid,
                        WEXITSTATUS(status));
        }
        else
            RS_INFO("worker[{}] (pid {}) exited normally (max_request or reload); restarting it",
                    id, pid);
        shared.header().workerRestarts.fetch_add(1);
        spawnWorker(id);
        trace::ev::workerRestart(id, pid, slot.pid.load(),
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        if (reloadPending_ > 0 && --reloadPending_ == 0) traceReload(false);
    }
    // Another SIGCHLD may run this again before the loop returns: the phase is reported once.
    if (stopping_ && liveWorkers() == 0 && !workersStopped_)
    {
        workersStopped_ = true;
        trace::ev::shutdown(trace::Phase::WorkersStopped);
        loop_->quit();
    }
}

void Manager::traceReload(bool begin)
{
    trace::ev::reload(begin, server_.config().workerNum);
}

int Manager::liveWorkers() const
{
    int live = 0;
    for (int w = 0; w < server_.config().workerNum; ++w)
        if (server_.shared().worker(w).pid.load() != 0) ++live;
    return live;
}

void Manager::beginStop()
{
    if (stopping_) return;
    stopping_ = true;
    // The master closed it already, unless it died (PDEATHSIG) or this is BASE mode's master.
    trace::closeStepGate();
    for (int w = 0; w < server_.config().workerNum; ++w)
        if (pid_t pid = server_.shared().worker(w).pid.load(); pid > 0) ::kill(pid, SIGTERM);
    if (liveWorkers() == 0)
    {
        loop_->quit();
        return;
    }
    // Workers get max_wait_time to finish; after twice that, SIGKILL (swoole's alarm).
    killAtMs_ = base::monotonicMs() + 2000LL * server_.config().maxWaitTimeS;
    killTimer_ = std::make_unique<reactor::PeriodicTimer>(
        loop_.get(), 100,
        [this]
        {
            if (base::monotonicMs() < killAtMs_) return;
            for (int w = 0; w < server_.config().workerNum; ++w)
                if (pid_t pid = server_.shared().worker(w).pid.load(); pid > 0)
                {
                    RS_WARN("worker[{}] (pid {}) still running after {} s; sending SIGKILL", w, pid,
                            2 * server_.config().maxWaitTimeS);
                    ::kill(pid, SIGKILL);
                }
        });
}

void Manager::reloadWorkers()
{
    if (stopping_) return;
    RS_INFO("reloading {} workers (each exits gracefully and is restarted)",
            server_.config().workerNum);
    reloadPending_ = liveWorkers();
    traceReload(true);
    for (int w = 0; w < server_.config().workerNum; ++w)
        if (pid_t pid = server_.shared().worker(w).pid.load(); pid > 0) ::kill(pid, SIGTERM);
}

}  // namespace rscope::server
