// Process-wide identity: which role this process (or thread) plays in the server.
// Set once after fork (role, index) and per thread (thread role); read by the logger.
#pragma once

#include <string>

namespace rscope::base
{

enum class Role
{
    Cli,         // a plain command-line process (client, tools)
    Master,      // master main thread (main reactor)
    Reactor,     // a reactor thread inside the master
    Manager,     // the manager process
    Worker,      // an event worker process
    TaskWorker,  // a task worker process (index: its worker id, worker_num + i)
};

const char* roleName(Role role);

// The role of the calling thread. Written by the thread itself (after fork or at thread start);
// each thread has its own copy, so no synchronisation is needed.
// Also names the thread "rs-ROLE[-INDEX]" (/proc/.../comm) unless the role is Cli.
void setThreadRole(Role role, int index);
// Renames the calling thread (15 bytes at most are kept).
void nameThread(const char* name);
Role threadRole();
int threadRoleIndex();

// "master", "reactor[1]", "worker[2]": the prefix every log line carries.
std::string roleLabel();

}  // namespace rscope::base
