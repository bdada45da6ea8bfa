// Names of the dispatch modes, for logs and the startup line.
#include "engine/dispatch/dispatch_policy.h"

namespace rscope::dispatch
{

const char* dispatchModeName(int mode)
{
    switch (mode)
    {
        case kRoundRobin:
            return "round-robin";
        case kFdMod:
            return "fd-mod";
        case kIdleWorker:
            return "idle-worker";
        case kIpMod:
            return "ip-mod";
        case kUidMod:
            return "uid-mod";
    }
    return "unknown";
}

}  // namespace rscope::dispatch
