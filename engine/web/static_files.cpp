// Safe resolution of URL paths below a folder, and MIME types (static_files.h).
#include "engine/web/static_files.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <utility>

namespace rscope::web
{

namespace fs = std::filesystem;

namespace
{
// Checked on the text before the file system is asked, so that a refused path costs no stat
// and `..` is refused even where it would land back inside the folder.
bool hasOnlyPlainSegments(std::string_view relative)
{
    if (relative.find('\\') != std::string_view::npos) return false;
    if (relative.find('\0') != std::string_view::npos) return false;
    size_t start = 0;
    while (start <= relative.size())
    {
        size_t slash = relative.find('/', start);
        size_t end = slash == std::string_view::npos ? relative.size() : slash;
        std::string_view segment = relative.substr(start, end - start);
        // Empty segments ("a//b") are harmless; "." and ".." and hidden names (.git) are not.
        if (!segment.empty() && segment.front() == '.') return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

bool isInside(const fs::path& file, const fs::path& root)
{
    auto [rootEnd, fileAt] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    return rootEnd == root.end() && fileAt != file.end();
}
}  // namespace

ResolvedFile resolveUnder(const std::string& root, std::string_view relative)
{
    if (!hasOnlyPlainSegments(relative)) return {FileCheck::Forbidden, {}};
    std::error_code ec;
    fs::path realRoot = fs::canonical(root, ec);
    if (ec) return {FileCheck::NotFound, {}};
    fs::path real = fs::canonical(realRoot / fs::path(relative), ec);
    if (ec) return {FileCheck::NotFound, {}};
    if (real == realRoot) return {FileCheck::NotFound, {}};  // "" or "sub/": no listings
    if (!isInside(real, realRoot)) return {FileCheck::Forbidden, {}};
    if (!fs::is_regular_file(real, ec)) return {FileCheck::NotFound, {}};
    return {FileCheck::Ok, real.string()};
}

const char* mimeTypeFor(std::string_view path)
{
    static constexpr std::array<std::pair<std::string_view, const char*>, 14> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".data", "application/octet-stream"},
        {".json", "application/json"},
        {".jsonl", "application/x-ndjson"},
        {".css", "text/css; charset=utf-8"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".md", "text/markdown; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
    }};
    size_t dot = path.rfind('.');
    size_t slash = path.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return "application/octet-stream";
    std::string_view ext = path.substr(dot);
    for (const auto& [known, type] : kTypes)
        if (ext == known) return type;
    return "application/octet-stream";
}

}  // namespace rscope::web
