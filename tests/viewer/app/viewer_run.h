// Running the real rscope-viewer binary in the Xvfb tests: a temp directory per test, the viewer
// under its own xvfb-run in its own process group (a timeout stops everything it started), and
// reading what it wrote. Shared by the viewer_*_test programs of this folder.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace rscope::viewer::test
{

std::string readFile(const std::string& path);

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir
{
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// Starts `viewer args...` under xvfb-run -a (1280x800x24) with stdout and stderr to the files;
// -1 when it cannot be spawned.
pid_t spawnViewer(const std::string& viewer, const std::vector<std::string>& args,
                  const std::string& outPath, const std::string& errPath);
// Its exit code; -1 after killing its process group when `timeout` passed first.
int waitViewer(pid_t pid, std::chrono::seconds timeout);

struct RunResult
{
    int exitCode = -1;  // -1: killed after the timeout
    std::string err;    // what it printed on stderr
};
// spawnViewer + waitViewer, stdout/stderr in dir's viewer.out / viewer.err.
RunResult runViewer(const std::string& viewer, const TempDir& dir,
                    const std::vector<std::string>& args, std::chrono::seconds timeout);

}  // namespace rscope::viewer::test
