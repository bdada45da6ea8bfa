// Names of the viewer's roles, both ways, and the labels of the trace vocabulary's values: the
// JSON spellings are those of traces/FORMAT.md, section 4.
#include "viewer/model/trace_event.h"

#include <string_view>

namespace rscope::viewer
{

const char* roleName(Role role)
{
    switch (role)
    {
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
        case Role::Unknown:
            break;
    }
    return "unknown";
}

Role roleByName(std::string_view name)
{
    if (name == "reactor") return Role::Reactor;
    if (name == "worker") return Role::Worker;
    if (name == "master") return Role::Master;
    if (name == "manager") return Role::Manager;
    if (name == "task_worker") return Role::TaskWorker;
    return Role::Unknown;
}

const char* pipeTypeLabel(PipeType type)
{
    return type == kNoPipeType ? "" : trace::pipeTypeName(type);
}

const char* eventFn(const Event& e)
{
    // kNoDirection: none
    return trace::historicFn(e.kind, static_cast<uint8_t>(e.direction), e.byTaskWorker);
}

const char* callbackLabel(CallbackId cb)
{
    return cb == CallbackId::None ? "" : trace::callbackName(static_cast<uint8_t>(cb));
}

}  // namespace rscope::viewer
