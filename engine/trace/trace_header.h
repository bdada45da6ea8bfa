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

std::string buildHeaderLine(server::Server& server, TraceBuffers& buffers,
                            const TraceOptions& options);

}  // namespace rscope::trace
