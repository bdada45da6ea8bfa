// Number, time and colour formatting shared by the layouts (labels, node lines, token colours).
// Pure functions; no owner.
#pragma once

#include <cstdint>
#include <string>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

std::string formatBytes(int64_t bytes);       // "812 B", "1.2 KB", "3.4 MB" (node lines)
std::string formatBytesShort(int64_t bytes);  // "60B", "1.2KB" (token labels, which are tiny)
std::string formatRate(double perSecond);     // "850/s", "12.3k/s", "1.2M/s"
std::string formatDurationNs(int64_t ns);     // "350 us", "12.3 ms", "1.20 s"

// The same session gets the same colour in every picture and every frame (0 = no session).
Color sessionColor(int64_t session);

}  // namespace rscope::viewer
