// The folders `rscope web` serves by default: the web build's static files and the bundled
// traces/ and tutorials/, looked up from the working directory, beside the binary and in the
// source tree (as viewer/model/bundled_files.cpp finds them). Plain functions; any thread.
#pragma once

#include <string>
#include <vector>

namespace rscope::web
{

// ".", the binary's folder and the two above it, then the source tree (RSCOPE_SOURCE_DIR).
std::vector<std::string> searchRoots();

// The first existing of ./build-web/site, <binary dir>/../../build-web/site and
// <source dir>/build-web/site; "" when the web viewer is not built.
std::string findSiteRoot();

// The first root holding name/ as a folder ("traces", "tutorials"); "" if none does.
std::string findBundledDir(const std::string& name);

}  // namespace rscope::web
