// The thread-local role of each thread, as documented in process_globals.h.
#include "engine/base/process_globals.h"

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
    }
    return "?";
}

void setThreadRole(Role role, int index)
{
    tRole = role;
    tRoleIndex = index;
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
