// A generator of request-heavy traces for the statistics tests: thousands of interleaved requests
// written as a .jsonl file, so the tests can read it both with the viewer and independently.
#pragma once

#include <cstdint>
#include <string>

namespace rscope::viewer::test
{

// Writes a trace of `requests` interleaved requests over `sessions` connections (2 reactors,
// `workers` workers, raw protocol, flows and msg_ids as the server writes them). Several requests
// are in flight at once so pipes queue several messages; a tenth get no reply, one in twenty
// closes from inside onReceive (onClose nested). Timestamps never go back; a few gaps of 20 ms
// make the statistics' time grid widen.
void writeInterleavedTrace(const std::string& path, int requests, int sessions, int workers,
                           uint32_t seed);

}  // namespace rscope::viewer::test
