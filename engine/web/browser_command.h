// What a browser may send over /live: the step-mode commands of traces/FORMAT.md section 10
// (`hold`, `step`, `step N`, `run`) and nothing else; `binary` would switch the stream to
// frames the browser cannot read. Plain functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rscope::web
{

// The line to forward to the trace socket ("step 3\n") for a browser message, or nullopt when it
// is not a step command. One trailing "\n" or "\r\n" is allowed; N is 1 to 1000000000.
std::optional<std::string> stepCommandLine(std::string_view message);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z, as civetweb prints a peer's address.
bool isLoopbackAddress(const std::string& address);

}  // namespace rscope::web
