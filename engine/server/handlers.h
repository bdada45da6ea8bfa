// The demo user programs of `rscope server --handler`: the seed article's server, echo, and a
// deliberately slow echo for dispatch lessons.
#pragma once

#include <string>
#include <string_view>

namespace rscope::server
{

class Server;

// Installs the callbacks for spec ("article", "echo", "sleep:MS"); returns an error sentence
// when the spec is unknown, "" on success.
std::string installHandler(Server& server, const std::string& spec);

}  // namespace rscope::server
