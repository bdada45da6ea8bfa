// Lays out the startup call-flow picture (seed article, figure 2): one column per actor (reactor
// threads, master main thread, manager, workers), the startup steps top to bottom, lit as their
// events pass the cursor, call / fork / thread edges, and the handlers each actor registers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "viewer/layout/draw_records.h"
#include "viewer/model/startup_flow.h"

namespace rscope::viewer
{

class TraceStore;

struct StartupLayoutInput
{
    const TraceStore* store = nullptr;  // the header topology (pids, counts)
    const StartupProgress* progress = nullptr;
    size_t position = 0;  // Playback position: events [0, position) have happened
    RectF canvas;
    float fontSize = 13.0f;
    int64_t selectedEvent = -1;  // a step lit by this event is drawn selected
    // Tutorial highlights (ids or "prefix*" patterns, see highlight.h); null = none.
    const std::vector<std::string>* highlightNodes = nullptr;
    const std::vector<std::string>* highlightEdges = nullptr;
};

// Every step's name is whole: on a canvas narrower than startupMinCanvasWidth the picture is
// laid out at that width (DrawList::canvas says so) for the panel to scroll sideways.
DrawList layoutStartup(const StartupLayoutInput& in);
float startupMinCanvasWidth(const StartupLayoutInput& in);

// Stable ids, shared with the panel (clicks) and the tests.
std::string startupStepNodeId(StartupStepId step);  // "step.master.listen"
std::string startupLaneNodeId(StartupLane lane);    // "lane.master"
std::string startupHandlerBoxId(StartupLane lane);  // "handlers.master"
std::string startupHandlerLabelId(size_t handler);  // "handler[3]"
// The step a node id names; StartupStepId::Count when it names none.
StartupStepId startupStepOfNode(const std::string& id);

// Handler label colours: registered before the cursor, or not yet (dimmed).
inline constexpr Color kHandlerRegistered = rgba(226, 232, 240);
inline constexpr Color kHandlerPending = rgba(104, 110, 122);

}  // namespace rscope::viewer
