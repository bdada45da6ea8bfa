// Google Benchmark of the trace hot path: building and emitting one 128-byte record into the
// calling thread's ring, with a collector-like thread draining it, and the full-ring drop path.
// Run: build/bin/trace_emit_bench  (target: at most 50 ns per event)
#include <atomic>
#include <chrono>
#include <thread>

#include <benchmark/benchmark.h>

#include "engine/format/trace_json.h"
#include "engine/trace/trace_buffers.h"
#include "engine/trace/trace_emitter.h"

namespace
{

using namespace rscope::trace;

// Drains ring 0 like the collector does (copying each record out, every 100 us: ten times
// more often than the real collector) until stopped.
class Drainer
{
  public:
    explicit Drainer(Ring& ring) : ring_(ring), thread_([this] { run(); }) {}
    ~Drainer()
    {
        stop_ = true;
        thread_.join();
    }

  private:
    void run()
    {
        TraceRecord sink;
        while (!stop_.load(std::memory_order_relaxed))
        {
            uint64_t tail = ring_.header.tail.load(std::memory_order_relaxed);
            uint64_t head = ring_.header.head.load(std::memory_order_acquire);
            for (; tail < head; ++tail) sink = ring_.slots[tail & (kRingSlots - 1)];
            benchmark::DoNotOptimize(sink);
            ring_.header.tail.store(tail, std::memory_order_release);
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
    }

    Ring& ring_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

void BM_EmitWithDrain(benchmark::State& state)
{
    TraceBuffers buffers(1, 1);
    gBuffers = &buffers;
    attachThread(ActorRole::Master, -1);
    Drainer drainer(buffers.ring(0));
    int64_t session = 0;
    for (auto _ : state)
    {
        auto r = makeRecord(EventKind::Read);
        r.session = ++session;
        r.fd = 12;
        r.reactor = 1;
        r.a0 = 64;
        setPreview(r, "hello world\n", 12);
        emit(r);
    }
    state.counters["dropped"] = static_cast<double>(buffers.ring(0).header.dropped.load());
    tRing = nullptr;
    gBuffers = nullptr;
}
BENCHMARK(BM_EmitWithDrain);

// The figure to compare with the 50 ns target: bursts of 4096 events (timed), then the ring is
// drained outside the timed region, so no event is dropped. The ring (2 MiB) is larger than
// the caches, so every burst writes cold lines as the real producers do.
void BM_EmitBurst(benchmark::State& state)
{
    constexpr int kBurst = 4096;
    TraceBuffers buffers(1, 1);
    gBuffers = &buffers;
    attachThread(ActorRole::Master, -1);
    Ring& ring = buffers.ring(0);
    int64_t session = 0;
    TraceRecord sink;
    for (auto _ : state)
    {
        for (int i = 0; i < kBurst; ++i)
        {
            auto r = makeRecord(EventKind::Read);
            r.session = ++session;
            r.fd = 12;
            r.reactor = 1;
            r.a0 = 64;
            setPreview(r, "hello world\n", 12);
            emit(r);
        }
        state.PauseTiming();
        uint64_t tail = ring.header.tail.load();
        uint64_t head = ring.header.head.load();
        for (; tail < head; ++tail) sink = ring.slots[tail & (kRingSlots - 1)];
        benchmark::DoNotOptimize(sink);
        ring.header.tail.store(tail);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kBurst);
    state.counters["ns_per_event"] =
        benchmark::Counter(static_cast<double>(state.iterations() * kBurst),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["dropped"] = static_cast<double>(ring.header.dropped.load());
    tRing = nullptr;
    gBuffers = nullptr;
}
BENCHMARK(BM_EmitBurst);

void BM_EmitRingFull(benchmark::State& state)
{
    TraceBuffers buffers(1, 1);
    gBuffers = &buffers;
    attachThread(ActorRole::Master, -1);
    for (size_t i = 0; i < kRingSlots; ++i) emit(makeRecord(EventKind::Read));
    for (auto _ : state) emit(makeRecord(EventKind::Read));
    tRing = nullptr;
    gBuffers = nullptr;
}
BENCHMARK(BM_EmitRingFull);

// The collector's per-event cost: one JSON line for a typical pipe_write record.
void BM_SerializeLine(benchmark::State& state)
{
    ActorField actor = actorJson("reactor", 0, 12345, 12349);
    auto r = makeRecord(EventKind::PipeWrite);
    r.session = 50;
    r.reactor = 0;
    r.worker = 2;
    r.msgId = 1099511627894;
    r.flow = 1099511627890;
    r.a0 = 112;
    r.a1 = 1;
    r.a3 = 0;
    TextBuffer out;
    uint64_t seq = 0;
    for (auto _ : state)
    {
        if (out.size() > (1 << 20)) out.clear();
        appendEventLine(out, ++seq, r, actor);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 290);
}
BENCHMARK(BM_SerializeLine);

void BM_TracingOff(benchmark::State& state)
{
    tRing = nullptr;
    int64_t x = 0;
    for (auto _ : state)
    {
        if (on())
        {
            auto r = makeRecord(EventKind::Read);
            emit(r);
        }
        benchmark::DoNotOptimize(++x);
    }
}
BENCHMARK(BM_TracingOff);

}  // namespace

BENCHMARK_MAIN();
