// Number, time and colour formatting shared by the layouts.
#include "viewer/layout/layout_text.h"

#include <cmath>
#include <cstdio>

namespace rscope::viewer
{

namespace
{

std::string printf1(const char* format, double value, const char* unit)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, format, value, unit);
    return buf;
}

// Scales `value` by 1024 (bytes) or 1000 (rates) so that at most four digits show.
std::string scaled(double value, double step, const char* const* units, const char* sep)
{
    char buf[48];
    int unit = 0;
    while (std::fabs(value) >= step && units[unit + 1] != nullptr)
    {
        value /= step;
        ++unit;
    }
    if (unit == 0)
        std::snprintf(buf, sizeof buf, "%.0f%s%s", value, sep, units[0]);
    else
        std::snprintf(buf, sizeof buf, "%.1f%s%s", value, sep, units[unit]);
    return buf;
}

}  // namespace

std::string formatBytes(int64_t bytes)
{
    static const char* const kUnits[] = {"B", "KB", "MB", "GB", "TB", nullptr};
    return scaled(static_cast<double>(bytes), 1024.0, kUnits, " ");
}

std::string formatBytesShort(int64_t bytes)
{
    static const char* const kUnits[] = {"B", "KB", "MB", "GB", "TB", nullptr};
    return scaled(static_cast<double>(bytes), 1024.0, kUnits, "");
}

std::string formatRate(double perSecond)
{
    if (!std::isfinite(perSecond) || perSecond < 0) perSecond = 0;
    if (perSecond < 10) return printf1("%.1f%s", perSecond, "/s");
    static const char* const kUnits[] = {"/s", "k/s", "M/s", "G/s", nullptr};
    return scaled(perSecond, 1000.0, kUnits, "");
}

std::string formatDurationNs(int64_t ns)
{
    double v = static_cast<double>(ns);
    if (ns < 1000) return printf1("%.0f %s", v, "ns");
    if (ns < 1000000) return printf1("%.0f %s", v / 1e3, "us");
    if (ns < 1000000000) return printf1("%.1f %s", v / 1e6, "ms");
    return printf1("%.2f %s", v / 1e9, "s");
}

Color sessionColor(int64_t session)
{
    // Light, saturated hues that read on the dark node fills.
    static const Color kPalette[] = {
        rgba(102, 194, 255), rgba(255, 140, 105), rgba(140, 230, 120), rgba(230, 130, 230),
        rgba(255, 215, 90),  rgba(90, 225, 210),  rgba(190, 160, 255), rgba(255, 120, 160),
        rgba(180, 220, 90),  rgba(255, 175, 60),  rgba(120, 170, 255), rgba(235, 235, 150),
    };
    if (session == 0) return rgba(220, 220, 225);
    // Stepping 5 through 12 entries (coprime) gives consecutive session ids, the usual neighbours
    // on screen, distant hues while every entry stays in use.
    constexpr uint64_t kCount = sizeof kPalette / sizeof kPalette[0];
    return kPalette[(static_cast<uint64_t>(session) * 5u) % kCount];
}

}  // namespace rscope::viewer
