// Child processes of a lesson: exec'd programs (the server, `rscope client`) and forked helpers
// that do raw socket work. Each gets its own process group and dies with its parent
// (PR_SET_PDEATHSIG), so a crashed caller leaves no orphans. Internal to engine/tutorial.
// Owner: the caller, who must reap every pid returned. Thread-safety: callable from one thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace rscope::tutorial
{

// fork + exec argv[0] in a new process group; stdout and stderr go to logPath (appended), or to
// /dev/null when it is empty. The child gets deathSignal when the calling thread exits.
// Returns the pid, or -1 with `error` set.
pid_t spawnProcess(const std::vector<std::string>& argv, const std::string& logPath,
                   int deathSignal, std::string& error);

// fork; the child runs `body` and _exits with its result. Because the parent may have threads,
// `body` must use only async-signal-safe calls (socket, connect, send, recv, poll, close,
// nanosleep): every buffer it needs is made before the call.
pid_t forkHelper(const std::function<int()>& body, std::string& error);

// Waits at most timeoutMs for pid to exit and reaps it. True when reaped (status in *status).
bool waitForExit(pid_t pid, int timeoutMs, int* status = nullptr);

// SIGKILL to pid's process group (and pid), then reaps pid. For cleanup paths.
void killAndReap(pid_t pid);

// True while pid runs (not reaped, not a zombie we could reap now). Reaps it when it ended.
bool stillRunning(pid_t pid, int* status = nullptr);

}  // namespace rscope::tutorial
