// Names of pipe message types, for logs: the trace vocabulary's (format/trace_event.h), so a log
// line and a trace event spell a type the same way.
#include "engine/ipc/pipe_message.h"

#include "engine/format/trace_event.h"

namespace rscope::ipc
{

const char* pipeTypeName(PipeType type)
{
    return trace::pipeTypeName(static_cast<uint8_t>(type));
}

}  // namespace rscope::ipc
