// Default folders of `rscope web` (site_dirs.h).
#include "engine/web/site_dirs.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace rscope::web
{

namespace fs = std::filesystem;

namespace
{
// The folder of the running binary (build/bin for a build tree); "" if /proc says nothing.
fs::path binaryDir()
{
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return {};
    return fs::path(std::string(exe, static_cast<size_t>(n))).parent_path();
}

bool isDir(const fs::path& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec);
}
}  // namespace

std::vector<std::string> searchRoots()
{
    std::vector<std::string> roots{"."};
    if (fs::path dir = binaryDir(); !dir.empty())
    {
        roots.push_back(dir.string());
        roots.push_back(dir.parent_path().string());
        roots.push_back(dir.parent_path().parent_path().string());
    }
#ifdef RSCOPE_SOURCE_DIR
    roots.push_back(RSCOPE_SOURCE_DIR);
#endif
    return roots;
}

std::string findSiteRoot()
{
    std::vector<fs::path> candidates{fs::path("build-web") / "site"};
    if (fs::path dir = binaryDir(); !dir.empty())
        candidates.push_back(dir / ".." / ".." / "build-web" / "site");
#ifdef RSCOPE_SOURCE_DIR
    candidates.push_back(fs::path(RSCOPE_SOURCE_DIR) / "build-web" / "site");
#endif
    for (const fs::path& c : candidates)
        if (isDir(c)) return fs::absolute(c).lexically_normal().string();
    return {};
}

std::string findBundledDir(const std::string& name)
{
    for (const std::string& root : searchRoots())
        if (fs::path dir = fs::path(root) / name; isDir(dir))
            return fs::absolute(dir).lexically_normal().string();
    return {};
}

}  // namespace rscope::web
