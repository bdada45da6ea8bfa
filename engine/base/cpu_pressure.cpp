// CpuPressure: the "some" total of /proc/pressure/cpu, differenced (see cpu_pressure.h).
#include "engine/base/cpu_pressure.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace rscope::base
{

CpuPressure::CpuPressure(std::string path) : path_(std::move(path))
{
    fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
}

// "some avg10=0.08 avg60=6.69 avg300=20.83 total=6845115016\nfull ..." : total is in us.
bool CpuPressure::readTotalUs(uint64_t* totalUs)
{
    char buf[256];
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf - 1, 0);
    if (n <= 0) return false;
    buf[n] = '\0';
    if (std::strncmp(buf, "some ", 5) != 0) return false;
    const char* total = std::strstr(buf, "total=");
    const char* eol = std::strchr(buf, '\n');
    if (total == nullptr || (eol != nullptr && total > eol)) return false;
    char* end = nullptr;
    *totalUs = std::strtoull(total + 6, &end, 10);
    return end != total + 6;
}

double CpuPressure::sample(int64_t nowNs)
{
    uint64_t totalUs = 0;
    if (!fd_.valid() || !readTotalUs(&totalUs)) return -1;
    double share = -1;
    if (lastNs_ >= 0 && nowNs > lastNs_ && totalUs >= lastTotalUs_)
        share = std::min(1.0, static_cast<double>(totalUs - lastTotalUs_) * 1000.0 /
                                  static_cast<double>(nowNs - lastNs_));
    lastTotalUs_ = totalUs;
    lastNs_ = nowNs;
    return share;
}

}  // namespace rscope::base
