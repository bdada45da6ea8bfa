// Names of pipe message types, for logs.
#include "engine/ipc/pipe_message.h"

namespace rscope::ipc
{

const char* pipeTypeName(PipeType type)
{
    switch (type)
    {
        case PipeType::RecvData:
            return "RECV_DATA";
        case PipeType::SendData:
            return "SEND_DATA";
        case PipeType::Close:
            return "CLOSE";
        case PipeType::Connect:
            return "CONNECT";
        case PipeType::CloseForce:
            return "CLOSE_FORCE";
        case PipeType::CloseForward:
            return "CLOSE_FORWARD";
        case PipeType::PipeMessage:
            return "PIPE_MESSAGE";
        case PipeType::Incoming:
            return "INCOMING";
        case PipeType::Shutdown:
            return "SHUTDOWN";
    }
    return "UNKNOWN";
}

}  // namespace rscope::ipc
