// Internal pieces of the startup layout: node contents (titles, lines, tooltips, colours) and a
// text width estimate, separate from the geometry. Not for the painter. Owner: the caller of
// layoutStartup (GUI thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "viewer/layout/startup_layout.h"

namespace rscope::viewer::startup
{

// Width of `text` in DejaVu Sans at `fontSize` pixels (the viewer's font), from its advance
// widths; slightly generous so that estimated text fits the painted one.
float textWidth(std::string_view text, float fontSize);
// `text` cut to `width` with a trailing "…" (unchanged when it fits).
std::string fitText(const std::string& text, float width, float fontSize);

// The lane's processes and threads from the header: title, pid line, tooltip.
struct LaneText
{
    std::string title;       // "master main thread"
    std::string shortTitle;  // "master": when the ids would not fit after the title
    std::string ids;         // "pid 10865 tid 10865"
    std::vector<std::string> tooltip;
};
LaneText laneText(StartupLane lane, const TraceStore* store);

// A step's texts at the cursor. `lines` is 0, 1 or 2: title only, one line (count then our
// name), two lines (our name; the status).
NodeRecord stepNode(const StartupLayoutInput& in, const StartupStep& step, int lines);
NodeRecord laneNode(const StartupLayoutInput& in, StartupLane lane, bool withIds);
// The lane's handler box (title, tooltip) and its label texts: "SW_FD_PIPE →
// swWorker_onPipeReceive" (full), "SW_FD_PIPE → onPipeReceive" (medium: the lane names the prefix),
// "PIPE → onPipeReceive".
enum class HandlerForm : uint8_t
{
    Full,
    Medium,
    Short
};
NodeRecord handlerBox(const StartupLayoutInput& in, StartupLane lane);
std::string handlerText(const StartupHandler& h, HandlerForm form);

Color laneColor(StartupLane lane);  // lit fill

}  // namespace rscope::viewer::startup
