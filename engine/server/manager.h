// Manager: the process that forks the workers and the task workers, reaps them, restarts a dead
// one with the same id and pipe, reloads them on SIGUSR1 (SIGUSR2: task workers only) and stops
// them on SIGTERM, event workers first (model sections 4 and 10). In BASE mode
// the master process plays this role itself. Owner: the manager process. Thread-safety: its
// only thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>

namespace rscope::reactor
{
class EventLoop;
class PeriodicTimer;
class SignalChannel;
}  // namespace rscope::reactor

namespace rscope::server
{

class Server;

class Manager
{
  public:
    // runWorker: what a freshly forked child runs (returns its exit code). The default runs a
    // PROCESS-mode worker.
    using WorkerMain = std::function<int(Server&, int workerId)>;

    explicit Manager(Server& server, WorkerMain runWorker = nullptr);
    ~Manager();
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    // Forks every worker and reaps/restarts until stopped; returns the exit code.
    int run();
    // Called once, when every worker has reported itself started (status left Starting).
    void setReadyCallback(std::function<void()> fn) { onReady_ = std::move(fn); }
    // Extra signals (BASE master): stop on SIGTERM/SIGINT; used when the manager is the master.
    void setStopOnInterrupt(bool on) { stopOnInterrupt_ = on; }

  private:
    void spawnWorker(int id);
    void onSignal(int signo);
    void reapChildren();
    void beginStop();
    // SIGTERM to every running worker with an id in [from, to).
    void signalWorkers(int from, int to, int signo);
    // Reloads the workers with ids in [from, to): each exits gracefully and is restarted.
    void reloadWorkers(int from, int to);
    // Running workers with an id in [from, to).
    int liveWorkers(int from, int to) const;
    int workerNum() const;
    int totalWorkers() const;  // event workers and task workers

    Server& server_;
    WorkerMain runWorker_;
    std::unique_ptr<reactor::EventLoop> loop_;
    std::unique_ptr<reactor::SignalChannel> signals_;
    std::unique_ptr<reactor::PeriodicTimer> killTimer_;
    std::unique_ptr<reactor::PeriodicTimer> readyTimer_;
    std::function<void()> onReady_;
    bool stopping_ = false;
    bool workersStopped_ = false;  // the shutdown phase workers_stopped has been emitted
    bool taskWorkersStopped_ = false;
    bool stopOnInterrupt_ = false;
    int64_t killAtMs_ = 0;
    int reloadPending_ = 0;  // restarts still expected before reload_end
    int reloadCount_ = 0;    // workers the running reload covers
};

}  // namespace rscope::server
