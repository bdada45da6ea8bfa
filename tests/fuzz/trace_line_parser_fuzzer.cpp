// Fuzzes the one trace line parser (engine/format/line_parser.h, simdjson), which the trace tools,
// the recorder, the tutorial runner and the viewer all use: each line alone through LineParser
// (what a DecodedLine promises), then the whole input through TraceLineParser behind a
// LineSplitter, as TraceReader and `rscope record` use them (the counts agree with what the sink
// received, nothing is delivered after a fatal problem). Nothing may throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/format/line_parser.h"
#include "engine/format/line_splitter.h"
#include "engine/format/trace_limits.h"
#include "engine/format/trace_line_parser.h"

namespace
{
using namespace rscope::tracefile;

void check(bool ok)
{
    if (!ok) std::abort();
}

void checkDecoded(const DecodedLine& d)
{
    using rscope::trace::kMaxReactorNum;
    using rscope::trace::kMaxWorkerNum;
    switch (d.type)
    {
        case LineType::Header:
            // What a reader may size its tables from, once beyondLimits is empty.
            if (d.header.fatal.empty() && d.header.beyondLimits.empty())
            {
                check(d.header.settings.workerNum >= 0 &&
                      d.header.settings.workerNum <= kMaxWorkerNum);
                check(d.header.settings.reactorNum >= 0 &&
                      d.header.settings.reactorNum <= kMaxReactorNum);
            }
            break;
        case LineType::Event:
            check(d.kind != rscope::trace::EventKind::Count);
            check(!d.rawArgs.empty() && d.rawArgs.front() == '{' && d.rawArgs.back() == '}');
            check(d.argCount <= 5);
            for (size_t i = 0; i < d.argCount; ++i) check(d.args[i].info != nullptr);
            check(!d.envelopeValid || (d.seq && d.tsNs >= 0 && !d.kindName.empty()));
            break;
        case LineType::Error:
            check(!d.error.empty() && d.lineError != LineError::None);
            break;
        case LineType::UnknownKind:
        case LineType::End:
        case LineType::UnknownType:
            check(d.lineError == LineError::None);
            break;
    }
}

// Every line alone, with one parser reused across inputs as one reader reuses it across lines.
void decodeEachLine(std::string_view rest)
{
    static LineParser parser;
    static DecodedLine decoded;
    while (!rest.empty())
    {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        parser.parse(line, decoded);
        checkDecoded(decoded);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    decodeEachLine(std::string_view(reinterpret_cast<const char*>(data), size));

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
        check(!e.rawArgs.empty() && e.rawArgs.front() == '{');
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
