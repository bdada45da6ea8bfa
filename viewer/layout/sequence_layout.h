// Lays out the per-request sequence diagram (seed article, figure 3): a head per lifeline at the
// top, dashed lifelines below, one row per message (arrow or self note) with "fn  detail  +dt",
// activation bars for callbacks, one colour per session; only the rows in view get records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

struct SequenceModel;
struct SequenceMessage;

struct SequenceLayoutInput
{
    const SequenceModel* model = nullptr;
    RectF canvas;
    float fontSize = 13.0f;
    // Playback::position(): messages of events >= position are the future (faded), the newest
    // passed one is emphasised.
    size_t position = 0;
    int64_t selectedSession = 0;  // brighter than the other sessions (0 = none)
    int64_t selectedEvent = -1;
    float scrollY = 0;  // pixels of rows scrolled above the canvas (the heads stay in place)
};

DrawList layoutSequence(const SequenceLayoutInput& in);

// Where row `row` (a message index) sits: its arrow's y for scrollY = 0, in canvas-relative
// pixels, and the row height; the panel scrolls to keep the cursor's row in view. The heads
// grow a line when the canvas (`canvasWidth`; 0: wide enough) is too narrow for a subtitle.
float sequenceRowY(const SequenceModel& model, size_t row, float fontSize, float canvasWidth = 0);
float sequenceRowHeight(float fontSize);
// Height of every row with the heads and notes (DrawList::contentHeight of the picture).
float sequenceContentHeight(const SequenceModel& model, float fontSize, float canvasWidth = 0);
// The message index of the newest event before `position` (-1 when none), the row the diagram
// follows while playing.
int sequenceNewestRow(const SequenceModel& model, size_t position);

// "+350 µs", "+1.2 ms", "+40 ns", "+1.20 s"; empty for a negative delta (first or derived).
std::string formatDelta(int64_t ns);
// "fn  detail  +dt", the text of a message in the picture and in the Mermaid export.
std::string sequenceLabel(const SequenceMessage& msg);
// Stable record ids: "msg[<event>]" for an event's message, "msg[<event>].pickup" for the
// derived pipe pickup before it.
std::string sequenceMessageId(const SequenceMessage& msg);

}  // namespace rscope::viewer
