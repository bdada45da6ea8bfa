// Names of the viewer's small enums (role, pipe message type, callback), both ways: the JSON
// spellings are those of traces/FORMAT.md, section 4.
#include "viewer/model/trace_event.h"

#include <string_view>

namespace rscope::viewer
{

namespace
{
struct PipeTypeSpelling
{
    std::string_view name;
    PipeType type;
};

// Every ipc::PipeType spelling the server writes, folded into the few the picture tells apart:
// the forced and forwarded closes still travel as a close.
constexpr PipeTypeSpelling kPipeTypes[] = {
    {"RECV_DATA", PipeType::RecvData},  {"SEND_DATA", PipeType::SendData},
    {"CLOSE", PipeType::Close},         {"CONNECT", PipeType::Connect},
    {"INCOMING", PipeType::Incoming},   {"CLOSE_FORCE", PipeType::Close},
    {"CLOSE_FORWARD", PipeType::Close}, {"CONFIRM", PipeType::Confirm},
    {"PIPE_MESSAGE", PipeType::Other},  {"SHUTDOWN", PipeType::Other},
};
}  // namespace

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
    return Role::Unknown;
}

PipeType pipeTypeByName(std::string_view name)
{
    if (name.empty()) return PipeType::None;
    for (const PipeTypeSpelling& s : kPipeTypes)
        if (s.name == name) return s.type;
    return PipeType::Other;
}

const char* pipeTypeName(PipeType type)
{
    switch (type)
    {
        case PipeType::None:
            return "";
        case PipeType::Incoming:
            return "INCOMING";
        case PipeType::Connect:
            return "CONNECT";
        case PipeType::RecvData:
            return "RECV_DATA";
        case PipeType::SendData:
            return "SEND_DATA";
        case PipeType::Close:
            return "CLOSE";
        case PipeType::Confirm:
            return "CONFIRM";
        case PipeType::Other:
            break;
    }
    return "OTHER";
}

const char* eventFn(const Event& e)
{
    // trace::Direction starts at ToWorker; the viewer's enum has None first (0xff: none).
    return trace::historicFn(e.kind, static_cast<uint8_t>(static_cast<uint8_t>(e.direction) - 1));
}

const char* callbackLabel(CallbackName cb)
{
    switch (cb)
    {
        case CallbackName::None:
            return "";
        case CallbackName::OnConnect:
            return "onConnect";
        case CallbackName::OnReceive:
            return "onReceive";
        case CallbackName::OnClose:
            return "onClose";
        case CallbackName::OnWorkerStart:
            return "onWorkerStart";
        case CallbackName::OnWorkerStop:
            return "onWorkerStop";
        case CallbackName::OnStart:
            return "onStart";
        case CallbackName::OnShutdown:
            return "onShutdown";
        case CallbackName::Other:
            break;
    }
    return "callback";
}

}  // namespace rscope::viewer
