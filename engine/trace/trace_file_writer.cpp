// TraceFileWriter: frames from the queue, JSON lines to the file (see trace_file_writer.h).
#include "engine/trace/trace_file_writer.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/log.h"
#include "engine/base/process_globals.h"
#include "engine/format/trace_json.h"

namespace rscope::trace
{

namespace
{
constexpr int kTailFlushMs = 100;  // a reader following the file is this far behind at most
constexpr int64_t kTailFlushNs = int64_t{kTailFlushMs} * 1'000'000;
constexpr int64_t kPressureSampleNs = 100'000'000;
constexpr int kBackOffMs = 50;
constexpr uint64_t kLogBacklogBytes = 64 << 20;  // a stop that waits this long gets a word

std::string directoryOf(const std::string& path)
{
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    return dir.empty() ? std::string(".") : dir.string();
}
}  // namespace

TraceFileWriter::TraceFileWriter(std::string path, Options options)
    : path_(std::move(path)),
      options_(std::move(options)),
      queue_(directoryOf(path_), options_.limits),
      pressure_(options_.pressurePath)
{
}

TraceFileWriter::~TraceFileWriter()
{
    finish();
}

bool TraceFileWriter::open(std::string* error)
{
    if (file_.open(path_)) return true;
    *error = file_.error();
    return false;
}

void TraceFileWriter::start()
{
    thread_ = std::thread([this] { run(); });
}

uint64_t TraceFileWriter::finish()
{
    if (!thread_.joinable()) return tally_.events();
    uint64_t backlog = queue_.queuedBytes();
    int64_t startNs = base::monotonicNs();
    stopDeadlineNs_.store(startNs + int64_t{options_.stopBudgetMs} * 1'000'000);
    // The stop waits for the writer now: it takes its turn like any other thread. Raised from
    // here, not by the writer itself, which on a saturated machine may not run for seconds.
    sched_param normal{};
    if (pid_t tid = tid_.load(); tid > 0) ::sched_setscheduler(tid, SCHED_OTHER, &normal);
    queue_.close();
    thread_.join();
    if (unwritten() > 0)
        RS_WARN("trace file {}: {} events were not written ({}); its trace_end says so", path_,
                unwritten(),
                full_ ? std::string("the disk is nearly full")
                : failed_
                    ? std::string("the file could not be written")
                    : fmt::format("the stop's budget of {} ms was spent", options_.stopBudgetMs));
    if (backlog >= kLogBacklogBytes)
        RS_INFO("trace file: wrote the last {} MB of queued events in {:.2f} s", backlog >> 20,
                static_cast<double>(base::monotonicNs() - startNs) / 1e9);
    if (backOffs_ > 0)
        RS_INFO("trace file: the writer waited {} times for the CPUs to be less busy", backOffs_);
    if (queue_.spilledBytes() > 0)
        RS_INFO("trace file: {} MB of events waited in a spill file while the machine was busy",
                queue_.spilledBytes() >> 20);
    return tally_.events();
}

void TraceFileWriter::run()
{
    base::setThreadRole(base::Role::Master, -1);
    base::nameThread("rs-trace-file");
    // SCHED_IDLE: any other thread that wakes up takes the CPU from this one at once (a nice 19
    // thread may keep it for the rest of its slice, delaying a reactor thread's wakeup).
    sched_param param{};
    if (::sched_setscheduler(0, SCHED_IDLE, &param) != 0)
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
    tid_.store(static_cast<pid_t>(::gettid()));
    for (;;)
    {
        // Past the stop's budget, or with the disk nearly full, frames are only taken (not
        // even read back from the spill file) and counted as unwritten; text still goes out.
        bool skipping = full_ || failed_ || base::monotonicNs() > stopDeadlineNs_.load();
        if (!skipping && contended())
        {
            queue_.waitClosed(kBackOffMs);  // the frames wait; at the stop, all is written
            continue;
        }
        FrameQueue::Item item;
        FrameQueue::Pop got = queue_.pop(kTailFlushMs, &item, !skipping);
        if (got == FrameQueue::Pop::Closed) break;
        if (got == FrameQueue::Pop::Timeout)
        {
            flush(true);  // idle: the last lines become visible
            continue;
        }
        if (!failed_ && !item.text.empty() && !file_.append(item.text.data(), item.text.size()))
            failed();
        if (skipping) continue;
        if (!item.frames.empty())
            writeFrames(item.frames);
        else if (!queue_.readError().empty())
        {
            RS_ERROR("trace file: reading back spilled events: {}; they are missing from {}",
                     queue_.readError(), path_);
        }
        // Whole blocks after each chunk; the partial block too once the writer has caught up
        // (a reader following the file sees everything handed over), else every 100 ms.
        flush(queue_.queuedBytes() == 0 || base::monotonicNs() - tailFlushedNs_ >= kTailFlushNs);
    }
    writeEnd();
}

// Sampled every 100 ms; never once the queue is closed (asked once per chunk: one lock).
bool TraceFileWriter::contended()
{
    if (queue_.waitClosed(0) || queue_.producerWaiting()) return backingOff_ = false;
    int64_t now = base::monotonicNs();
    if (now - pressureSampledNs_ < kPressureSampleNs) return backingOff_;
    pressureSampledNs_ = now;
    bool was = backingOff_;
    backingOff_ = pressure_.sample(now) > options_.backOffAbove;
    backOffs_ += backingOff_ && !was ? 1 : 0;
    return backingOff_;
}

void TraceFileWriter::writeFrames(std::string_view frames)
{
    if (failed_ || full_) return;
    bool ok =
        decoder_.feed(frames,
                      [this](const WireDecoder::Event& e)
                      {
                          if (full_) return;  // counted as unwritten at the end
                          if (file_.spaceLow())
                          {
                              full_ = true;
                              RS_ERROR(
                                  "trace file {}: the disk is nearly full; no more events "
                                  "go to it, its trace_end counts them",
                                  path_);
                              return;
                          }
                          char* line = file_.reserve(kMaxEventLineBytes);
                          file_.advance(static_cast<size_t>(
                              writeEventLine(line, e.seq, *e.record, *e.actor, e.preview) - line));
                          tally_.count(*e.record);
                          if (!file_.writeIfFull()) failed();
                      });
    if (!ok)
    {
        RS_ERROR(
            "trace file: the collector's frames cannot be decoded ({}); no more events go "
            "to {}",
            decoder_.error(), path_);
        failed_ = true;
    }
}

void TraceFileWriter::flush(bool tail)
{
    if (failed_) return;
    if (tail) tailFlushedNs_ = base::monotonicNs();
    if (!file_.flush(tail)) failed();
}

void TraceFileWriter::writeEnd()
{
    if (failed_) return;
    // Flows still open when the server stopped are listed as cut, not left dangling.
    std::string end = traceEndLine(tally_, 0, unwritten());
    if (!file_.append(end.data(), end.size()) || !file_.close()) failed();
}

void TraceFileWriter::failed()
{
    if (failed_) return;
    failed_ = true;
    RS_ERROR("trace file: {}; no more events go to it", file_.error());
}

}  // namespace rscope::trace
