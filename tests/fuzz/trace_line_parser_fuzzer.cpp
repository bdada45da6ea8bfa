// Fuzzes the engine's trace reading (TraceLineParser behind a LineSplitter, as TraceReader and
// `rscope record` use them) with a whole multi-line input. Checks that nothing throws, that the
// counts agree with what the sink received, and that nothing is delivered after a fatal problem.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/format/line_splitter.h"
#include "engine/format/trace_line_parser.h"

namespace
{
using namespace rscope::tracefile;

void check(bool ok)
{
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    uint64_t headers = 0, events = 0, ends = 0, errors = 0, warnings = 0;
    bool failed = false;
    TraceSink sink;
    sink.onHeader = [&](const TraceHeader& h)
    {
        check(!failed && headers == 0 && events == 0);
        check(h.versionMajor >= 0 && h.versionMinor >= 0);
        ++headers;
    };
    sink.onEvent = [&](const TraceEventView& e)
    {
        check(!failed && headers == 1);
        check(e.kind != rscope::trace::EventKind::Count);
        check(e.args.is_object());
        ++events;
    };
    sink.onEnd = [&](const TraceEnd&)
    {
        check(!failed && headers == 1);
        ++ends;
    };
    sink.onProblem = [&](const Problem& p)
    {
        check(!failed);  // a fatal problem is the last one
        ++(p.severity == Severity::Error ? errors : warnings);
    };

    TraceLineParser parser("fuzz.jsonl", sink);
    // A short limit so the splitter's cut and the parser's too-long line are reached.
    LineSplitter splitter(2048);
    uint64_t lines = 0;
    splitter.feed(std::string_view(reinterpret_cast<const char*>(data), size),
                  [&](std::string_view line, bool tooLong)
                  {
                      ++lines;
                      check(line.size() <= 2048);
                      parser.parseLine(line, false, tooLong);
                      failed = failed || parser.failed();
                  });
    if (!splitter.partial().empty())
    {
        ++lines;
        parser.parseLine(splitter.partial(), true, false);
    }
    failed = failed || parser.failed();
    parser.finish();

    const ReadCounts& c = parser.counts();
    check(c.lines == lines);
    check(c.events == events);
    check(c.events + c.unknownKinds <= c.eventLines);
    check(c.eventLines <= c.lines);
    check(c.errors == errors && c.warnings == warnings);
    check(parser.hasHeader() == (headers == 1));
    check(parser.hasEnd() == (ends > 0));
    check(!parser.failed() || c.errors > 0);
    check(size == 0 || parser.hasHeader() || parser.failed());
    if (events > 0) check(c.firstTsNs >= 0 && c.firstTsNs <= c.lastTsNs);
    return 0;
}
