// TraceReader: read(2) in 1 MiB chunks, split lines, parse each; the last line is flagged when
// the file does not end with '\n' so that a cut recording reads as "truncated".
#include "engine/tracefile/trace_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include "engine/base/log.h"
#include "engine/base/unique_fd.h"
#include "engine/format/line_splitter.h"
#include "engine/format/trace_line_parser.h"

namespace rscope::tracefile
{

namespace
{
constexpr size_t kReadChunkBytes = 1 << 20;
}

TraceReader::TraceReader(std::string path) : path_(std::move(path)) {}

bool TraceReader::read(const TraceSink& sink)
{
    auto problem = [&](const std::string& message)
    {
        ++counts_.errors;
        if (sink.onProblem) sink.onProblem(Problem{Severity::Error, {path_, 0, message}});
    };
    try
    {
        base::UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd.valid())
        {
            problem(fmt::format("open: {}", base::errnoText(errno)));
            return false;
        }
        TraceLineParser parser(path_, sink);
        LineSplitter splitter;
        std::vector<char> buffer(kReadChunkBytes);
        bool readable = true;
        for (;;)
        {
            ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0)
            {
                readable = false;
                problem(fmt::format("read: {}", base::errnoText(errno)));
                break;
            }
            if (n == 0) break;
            splitter.feed(std::string_view(buffer.data(), static_cast<size_t>(n)),
                          [&](std::string_view line, bool tooLong)
                          { parser.parseLine(line, false, tooLong); });
            if (parser.failed()) break;
        }
        if (readable && !parser.failed() && !splitter.partial().empty())
            parser.parseLine(splitter.partial(), true, false);
        parser.finish();
        header_ = parser.header();
        hasEnd_ = parser.hasEnd();
        uint64_t ioErrors = counts_.errors;  // problems of the read itself, counted above
        counts_ = parser.counts();
        counts_.errors += ioErrors;
        return readable && !parser.failed();
    }
    catch (const std::exception& e)  // bad_alloc and the like: still no throw past the reader
    {
        problem(fmt::format("cannot read the trace: {}", e.what()));
        return false;
    }
}

}  // namespace rscope::tracefile
