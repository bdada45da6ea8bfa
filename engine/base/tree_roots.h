// Where the files shipped with the source tree (traces/, tutorials/, the web build) are found
// wherever a binary runs: the working directory, the binary's folder and the two above it (a
// build tree's bin/), then the source tree it was built from. One list for the viewer, the
// tutorial runner and `rscope web`. Plain functions; any thread.
#pragma once

#include <string>
#include <vector>

namespace rscope::base
{

// The running binary's folder (build/bin in a build tree); "" when /proc does not say.
std::string binaryDir();

// ".", binaryDir() and the two folders above it, then sourceDir (if not empty), in that order.
std::vector<std::string> treeRoots(const std::string& sourceDir);

}  // namespace rscope::base
