// Fuzzes the viewer's LineParser and its header decoder (simdjson) one line at a time, as the
// file reader and the live source call it. Checks that nothing throws and that what it accepts is
// within the limits the views size their tables from (engine/format/trace_limits.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "engine/format/trace_limits.h"
#include "viewer/model/line_parser.h"

namespace
{
using rscope::viewer::LineParser;
using rscope::viewer::ParsedLine;

void check(bool ok)
{
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static LineParser parser;  // reused across inputs, as one reader reuses it across lines
    ParsedLine out;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty())
    {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);

        parser.parse(line, out);
        switch (out.type)
        {
            case ParsedLine::Type::Header:
            {
                const auto& t = out.topology;
                check(t.workerNum >= 0 && t.workerNum <= rscope::trace::kMaxWorkerNum);
                check(t.reactorNum >= 0 && t.reactorNum <= rscope::trace::kMaxReactorNum);
                check(out.error.empty());
                break;
            }
            case ParsedLine::Type::Event:
                check(out.event.kind != rscope::trace::EventKind::Count);
                check(!out.args.empty());
                break;
            case ParsedLine::Type::Error:
                check(!out.error.empty());
                break;
            case ParsedLine::Type::UnknownKind:
            case ParsedLine::Type::End:
                break;
        }
    }
    return 0;
}
