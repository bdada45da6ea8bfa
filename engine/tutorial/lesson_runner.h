// Running a lesson for real: LessonServer is the lesson's `rscope server` child on loopback
// ephemeral ports (trace socket included); ActionRunner performs step actions (client traffic as
// `rscope client` children, signals to workers by their current pid). Used by the viewer's
// tutorial panel and by `rscope tutorial check|record`.
// Owner: the caller; every process started here is stopped by stop() / the destructors (no
// orphans). Thread-safety: none (one GUI or CLI thread).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/tutorial/lesson.h"

namespace rscope::tutorial
{

// The rscope binary: next to the running executable (build/bin/), else "rscope" on PATH.
std::string findRscopeBinary();

class LessonServer
{
  public:
    explicit LessonServer(std::string rscopeBinary);
    ~LessonServer();  // stop()
    LessonServer(const LessonServer&) = delete;
    LessonServer& operator=(const LessonServer&) = delete;

    // `rscope server <flags> --host 127.0.0.1 --port 0 --trace-listen 127.0.0.1:0`; waits (at
    // most 10 s) until it reports its ports. False with `error` when it does not come up.
    bool start(const std::vector<std::pair<std::string, std::string>>& flags, std::string& error);
    // Uses a server this process did not start (the demo's, or `rscope-viewer --connect` with a
    // lesson): its client port, trace address and master pid (from the trace header). Actions
    // that send traffic or signal workers work; start, stop and restart are refused, and stop()
    // leaves it running.
    void attach(int port, std::string traceAddress, pid_t masterPid);
    bool attached() const { return attached_; }
    // SIGTERM, wait at most 10 s, then SIGKILL the process group. Idempotent. Attached: forgets
    // the server, which keeps running.
    void stop();
    bool running() const;
    int port() const { return port_; }
    const std::string& traceAddress() const { return traceAddress_; }  // "127.0.0.1:PORT"
    pid_t masterPid() const { return pid_; }
    // What the server printed (for error messages).
    std::string log() const;
    // The flags of the last start() (lesson settings plus restart_server changes).
    const std::vector<std::pair<std::string, std::string>>& flags() const { return flags_; }
    // The argv start() runs, for messages and tests.
    std::vector<std::string> commandLine(
        const std::vector<std::pair<std::string, std::string>>& flags) const;

  private:
    std::string binary_;
    std::string logPath_;
    mutable pid_t pid_ = -1;  // -1 once reaped; running() reaps, hence mutable
    std::vector<std::pair<std::string, std::string>> flags_;
    int port_ = 0;
    std::string traceAddress_;
    bool attached_ = false;
};

class ActionRunner
{
  public:
    ActionRunner(LessonServer& server, std::string rscopeBinary);
    ~ActionRunner();  // stops every helper process still running
    ActionRunner(const ActionRunner&) = delete;
    ActionRunner& operator=(const ActionRunner&) = delete;

    // `workerPid(n)`: worker n's current pid as the trace shows it (0 when unknown).
    // Client traffic runs in the background; the call returns once it has started.
    bool run(const Action& action, const Lesson& lesson,
             const std::function<pid_t(int worker)>& workerPid, std::string& error);
    // Reaps helpers that finished; true while any is still running.
    bool busy();
    // Waits at most timeoutMs for every helper to finish; true when none is left.
    bool waitIdle(int timeoutMs);
    // Stops every helper (SIGKILL) and resumes paused workers. The destructor calls it.
    void stopAll();
    // How long a request's client waits for the server's reply (the article client's
    // --timeout-ms, the socket helpers' reads); 0 = their defaults (3 s, 5 s). A viewer that
    // holds the server's step gate while the learner reads sets it long: the reply comes steps
    // later.
    void setClientTimeoutMs(int ms) { clientTimeoutMs_ = ms; }

  private:
    bool spawnClient(const std::vector<std::string>& args, std::string& error);
    bool forkSocketHelper(const Action& action, std::string& error);

    LessonServer& server_;
    std::string binary_;
    // Helper processes (rscope client, forked socket helpers): clients, held connections and
    // slow trace readers each run in their own process, so the caller's thread never blocks.
    std::vector<pid_t> helpers_;
    std::vector<pid_t> pausedWorkers_;  // SIGCONT'ed by stopAll so a stop never hangs on them
    int clientTimeoutMs_ = 0;
};

}  // namespace rscope::tutorial
