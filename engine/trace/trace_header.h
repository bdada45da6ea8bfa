// The first line of every trace stream: format, version, settings and the live topology
// (processes, threads, pipes, listeners, current connections), read from the shared tables.
#pragma once

#include <string>

namespace rscope::server
{
class Server;
}

namespace rscope::trace
{

class TraceBuffers;
struct TraceOptions;

// replayEvents / liveFromSeq: what a late joiner gets before live events (0 and 1 for a file).
std::string buildHeaderLine(server::Server& server, TraceBuffers& buffers,
                            const TraceOptions& options, uint64_t replayEvents = 0,
                            uint64_t liveFromSeq = 1);

}  // namespace rscope::trace
