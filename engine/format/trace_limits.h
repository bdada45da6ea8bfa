// The largest topology a server can have, shared by the server's settings check and every reader
// of a trace header: a header that claims more was not written by an rscope server, and a reader
// that sized its tables from it would allocate without bound (a 10 KB file saying worker_num
// 20000000 once took a viewer to 24 GB).
#pragma once

namespace rscope::trace
{

constexpr int kMaxWorkerNum = 1024;   // worker_num
constexpr int kMaxReactorNum = 1024;  // reactor_num, at most worker_num
}  // namespace rscope::trace
