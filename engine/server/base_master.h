// BaseMaster: the master of SWOOLE_BASE mode (model section 5): no reactor threads; the master
// process acts as the manager of workers that each accept on their own SO_REUSEPORT socket.
// Owner: the master process. Thread-safety: its only thread.
#pragma once

namespace rscope::server
{

class Server;

class BaseMaster
{
  public:
    explicit BaseMaster(Server& server) : server_(server) {}
    int run();

  private:
    Server& server_;
};

}  // namespace rscope::server
