// User intents returned by panels; the app applies them to the model after drawing, so panels
// never edit the model (viewer/view paints, viewer/app decides).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
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
        GoLive,         // and catches up: the newest event becomes the cursor's
        SetLivePace,    // value 1: live at the teaching pace (the rest waits); 0: on the newest
        HoldServer,     // live step mode: the server pauses after each event (needs --trace-step)
        StepServer,     // value = hops to let through
        RunServer,      // live step mode off: the server runs freely
        OpenFile,       // text = path
        SaveRecording,  // text = path
        ExportPicturePng,       // text = path: the shown tab's picture, offscreen at full size
        ExportSequenceMermaid,  // text = path: the sequence tab's diagram as Mermaid text
        PickLocalFile,          // web: the page's file picker (the file opens when picked)
        CopyMomentLink,         // web: the moment on screen as a link, to the clipboard
        // Tutorial panel.
        TutorialNext,    // also skips a step whose checkpoint is not met
        TutorialBack,    // re-enters the previous step
        TutorialRepeat,  // re-arms the step: fresh checkpoint, the action again
        TutorialLang,    // text = "en" | "zh"
        OpenLesson,      // text = the lesson file; the previous lesson's server stops
        CloseLesson,
        // Server menu (fault injection); index = worker.
        KillWorker,
        PauseWorker,
        ResumeWorker,
        ReloadWorkers,
        OpenSlowClient,
        SendOversized,
        ConnectNeverReads,  // a client that sends and never reads its replies (model 3.8)
        Quit
    };
    Type type = Type::Pause;
    int64_t session = 0;
    int64_t index = 0;
    int64_t ns = 0;
    double value = 0;
    std::string text;

    // Builders, e.g. Command::make(Type::SelectSession).withSession(42).
    static Command make(Type t)
    {
        Command c;
        c.type = t;
        return c;
    }
    Command& withSession(int64_t v) { return session = v, *this; }
    Command& withIndex(int64_t v) { return index = v, *this; }
    Command& withNs(int64_t v) { return ns = v, *this; }
    Command& withValue(double v) { return value = v, *this; }
    Command& withText(std::string v) { return text = std::move(v), *this; }
};

using Commands = std::vector<Command>;

}  // namespace rscope::viewer
