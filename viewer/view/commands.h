// User intents returned by panels; the app applies them to the model after drawing, so panels
// never edit the model (viewer/view paints, viewer/app decides).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rscope::viewer
{

struct Command
{
    enum class Type
    {
        Play,
        Pause,
        TogglePlay,
        StepForward,
        StepBack,
        StepSessionForward,
        StepSessionBack,
        SeekEvent,      // index
        SeekNs,         // ns
        SetSpeed,       // value
        SetEventPace,   // value = ms per event; switches to EventPace
        SetRealTime,    // switches to RealTime
        SelectSession,  // session (0 clears)
        SelectEvent,    // index
        GoLive,
        OpenFile,       // text = path
        SaveRecording,  // text = path
        Quit
    };
    Type type;
    int64_t session = 0;
    int64_t index = 0;
    int64_t ns = 0;
    double value = 0;
    std::string text;
};

using Commands = std::vector<Command>;

}  // namespace rscope::viewer
