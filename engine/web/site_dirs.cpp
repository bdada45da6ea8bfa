// Default folders of `rscope web` (site_dirs.h).
#include "engine/web/site_dirs.h"

#include <filesystem>
#include <system_error>

#include "engine/base/tree_roots.h"

namespace rscope::web
{

namespace fs = std::filesystem;

namespace
{
bool isDir(const fs::path& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec);
}
}  // namespace

std::vector<std::string> searchRoots()
{
#ifdef RSCOPE_SOURCE_DIR
    return base::treeRoots(RSCOPE_SOURCE_DIR);
#else
    return base::treeRoots("");
#endif
}

std::string findSiteRoot()
{
    std::vector<fs::path> candidates{fs::path("build-web") / "site"};
    if (std::string dir = base::binaryDir(); !dir.empty())
        candidates.push_back(fs::path(dir) / ".." / ".." / "build-web" / "site");
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
