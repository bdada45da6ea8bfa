// rscope-viewer's command line (CLI11); the flags are the contract.
#include "viewer/app/viewer_options.h"

#include <CLI/CLI.hpp>

namespace rscope::viewer
{

int parseViewerOptions(int argc, char** argv, ViewerOptions& out)
{
    CLI::App app{"rscope-viewer: watch a process-mode server's trace, live or recorded"};
    auto* replay = app.add_option("--replay", out.replayPath, "Open a JSON Lines trace file");
    auto* connect =
        app.add_option("--connect", out.connect,
                       "Watch a running server's trace socket: HOST:PORT (127.0.0.1:9600) or "
                       "unix:PATH; reconnects by itself");
    replay->excludes(connect);
    app.add_option("--screenshot", out.screenshot,
                   "Headless: render one moment to this PNG and exit");
    app.add_option("--dump-layout", out.dumpLayout,
                   "Headless: write that frame's draw records (nodes, edges, tokens) as JSON");
    app.add_option("--dump-layout-every", out.dumpLayoutEveryMs,
                   "Interactive: rewrite the --dump-layout file at most every MS ms while the "
                   "window runs (written whole: a reader never sees half a file)")
        ->check(CLI::Range(10, 60000))
        ->needs(app.get_option("--dump-layout"));
    app.add_option("--dump-state-on-exit", out.dumpStateOnExit,
                   "On exit (window closed, Ctrl+Q), write the cursor_event, selected_session, "
                   "picture, live, tutorial and window as JSON to this file");
    app.add_option("--export-png", out.exportPng,
                   "Headless: render the shown picture (--picture) offscreen at its full size "
                   "(a whole sequence diagram) to this PNG and exit");
    app.add_option("--export-mermaid", out.exportMermaid,
                   "Headless: write the sequence diagram at the moment (--select-session, or the "
                   "sessions active at the cursor) as a Mermaid sequenceDiagram and exit");
    auto* atEvent = app.add_option("--at-event", out.atEvent,
                                   "Start at the moment when event N (0-based) is the newest")
                        ->check(CLI::NonNegativeNumber);
    auto* atNs =
        app.add_option("--at-ns", out.atNs,
                       "Start at trace time T ns (a value below the first event's ts is an "
                       "offset from it)");
    atEvent->excludes(atNs);
    app.add_option("--frames", out.frames,
                   "Headless: frames to render before the capture (default 3; live: frames at "
                   "60 per second). --bench: frames per run (default 600)")
        ->check(CLI::PositiveNumber);
    app.add_option("--width", out.width, "Window width")->check(CLI::Range(320, 8192));
    app.add_option("--height", out.height, "Window height")->check(CLI::Range(240, 8192));
    app.add_flag("--bench", out.bench,
                 "Load --replay, print load time and bytes/event, then frame rates while playing "
                 "at several speeds");
    app.add_option("--pace-ms", out.paceMs,
                   "Teaching pace: one event every N ms (headless: play from the moment for "
                   "--frames)")
        ->check(CLI::Range(1.0, 10000.0));
    app.add_option("--speed", out.speed,
                   "Real-time playback speed, 0.01 to 100 (headless: play from the moment for "
                   "--frames)")
        ->check(CLI::Range(0.01, 100.0));
    app.add_option("--select-session", out.selectSession, "Select (highlight) this session");
    app.add_option("--sequence-list-width", out.sequenceListWidth,
                   "Sequence tab: width of the session list in pixels (as if its splitter had "
                   "been dragged there)")
        ->check(CLI::Range(1.0f, 8192.0f));
    app.add_option("--step-hops", out.stepHops,
                   "Live, with a server started with --trace-step: hold it and let N events "
                   "through, one hop every 100 ms (headless: then capture)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--picture", out.picture, "Picture tab shown at start")
        ->check(CLI::IsMember({"architecture", "startup", "sequence", "stats"}));
    auto* tutorial = app.add_option(
        "--tutorial", out.tutorial,
        "Open a lesson (tutorials/NAME.json, or a path): the viewer starts the lesson's server "
        "and follows its steps live (its recording if the server cannot start)");
    // With --connect the lesson runs on that server (the demo's) instead of starting its own.
    tutorial->excludes(replay);
    app.add_flag("--tutorial-replay", out.tutorialReplay,
                 "Tutorial: follow the lesson on its recording instead of a live server")
        ->needs(tutorial);
    app.add_option("--lang", out.lang, "Tutorial language")->check(CLI::IsMember({"en", "zh"}));
    app.add_option("--tutorial-step", out.tutorialStep,
                   "Tutorial: walk to step N (1-based); earlier steps advance when met")
        ->check(CLI::PositiveNumber)
        ->needs(tutorial);
    app.add_option("--fault", out.fault,
                   "Apply one Server menu command once the trace is watched: kill:N, pause:N, "
                   "resume:N (worker N), reload, slow-client, oversized, never-reads")
        ->check(
            [](const std::string& v) -> std::string
            {
                for (const char* kind : {"kill:", "pause:", "resume:"})
                    if (v.rfind(kind, 0) == 0 && v.size() > std::string(kind).size() &&
                        v.find_first_not_of("0123456789", std::string(kind).size()) ==
                            std::string::npos)
                        return "";
                if (v == "reload" || v == "slow-client" || v == "oversized" || v == "never-reads")
                    return "";
                return "expected kill:N, pause:N, resume:N, reload, slow-client, oversized or "
                       "never-reads";
            });
    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::ParseError& e)
    {
        // CLI11 prints the message; its own codes (105..) mean nothing to a script: 0 or 1.
        return app.exit(e) == 0 ? 0 : 1;
    }
    if (out.bench && out.replayPath.empty())
    {
        std::fprintf(stderr, "rscope-viewer: --bench needs --replay FILE.jsonl\n");
        return 1;
    }
    for (int i = 0; i < argc; ++i)
    {
        if (i > 0) out.rerunCommand += ' ';
        out.rerunCommand += argv[i];
    }
    return -1;
}

}  // namespace rscope::viewer
