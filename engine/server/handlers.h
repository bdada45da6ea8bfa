// The demo user programs of `rscope server --handler`: the seed article's server, echo, a
// deliberately slow echo for dispatch lessons, an echo through a task worker and one through
// another worker's onPipeMessage.
#pragma once

#include <string>
#include <string_view>

namespace rscope::server
{

class Server;

// Installs the callbacks for spec ("article", "echo", "sleep:MS", "task:MS", "message");
// returns an error sentence when the spec is unknown, "" on success. Call after the settings
// are final (task:MS checks task_worker_num).
std::string installHandler(Server& server, const std::string& spec);

}  // namespace rscope::server
