// BaseMaster: reserve the port, run the manager role in this process, announce when all
// workers listen.
#include "engine/server/base_master.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "engine/base/log.h"
#include "engine/reactor/socket_ops.h"
#include "engine/server/base_worker.h"
#include "engine/server/manager.h"
#include "engine/server/server.h"
#include "engine/server/shared_state.h"
#include "engine/trace/trace_collector.h"

namespace rscope::server
{

int BaseMaster::run()
{
    const ServerConfig& config = server_.config();
    // Workers talk to each other (forwarded sends and closes) over the same pipes as PROCESS.
    server_.shared().header().managerPid.store(::getpid());
    Manager manager(server_,
                    [](Server& s, int id)
                    {
                        BaseWorker worker(s, id);
                        return worker.run();
                    });
    manager.setStopOnInterrupt(true);
    uint16_t port = server_.port();
    std::unique_ptr<trace::TraceCollector> collector = server_.startTraceCollector();
    std::string traceAt = collector ? collector->listenAddress() : "";
    manager.setReadyCallback(
        [this, port, &config, &traceAt]
        {
            if (!config.pidFile.empty())
            {
                std::ofstream out(config.pidFile);
                out << ::getpid() << "\n";
            }
            std::printf(
                "rscope server listening on %s:%u (mode base, worker_num %d, SO_REUSEPORT, master "
                "pid %d, trace %s)\n",
                config.host.c_str(), port, config.workerNum, ::getpid(),
                traceAt.empty() ? "off" : traceAt.c_str());
            std::fflush(stdout);
            if (server_.on().onStart) server_.on().onStart(server_);
        });
    int code = manager.run();
    if (server_.on().onShutdown) server_.on().onShutdown(server_);
    if (!config.pidFile.empty()) ::unlink(config.pidFile.c_str());
    if (collector) collector->stop();
    return code;
}

}  // namespace rscope::server
