// The trace socket's address, as `rscope record`, `rscope trace step` and the viewer take it:
// "host:port" (TCP) or "unix:PATH" ("unix:@name": Linux abstract namespace). Plain functions;
// any thread.
#pragma once

#include <string>

namespace rscope::tracefile
{

inline constexpr const char* kDefaultTraceAddress = "127.0.0.1:9600";

// A connected, non-blocking stream socket to address, waiting up to timeoutMs; -1 with *error
// set on failure.
int connectTraceSocket(const std::string& address, int timeoutMs, std::string* error);

}  // namespace rscope::tracefile
