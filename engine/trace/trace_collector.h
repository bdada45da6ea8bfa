// TraceCollector: the one thread in the master that drains every ring, merges the records in
// timestamp order, numbers them and fans them out: JSON Lines or binary frames to the
// trace-socket clients, frames to the trace-file writer (trace_file_writer.h), which makes the
// file's lines on a thread of its own. A slow client never stalls anything: past a bound its
// events are dropped, counted, and a trace_dropped line follows once it catches up.
// Owner: the master process (Master / BaseMaster). Thread-safety: start/stop from the master
// main thread; everything else on the collector thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "engine/trace/trace_header.h"

namespace rscope::trace
{

class StepGate;
class TraceBuffers;

struct TraceOptions
{
    std::string listen = "127.0.0.1:9600";  // "host:port", "unix:PATH" or "off"
    std::string file;                       // JSON Lines file ("" = none)
    bool payloadPreview = true;             // --trace-payload preview|none
    StepGate* stepGate = nullptr;           // --trace-step: clients may hold and step it
    bool allowRemote = false;               // --trace-allow-remote: step commands from any peer
    int fileStopBudgetMs = 3000;            // at the stop, the trace file's writer gets this long
    bool enabled() const { return listen != "off" || !file.empty(); }
};

class TraceCollector
{
  public:
    // topology describes the server for every header line (on the collector thread).
    TraceCollector(TopologySource topology, TraceBuffers& buffers, TraceOptions options);
    ~TraceCollector();
    TraceCollector(const TraceCollector&) = delete;
    TraceCollector& operator=(const TraceCollector&) = delete;

    // Opens the socket and file and starts the thread. Failures to listen are logged and the
    // server runs without a trace socket.
    void start();
    // Drains what is left, ends the file with a trace_end line, closes clients, joins.
    void stop();
    // "127.0.0.1:9600" as bound (port 0 resolved), "unix:PATH", or "" without a socket.
    std::string listenAddress() const { return boundAddress_; }

  private:
    class Impl;  // the thread's state (trace_collector.cpp)
    std::unique_ptr<Impl> impl_;
    std::thread thread_;
    std::string boundAddress_;
};

}  // namespace rscope::trace
