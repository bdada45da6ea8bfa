// Load time and memory of the viewer's model for one trace file: TraceReader::loadAll into a
// TraceStore, best of N runs. Targets: 1M events in <= 2 s, <= ~200 bytes/event.
// Run: build/bin/viewer_load_bench FILE [RUNS]   (make a 1M-event FILE: scripts/make-big-trace.sh)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"

int main(int argc, char** argv)
{
    using rscope::viewer::TraceReader;
    using rscope::viewer::TraceStore;
    if (argc < 2)
    {
        std::fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
        return 2;
    }
    std::string path = argv[1];
    int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    double best = 1e300;
    size_t events = 0, memory = 0, fileBytes = 0;
    uint64_t errors = 0, unknown = 0;
    for (int run = 0; run < runs; ++run)
    {
        TraceStore store;
        TraceReader reader(path);
        auto start = std::chrono::steady_clock::now();
        if (!reader.loadAll(store))
        {
            std::fprintf(stderr, "viewer_load_bench: %s\n", reader.error().c_str());
            return 1;
        }
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("run %d: %.3f s\n", run + 1, seconds);
        if (seconds < best) best = seconds;
        events = store.size();
        memory = store.memoryBytes();
        errors = store.errorCount();
        unknown = store.unknownKinds();
        if (std::FILE* f = std::fopen(path.c_str(), "rb"))
        {
            std::fseek(f, 0, SEEK_END);
            fileBytes = static_cast<size_t>(std::ftell(f));
            std::fclose(f);
        }
    }
    struct rusage usage;
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf("file:          %s (%.1f MB)\n", path.c_str(), fileBytes / 1e6);
    std::printf("events:        %zu (%llu errors, %llu unknown-kind skipped)\n", events,
                static_cast<unsigned long long>(errors), static_cast<unsigned long long>(unknown));
    std::printf("load (best of %d): %.3f s\n", runs, best);
    std::printf("events/s:      %.0f\n", events / best);
    std::printf("MB/s:          %.1f\n", fileBytes / 1e6 / best);
    std::printf("store memory:  %.1f MB, %.1f bytes/event (sizeof(Event) = %zu)\n", memory / 1e6,
                events ? double(memory) / events : 0.0, sizeof(rscope::viewer::Event));
    std::printf("peak RSS:      %.1f MB (the file is mapped, so its pages count too)\n",
                usage.ru_maxrss / 1e3);
    std::printf("rerun:         %s %s %d\n", argv[0], path.c_str(), runs);
    return 0;
}
