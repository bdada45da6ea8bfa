// Which file a URL path names below a served folder, refusing anything that could leave it
// (`..`, hidden names, symlinks pointing out), and the Content-Type for a file name.
// Plain functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace rscope::web
{

enum class FileCheck
{
    Ok,
    Forbidden,  // the path tries to leave the folder: 403
    NotFound,   // no such regular file inside it: 404
};

struct ResolvedFile
{
    FileCheck check = FileCheck::NotFound;
    std::string path;  // canonical, inside the folder; set when check is Ok
};

// relative: the URL-decoded path below the route ("article.jsonl", "sub/a.js"), without a
// leading '/'. Refuses `.` and `..` segments, names starting with '.', backslashes and NUL
// bytes; then follows symlinks and refuses a file whose real path is outside root.
ResolvedFile resolveUnder(const std::string& root, std::string_view relative);

// The Content-Type for path's extension; "application/octet-stream" when unknown. `.wasm` must
// be application/wasm: browsers refuse WebAssembly.instantiateStreaming on anything else.
const char* mimeTypeFor(std::string_view path);

}  // namespace rscope::web
