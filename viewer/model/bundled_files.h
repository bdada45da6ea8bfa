// Files shipped with the tree (traces/*.jsonl, tutorials/): where the viewer looks for them, the
// bundled traces File -> Open lists, and the check a file must pass before a load replaces the
// open trace. Plain C++; pure functions over the file system, no owner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rscope::viewer
{

// Where bundled files are looked for, in order: the cwd, the binary's folder and the two above
// it (build/bin/rscope-viewer: the tree), then the source tree the binary was built from.
std::vector<std::string> bundledRoots();

struct BundledTrace
{
    std::string path;  // as found: "<root>/traces/article.jsonl"
    std::string name;  // "article.jsonl"
    uintmax_t sizeBytes = 0;
};
// traces/*.jsonl of the first root that has any, sorted by name.
std::vector<BundledTrace> listBundledTraces();
std::vector<BundledTrace> listBundledTraces(const std::vector<std::string>& roots);

// Whether `path` can be opened as a trace: a readable regular file whose first line is a
// Reactorscope header. False with a sentence for the learner in `error` ("...: not a
// Reactorscope trace (its first line has no "format":"reactorscope-trace")").
bool checkTraceFile(const std::string& path, std::string& error);

}  // namespace rscope::viewer
