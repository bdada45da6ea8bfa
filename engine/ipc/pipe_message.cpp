// The pipe header holds no code: its message types and their names are the trace vocabulary's
// (trace::PipeType, trace::pipeTypeName in format/trace_event.h). This file only checks that the
// header compiles on its own.
#include "engine/ipc/pipe_message.h"
