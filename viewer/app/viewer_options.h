// Command-line options of rscope-viewer (CLI11): the source, the headless screenshot and layout
// dump, the benchmark, and the initial playback settings. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rscope::viewer
{

struct ViewerOptions
{
    std::string replayPath;  // --replay FILE.jsonl
    std::string connect;     // --connect HOST:PORT or unix:PATH
    std::string screenshot;  // --screenshot OUT.png (headless)
    std::string dumpLayout;  // --dump-layout OUT.json (headless, or every N ms: below)
    // --dump-layout-every MS: the window stays interactive and rewrites the --dump-layout file
    // (whole, by rename) at most every MS ms, so a test can find what to click.
    int dumpLayoutEveryMs = 0;
    // --dump-state-on-exit FILE: when the viewer exits (window closed, Ctrl+Q, SIGTERM or the
    // end of a headless run), the cursor, selection, picture, live, tutorial and window as JSON.
    std::string dumpStateOnExit;
    std::string exportPng;      // --export-png OUT.png: the shown picture, full size (headless)
    std::string exportMermaid;  // --export-mermaid OUT.mmd: the sequence diagram (headless)
    std::optional<int64_t> atEvent;  // --at-event N: event N (0-based) is the newest
    std::optional<int64_t> atNs;     // --at-ns T: trace time (or an offset from the first event)
    std::optional<int> frames;       // --frames N (headless frames; bench frames per run)
    int width = 1280;
    int height = 800;
    bool bench = false;
    std::optional<double> paceMs;  // --pace-ms: teaching pace, ms per event
    std::optional<double> speed;   // --speed: real-time multiplier
    int64_t selectSession = 0;
    float sequenceListWidth = 0;  // px; 0: the default share of the Sequence tab
    int stepHops = 0;             // --step-hops N: live, hold the server, let N events through
    std::string picture;          // --picture: the tab shown at start (architecture, startup, ...)
    std::string rerunCommand;     // argv joined, printed by --bench
    // --tutorial NAME|PATH: a lesson (tutorials/NAME.json from the cwd or the source tree, or a
    // file); it runs live on the viewer's own server, else on its recording. --lang en|zh.
    // --tutorial-step N (1-based): walk to step N, each earlier step advancing once its
    // checkpoint is met (or skipped after its timeout).
    std::string tutorial;
    bool tutorialReplay = false;  // --tutorial-replay: the lesson's recording, no live server
    std::string lang = "en";
    int tutorialStep = 1;
    // --fault KIND[:WORKER]: one Server-menu command, applied once the trace is watched (and the
    // tutorial reached --tutorial-step): kill:N, pause:N, resume:N, reload, slow-client, oversized,
    // never-reads.
    std::string fault;

    // Headless: render some frames, write the screenshot / dump, exit.
    bool headless() const
    {
        return !screenshot.empty() || (!dumpLayout.empty() && dumpLayoutEveryMs == 0) ||
               !exportPng.empty() || !exportMermaid.empty();
    }
};

// Parses argv into `out`. Returns -1 to go on, or the exit code (0 after --help, 1 on an error,
// with the message printed by CLI11).
int parseViewerOptions(int argc, char** argv, ViewerOptions& out);

}  // namespace rscope::viewer
