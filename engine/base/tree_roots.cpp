// The roots of the tree's shipped files (tree_roots.h).
#include "engine/base/tree_roots.h"

#include <unistd.h>

#include <filesystem>

namespace rscope::base
{

namespace fs = std::filesystem;

std::string binaryDir()
{
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return {};
    return fs::path(std::string(exe, static_cast<size_t>(n))).parent_path().string();
}

std::vector<std::string> treeRoots(const std::string& sourceDir)
{
    std::vector<std::string> roots{"."};
    if (std::string dir = binaryDir(); !dir.empty())
    {
        fs::path bin(dir);
        roots.push_back(bin.string());
        roots.push_back(bin.parent_path().string());
        roots.push_back(bin.parent_path().parent_path().string());
    }
    if (!sourceDir.empty()) roots.push_back(sourceDir);
    return roots;
}

}  // namespace rscope::base
