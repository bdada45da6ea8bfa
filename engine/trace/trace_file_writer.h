// TraceFileWriter: the thread (rs-trace-file) that writes `--trace-file`. The collector queues
// binary frames (FrameQueue); this thread turns them into the JSON lines of the trace socket,
// with the same serialiser, keeps the flows still open for trace_end, and writes the file with
// O_DIRECT (StreamFile).
// Why a thread of its own, at nice 19: at full load the JSON costs as much CPU as the rest of
// the tracing together, and on a saturated machine it is taken from the server. At nice 19 the
// lines are written when the machine has time for them; meanwhile the frames wait in the queue
// (memory, then a spill file). On a machine with time to spare the file stays a few ms behind
// the server; at the stop it is completed before the master exits.
// Owner: TraceCollector. Thread-safety: open/start/finish from one thread (the collector's).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "engine/base/stream_file.h"
#include "engine/trace/frame_queue.h"
#include "engine/trace/open_flows.h"
#include "engine/trace/trace_wire.h"

namespace rscope::trace
{

class TraceFileWriter
{
  public:
    explicit TraceFileWriter(std::string path, FrameQueue::Limits limits = {});
    ~TraceFileWriter();
    TraceFileWriter(const TraceFileWriter&) = delete;
    TraceFileWriter& operator=(const TraceFileWriter&) = delete;

    // Creates the file; false with *error set.
    bool open(std::string* error);
    // Where the collector puts frames and text (the header line first).
    FrameQueue& queue() { return queue_; }
    void start();
    // Closes the queue, waits until every queued event is in the file and it ends with its
    // trace_end line. Returns the events written.
    uint64_t finish();

  private:
    void run();
    void writeFrames(std::string_view frames);
    void flush(bool tail);
    void writeEnd();
    void failed();

    const std::string path_;
    FrameQueue queue_;
    base::StreamFile file_;
    WireDecoder decoder_;
    OpenFlows openFlows_;
    std::thread thread_;
    bool failed_ = false;        // the file could not be written: frames are only taken
    uint64_t events_ = 0;        // event lines written
    uint64_t dropped_ = 0;       // the counts of the trace_dropped events among them
    int64_t tailFlushedNs_ = 0;  // when the partial block was last written
};

}  // namespace rscope::trace
