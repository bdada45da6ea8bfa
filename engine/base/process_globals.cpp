// The thread-local role of each thread, as documented in process_globals.h.
#include "engine/base/process_globals.h"

#include <sys/prctl.h>

#include <fmt/format.h>

namespace rscope::base
{

namespace
{
// Set by each thread for itself (main thread after fork, reactor threads at start).
thread_local Role tRole = Role::Cli;
thread_local int tRoleIndex = -1;
}  // namespace

const char* roleName(Role role)
{
    switch (role)
    {
        case Role::Cli:
            return "rscope";
        case Role::Master:
            return "master";
        case Role::Reactor:
            return "reactor";
        case Role::Manager:
            return "manager";
        case Role::Worker:
            return "worker";
        case Role::TaskWorker:
            return "task_worker";
    }
    return "?";
}

void setThreadRole(Role role, int index)
{
    tRole = role;
    tRoleIndex = index;
    if (role == Role::Cli) return;
    // "rs-worker-2" in ps -L, top -H and perf: a learner can tell the processes and threads of
    // the model apart without the trace.
    // The kernel keeps 15 bytes: "rs-task_worker-12" would lose its index.
    const char* shortName = role == Role::TaskWorker ? "task" : roleName(role);
    std::string name =
        index < 0 ? fmt::format("rs-{}", shortName) : fmt::format("rs-{}-{}", shortName, index);
    nameThread(name.c_str());
}

void nameThread(const char* name)
{
#ifdef __linux__  // the web build (Emscripten) has no kernel threads to name
    ::prctl(PR_SET_NAME, name, 0, 0, 0);  // the kernel keeps 15 bytes
#else
    (void)name;
#endif
}

Role threadRole()
{
    return tRole;
}
int threadRoleIndex()
{
    return tRoleIndex;
}

std::string roleLabel()
{
    if (tRoleIndex < 0) return roleName(tRole);
    return fmt::format("{}[{}]", roleName(tRole), tRoleIndex);
}

}  // namespace rscope::base
