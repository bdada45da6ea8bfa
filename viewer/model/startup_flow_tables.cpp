// The startup call-flow tables: steps, edges and handlers of process mode (model section 2; the
// seed article's call graph and its handler lists, lines 55-100), as data.
#include <algorithm>
#include <iterator>

#include "viewer/model/startup_flow.h"

namespace rscope::viewer
{

namespace
{

using S = StartupStepId;
using K = EventKind;
using L = StartupLane;
using M = StepMultiplicity;
using R = LightRule;
constexpr K kNoKind = K::Count;

// Rows put steps that happen at about the same time side by side, so fork and thread edges run
// across: the master forks the manager at row 3, the manager forks workers at row 4, the
// master starts the reactor threads at row 5.
constexpr StartupStep kSteps[] = {
    {S::Create,
     "master.create",
     L::Master,
     0,
     "swServer_create",
     "swServer_init -> swServer_add_port -> swServer_create -> swReactorThread_create, "
     "swFactoryProcess_create",
     "SharedState::SharedState",
     "Server::start",
     "settings and defaults checked; the shared tables (sessions, workers, trace rings) are "
     "mapped before any fork, so every process sees them",
     M::One,
     R::SameAs,
     K::ServerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "inferred: Server::start maps the tables just before it emits server_start"},
    {S::Start,
     "master.start",
     L::Master,
     1,
     "swServer_start",
     "swServer_start -> swServer_start_check",
     "Server::start",
     "",
     "checks the settings (onConnect/onClose are dropped outside the hash dispatch modes), then "
     "binds the port (Server::startProcessMode)",
     M::One,
     R::Event,
     K::ServerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "server_start"},
    {S::Pipes,
     "master.pipes",
     L::Master,
     2,
     "swPipeUnsock_create",
     "swFactoryProcess_start -> swManager_start -> swPipeUnsock_create(SOCK_DGRAM)",
     "Server::createPipes",
     "Server::startProcessMode",
     "one SOCK_DGRAM socketpair per worker: pipe_master for a reactor thread, pipe_worker for the "
     "worker",
     M::PerWorker,
     R::Event,
     K::PipeCreate,
     kNoKind,
     {kNoStep, kNoStep},
     "pipe_create, one per worker"},
    {S::ForkManager,
     "master.fork_manager",
     L::Master,
     3,
     "swManager_start (fork)",
     "swManager_start: fork() while the master still has one thread",
     "Server::startProcessMode",
     "",
     "fork() of the manager: before any thread exists and before listen() (as in 1.8.13; "
     "1.8.6 listened first)",
     M::One,
     R::FirstOf,
     K::ManagerStart,
     K::Listen,
     {kNoStep, kNoStep},
     "inferred: the first of manager_start (the child runs) and listen (the parent listens only "
     "after fork() returned)"},
    {S::Listen,
     "master.listen",
     L::Master,
     4,
     "swServer_start_proxy",
     "swServer_start_proxy -> swPort_listen in 1.8.13, after the fork as here; 1.8.6 listened "
     "before the fork (swServer_start -> swPort_set_option)",
     "Master::run",
     "",
     "listen(backlog) on the port bound before the fork, and the main reactor is built; in 1.8.6 "
     "the manager inherited a listening fd and closed it (swServer_close_listen_port)",
     M::One,
     R::Event,
     K::Listen,
     kNoKind,
     {kNoStep, kNoStep},
     "listen"},
    {S::ReactorThreads,
     "master.reactor_threads",
     L::Master,
     5,
     "swReactorThread_start",
     "swServer_start_proxy -> swReactorThread_start -> pthread_create",
     "ReactorThread::start",
     "Master::run",
     "starts reactor_num threads and waits until each one has built its loop",
     M::PerReactor,
     R::SameAs,
     K::ReactorStart,
     kNoKind,
     {kNoStep, kNoStep},
     "inferred: each reactor_start shows one thread runs (ReactorThread::start waits for it)"},
    {S::MainLoop,
     "master.main_loop",
     L::Master,
     6,
     "main_reactor->wait",
     "swServer_start_proxy: add(listen fd, SW_FD_LISTEN), then the main reactor waits",
     "EventLoop::loop",
     "Master::run",
     "accept handler on the listen fd, signals, the 1 s timer, then the main loop",
     M::One,
     R::AfterAll,
     kNoKind,
     kNoKind,
     {S::Listen, S::ReactorThreads},
     "inferred: once listen has passed and every reactor thread started (Master::run enters its "
     "loop right after)"},
    {S::ManagerStart,
     "manager.start",
     L::Manager,
     3,
     "swManager_start",
     "swManager_start: the child side of fork()",
     "Manager::run",
     "the manager child of Server::startProcessMode",
     "the manager child: signals through a signalfd, dies with the master (PR_SET_PDEATHSIG)",
     M::One,
     R::Event,
     K::ManagerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "manager_start"},
    {S::SpawnWorkers,
     "manager.spawn_workers",
     L::Manager,
     4,
     "swManager_spawn_worker",
     "swManager_start -> swManager_spawn_worker -> fork()",
     "Manager::spawnWorker",
     "Manager::run, again in Manager::reapChildren",
     "fork() of each worker; a reaped worker is forked again with the same id and pipe",
     M::PerWorker,
     R::SameAs,
     K::WorkerStart,
     kNoKind,
     {kNoStep, kNoStep},
     // Not worker_restart as well: it would count a re-fork twice, and it may even come after
     // the new worker's worker_start (the child can report before fork() returns in the manager).
     "inferred: each worker_start shows its fork, a restarted worker's too"},
    {S::ManagerWait,
     "manager.wait",
     L::Manager,
     6,
     "swManager_loop_sync",
     "swManager_loop_sync: wait() for exited workers, respawn them",
     "Manager::reapChildren",
     "the loop of Manager::run, on SIGCHLD",
     "the manager's loop: SIGCHLD -> waitpid(-1, WNOHANG) -> restart; SIGUSR1 -> reload "
     "(SIGUSR2: the task workers only)",
     M::One,
     R::AfterAll,
     kNoKind,
     kNoKind,
     {S::SpawnWorkers, S::SpawnTaskWorkers},
     "inferred: once every worker and task worker has started (the manager forks them all, "
     "then waits)"},
    {S::WorkerLoop,
     "worker.loop",
     L::Worker,
     4,
     "swWorker_loop",
     "swManager_spawn_worker -> swWorker_loop (the child never returns)",
     "Worker::run",
     "the worker child of Manager::spawnWorker",
     "the worker child builds its own loop (never the manager's), status idle, onWorkerStart",
     M::PerWorker,
     R::Event,
     K::WorkerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "worker_start, one per worker (again after a restart)"},
    {S::WorkerPipe,
     "worker.pipe",
     L::Worker,
     5,
     "add(pipe_worker, SW_FD_PIPE)",
     "swWorker_loop: main_reactor->add(pipe_worker, SW_FD_PIPE | SW_EVENT_READ)",
     "Channel::enableReading",
     "Worker::run",
     "the worker polls its end of its own pipe; messages from every reactor thread arrive there",
     M::PerWorker,
     R::SameAs,
     K::WorkerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "inferred: Worker::run registers pipe_worker just before it emits worker_start"},
    {S::ReactorInit,
     "reactor.init",
     L::Reactor,
     5,
     "swReactorThread_loop_stream",
     "swReactorThread_start -> swReactorThread_loop_stream: own reactor, setHandle per fd type",
     "ReactorThread::Loop::Loop",
     "the thread of ReactorThread::start",
     "each thread builds its own epoll loop and the handlers of its fd types",
     M::PerReactor,
     R::Event,
     K::ReactorStart,
     kNoKind,
     {kNoStep, kNoStep},
     "reactor_start, one per thread"},
    {S::ReactorRegister,
     "reactor.register",
     L::Reactor,
     6,
     "add(pipe_master, SW_FD_PIPE)",
     "swReactorThread_loop_stream: add(reactor, pipe_fd, SW_FD_PIPE) for workers i % reactor_num "
     "== id",
     "Channel::enableReading",
     "ReactorThread::Loop::Loop",
     "the thread polls the pipe_master of the workers w % reactor_num == its id",
     M::PerReactor,
     R::SameAs,
     K::ReactorStart,
     kNoKind,
     {kNoStep, kNoStep},
     "inferred: the constructor registers the pipes just before it emits reactor_start"},
    {S::SpawnTaskWorkers,
     "manager.spawn_task_workers",
     L::Manager,
     5,
     "swProcessPool_start",
     "1.8: swManager_start -> swProcessPool_start -> swProcessPool_spawn -> fork(), before the "
     "event workers; ours forks them after (the ids are the same: worker_num + i)",
     "Manager::spawnWorker",
     "Manager::run, again in Manager::reapChildren",
     "fork() of each task worker (--task-worker-num); none unless configured",
     M::PerTaskWorker,
     R::SameAs,
     K::WorkerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "inferred: each task worker's worker_start shows its fork"},
    {S::TaskWorkerLoop,
     "task_worker.loop",
     L::Worker,
     6,
     "swProcessPool_worker_loop",
     "swProcessPool_spawn -> swTaskWorker_onStart -> swProcessPool_worker_loop: a blocking "
     "read of its pipe, no event loop",
     "TaskWorker::run",
     "the child of Manager::spawnWorker",
     "the task worker: poll() on its pipe and a signalfd, one task at a time, onTask",
     M::PerTaskWorker,
     R::Event,
     K::WorkerStart,
     kNoKind,
     {kNoStep, kNoStep},
     "worker_start of a task worker (its fn: swTaskWorker_onStart)"},
};
static_assert(std::size(kSteps) == kStartupStepCount, "one row per StartupStepId");

constexpr StartupEdge kEdges[] = {
    {S::Create, S::Start, StartupEdgeKind::Call},
    {S::Start, S::Pipes, StartupEdgeKind::Call},
    {S::Pipes, S::ForkManager, StartupEdgeKind::Call},
    {S::ForkManager, S::Listen, StartupEdgeKind::Call},
    {S::Listen, S::ReactorThreads, StartupEdgeKind::Call},
    {S::ReactorThreads, S::MainLoop, StartupEdgeKind::Call},
    {S::ForkManager, S::ManagerStart, StartupEdgeKind::Fork},
    {S::ManagerStart, S::SpawnWorkers, StartupEdgeKind::Call},
    {S::SpawnWorkers, S::SpawnTaskWorkers, StartupEdgeKind::Call},
    {S::SpawnTaskWorkers, S::ManagerWait, StartupEdgeKind::Call},
    {S::SpawnTaskWorkers, S::TaskWorkerLoop, StartupEdgeKind::Fork},
    {S::SpawnWorkers, S::WorkerLoop, StartupEdgeKind::Fork},
    {S::WorkerLoop, S::WorkerPipe, StartupEdgeKind::Call},
    {S::ReactorThreads, S::ReactorInit, StartupEdgeKind::Thread},
    {S::ReactorInit, S::ReactorRegister, StartupEdgeKind::Call},
};

// The article's lists (master, thread, worker) in its order, with the function of ours that
// plays each part. The manager's entry is ours only: the 1.8 manager had no reactor.
constexpr StartupHandler kHandlers[] = {
    {L::Master, "SW_FD_LISTEN", "LISTEN", "swServer_master_onAccept", "onAccept",
     "Master::onAccept", S::MainLoop, kNoKind,
     "set on the listen fd by Master::run once the reactor threads run"},
    {L::Reactor, "SW_FD_CLOSE", "CLOSE", "swReactorThread_onClose", "onClose",
     "ReactorThread::Loop::peerClose", kNoStep, K::ReactorRegister,
     "ours: per connection, EOF or an error in onClientRead closes through peerClose"},
    {L::Reactor, "SW_FD_PIPE|SW_EVENT_READ", "PIPE|READ", "swReactorThread_onPipeReceive",
     "onPipeReceive", "ReactorThread::Loop::onMessage", S::ReactorRegister, kNoKind,
     "read callback of each polled pipe_master (PipeReader::readFrom)"},
    {L::Reactor, "SW_FD_PIPE|SW_EVENT_WRITE", "PIPE|WRITE", "swReactorThread_onPipeWrite",
     "onPipeWrite", "PipeWriter::flush", S::ReactorInit, kNoKind,
     "write callback of every pipe_master, armed only while a pipe is full"},
    {L::Reactor, "SW_FD_UDP", "UDP", "swReactorThread_onPackage", "onPackage", "", kNoStep, kNoKind,
     "our engine serves TCP only: never registered"},
    {L::Reactor, "SW_FD_TCP|SW_EVENT_WRITE", "TCP|WRITE", "swReactorThread_onWrite", "onWrite",
     "ReactorThread::Loop::onClientWrite", kNoStep, K::ReactorRegister,
     "ours: set per connection when the thread takes it (reactor_register)"},
    {L::Reactor, "SW_FD_TCP|SW_EVENT_READ", "TCP|READ", "swReactorThread_onRead", "onRead",
     "ReactorThread::Loop::onClientRead", kNoStep, K::ReactorRegister,
     "ours: set per connection when the thread takes it (reactor_register)"},
    {L::Manager, "SIGCHLD", "SIGCHLD", "swManager_loop_sync: wait()", "wait()",
     "Manager::onSignal -> reapChildren", S::ManagerStart, kNoKind,
     "not in the article's lists: the 1.8 manager blocks in wait(); ours reads a signalfd"},
    {L::Worker, "SW_FD_PIPE", "PIPE", "swWorker_onPipeReceive", "onPipeReceive",
     "Worker::onMessage", S::WorkerPipe, kNoKind,
     "read callback of its pipe_worker (PipeReader::readFrom)"},
    {L::Worker, "SW_FD_PIPE|SW_FD_WRITE", "PIPE|WRITE", "swReactor_onWrite", "onWrite",
     "PipeWriter::flush", S::WorkerLoop, kNoKind,
     "write callback of every pipe end, armed only while a pipe is full"},
};

}  // namespace

const char* startupLaneName(StartupLane lane)
{
    switch (lane)
    {
        case L::Reactor:
            return "reactor";
        case L::Master:
            return "master";
        case L::Manager:
            return "manager";
        case L::Worker:
            return "worker";
        case L::Count:
            break;
    }
    return "?";
}

const char* startupEdgeKindName(StartupEdgeKind kind)
{
    switch (kind)
    {
        case StartupEdgeKind::Call:
            return "call";
        case StartupEdgeKind::Fork:
            return "fork";
        case StartupEdgeKind::Thread:
            return "thread";
    }
    return "call";
}

std::span<const StartupStep> startupSteps()
{
    return kSteps;
}

std::span<const StartupEdge> startupEdges()
{
    return kEdges;
}

std::span<const StartupHandler> startupHandlers()
{
    return kHandlers;
}

const StartupStep& startupStep(StartupStepId id)
{
    return kSteps[static_cast<size_t>(id)];
}

size_t expectedCount(StartupStepId step, const Topology& topology)
{
    switch (startupStep(step).multiplicity)
    {
        case M::One:
            return 1;
        case M::PerWorker:
            // The master makes a pipe for each task worker too (model 10.1).
            if (step == S::Pipes)
                return static_cast<size_t>(std::max(0, topology.workerNum) +
                                           std::max(0, topology.taskWorkerNum));
            return static_cast<size_t>(std::max(0, topology.workerNum));
        case M::PerReactor:
            return static_cast<size_t>(std::max(0, topology.reactorNum));
        case M::PerTaskWorker:
            return static_cast<size_t>(std::max(0, topology.taskWorkerNum));
    }
    return 1;
}

}  // namespace rscope::viewer
