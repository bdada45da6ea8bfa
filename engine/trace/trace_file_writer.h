// TraceFileWriter: the thread (rs-trace-file) that writes `--trace-file`. The collector queues
// binary frames (FrameQueue); this thread turns them into the JSON lines of the trace socket,
// with the same serialiser, keeps the flows still open for trace_end, and writes the file with
// O_DIRECT (StreamFile).
// Why a thread of its own, in the idle scheduling class, that also waits while the CPUs are
// contended (CpuPressure above Options::backOffAbove): at full load the JSON costs as much CPU
// as the rest of the tracing together, and on a saturated machine it is taken from the server
// (even an idle-class thread, running in the gaps, costs the server through caches and disk
// interrupts). So the lines are written when the machine has time for them; meanwhile the
// frames wait in the queue (memory, then a spill file). On a machine with time to spare the
// file stays within ~50-150 ms of the server; at the stop it is completed before the master
// exits.
// Owner: TraceCollector. Thread-safety: open/start/finish from one thread (the collector's).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "engine/base/cpu_pressure.h"
#include "engine/base/stream_file.h"
#include "engine/format/event_tally.h"
#include "engine/format/trace_wire.h"
#include "engine/trace/frame_queue.h"

namespace rscope::trace
{

class TraceFileWriter
{
  public:
    struct Options
    {
        FrameQueue::Limits limits;
        std::string pressurePath = "/proc/pressure/cpu";
        // Waits while some thread waits for a CPU more than this share of the time (> 1: never).
        double backOffAbove = 0.4;
        // At the stop, what is still queued this long after finish() began is not written: the
        // trace_end counts it as unwritten (a busy machine must not hold the shutdown).
        int stopBudgetMs = 3000;
    };
    explicit TraceFileWriter(std::string path) : TraceFileWriter(std::move(path), Options{}) {}
    TraceFileWriter(std::string path, Options options);
    ~TraceFileWriter();
    TraceFileWriter(const TraceFileWriter&) = delete;
    TraceFileWriter& operator=(const TraceFileWriter&) = delete;

    // Creates the file; false with *error set.
    bool open(std::string* error);
    // Where the collector puts frames and text (the header line first).
    FrameQueue& queue() { return queue_; }
    void start();
    // The collector queued n more event frames (collector thread; read after the stop).
    void countQueued(uint64_t n = 1) { queued_ += n; }
    // Closes the queue, waits until every queued event is in the file (or the stop budget is
    // spent, or the disk is nearly full) and it ends with its trace_end line, which counts the
    // events queued but not written. Returns the events written.
    uint64_t finish();
    // Events queued (countQueued) but not in the file; valid after finish().
    uint64_t unwritten() const { return queued_ > tally_.events() ? queued_ - tally_.events() : 0; }

  private:
    void run();
    bool contended();
    void writeFrames(std::string_view frames);
    void flush(bool tail);
    void writeEnd();
    void failed();

    const std::string path_;
    const Options options_;
    FrameQueue queue_;
    base::CpuPressure pressure_;
    base::StreamFile file_;
    WireDecoder decoder_;
    EventTally tally_;  // for the trace_end line
    std::thread thread_;
    uint64_t queued_ = 0;  // event frames queued: collector thread until the stop
    std::atomic<int64_t> stopDeadlineNs_{INT64_MAX};  // set by finish()
    std::atomic<pid_t> tid_{0};                       // the writer thread, once it runs
    bool full_ = false;          // the disk is nearly full: frames are only taken
    bool failed_ = false;        // the file could not be written: frames are only taken
    int64_t tailFlushedNs_ = 0;  // when the partial block was last written
    int64_t pressureSampledNs_ = 0;
    bool backingOff_ = false;  // the last pressure sample was above options_.backOffAbove
    uint64_t backOffs_ = 0;    // times the writer started waiting for the CPUs
};

}  // namespace rscope::trace
