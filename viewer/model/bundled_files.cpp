// Bundled files: the roots searched (cwd, beside the binary, the source tree), the recorded
// traces under traces/, and a cheap look at a file's first line before it is loaded.
#include "viewer/model/bundled_files.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "engine/base/tree_roots.h"
#include "engine/format/trace_event.h"

namespace rscope::viewer
{

namespace fs = std::filesystem;

std::vector<std::string> bundledRoots()
{
#ifdef RSCOPE_SOURCE_DIR
    return base::treeRoots(RSCOPE_SOURCE_DIR);
#else
    return base::treeRoots("");
#endif
}

std::vector<BundledTrace> listBundledTraces()
{
    return listBundledTraces(bundledRoots());
}

std::vector<BundledTrace> listBundledTraces(const std::vector<std::string>& roots)
{
    std::error_code ec;
    for (const std::string& root : roots)
    {
        fs::path dir = fs::path(root) / "traces";
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<BundledTrace> found;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        {
            if (!it->is_regular_file(ec) || it->path().extension() != ".jsonl") continue;
            found.push_back({it->path().lexically_normal().string(), it->path().filename().string(),
                             it->file_size(ec)});
        }
        if (found.empty()) continue;
        std::sort(found.begin(), found.end(),
                  [](const BundledTrace& a, const BundledTrace& b) { return a.name < b.name; });
        return found;  // the first tree that has traces: the cwd's, else the binary's, ...
    }
    return {};
}

namespace
{

// "format":"reactorscope-trace" in the first line, spaces allowed around the colon.
bool hasTraceFormat(const std::string& line)
{
    for (size_t at = line.find("\"format\""); at != std::string::npos;
         at = line.find("\"format\"", at + 1))
    {
        size_t i = at + 8;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size() || line[i] != ':') continue;
        ++i;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::string quoted = std::string("\"") + trace::kFormatName + '"';
        if (line.compare(i, quoted.size(), quoted) == 0) return true;
    }
    return false;
}

}  // namespace

bool checkTraceFile(const std::string& path, std::string& error)
{
    error.clear();
    if (path.empty())
    {
        error = "no file given: pick a trace above or type a path";
        return false;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
    {
        error = path + ": no such file";
        return false;
    }
    if (fs::is_directory(st))
    {
        error = path + ": a folder, not a trace file (traces are .jsonl files)";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        error = path + ": cannot read it (" + std::strerror(errno) + ")";
        return false;
    }
    // The header is one line of a few kilobytes; 1 MiB bounds a file without newlines.
    std::string first;
    char c;
    while (first.size() < (1u << 20) && in.get(c) && c != '\n') first += c;
    if (first.empty())
    {
        error = path + ": empty, not a trace (rscope record and --trace-file write a header line)";
        return false;
    }
    if (!hasTraceFormat(first))
    {
        error = path +
                ": not a Reactorscope trace (its first line has no "
                "\"format\":\"reactorscope-trace\" header; record one with rscope record or "
                "rscope server --trace-file)";
        return false;
    }
    return true;
}

}  // namespace rscope::viewer
