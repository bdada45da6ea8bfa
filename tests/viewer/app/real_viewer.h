// RealViewer: the real rscope-viewer in an interactive window on an Xvfb server of its own,
// driven with real X input (xdotool: pointer moves, button clicks, key presses), for tests of
// what a learner's mouse and keyboard do. Shared by the viewer tests of this folder (link
// rscope_viewer_run; needs Xvfb and xdotool, installed by scripts/install-deps.sh).
//
//   using namespace rscope::viewer::test;
//   RealViewer v({"--replay", article, "--at-event", "21"});  // Xvfb + the viewer start here
//   ASSERT_TRUE(v.waitReady()) << v.log();                     // window up, layout dump read
//   nlohmann::json d = v.waitLayout([](const nlohmann::json& d)
//                                   { return d["cursor"]["event"] == 21; });
//   std::optional<Point> p = tokenWhere(d, [](const nlohmann::json& t)
//                                        { return t["kind"] == "pipe_write"; });
//   v.click(*p);                    // a real button press and release at window pixels
//   v.key("Right");                 // an X keysym or a chord: "space", "Left", "ctrl+q"
//   nlohmann::json s = v.quitAndReadState();  // Ctrl+Q, then the --dump-state-on-exit JSON
//   EXPECT_EQ(s["selected_session"], 1);
//
// How: the constructor starts `Xvfb :N -displayfd` on the first free display N it finds, then
// the viewer with DISPLAY set and --dump-layout FILE --dump-layout-every MS
// --dump-state-on-exit FILE appended to the arguments (see rscope-viewer --help). The layout
// dump gives every node, edge and token of the shown picture, the panels, the visible rows of
// the event log and the session list and the timeline's buttons in window pixels (the tutorial
// object has its Back / Next / Repeat buttons), plus the viewer's "state" (the same
// fields as the exit state); the input goes to the viewer's window with coordinates relative to
// it. Everything runs in process groups of its own: the destructor stops what is still running
// (SIGTERM, then SIGKILL after 3 s), so a failed assertion leaves nothing behind. Every wait is
// bounded.
//
// Timing: each dump is one frame as drawn (pictures, cursor, selection of that frame), written
// at most every dumpEveryMs; the effect of a click or key shows in a later dump, so wait for it
// with waitLayout (or nextLayout), never sleep and read. The exit state has cursor_event
// (0-based, -1 before the first event), selected_session (null or id), selected_event, picture,
// playing, live (a --connect or lesson server source), following_live, holding_server,
// tutorial (null or {name, step (1-based), steps, status, checkpoint_met}), window {w, h}.
// In CMake: link rscope_viewer_run, add_dependencies(<test> rscope-viewer), label viewer.
// Owner: the test's thread. Thread-safety: none.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/viewer/app/viewer_run.h"

namespace rscope::viewer::test
{

struct Point
{
    float x = 0;
    float y = 0;
};

struct Rect
{
    float x = 0, y = 0, w = 0, h = 0;
    Point center() const { return {x + w / 2, y + h / 2}; }
    // A point at fractions of the width and height (0.5, 0.5 is the center).
    Point at(float fx, float fy) const { return {x + w * fx, y + h * fy}; }
};

struct RealViewerOptions
{
    std::string viewer;  // the binary; empty: the build's rscope-viewer
    int width = 1280;    // window (also the Xvfb screen, with room to spare)
    int height = 800;
    int dumpEveryMs = 100;  // --dump-layout-every
};

class RealViewer
{
  public:
    using Json = nlohmann::json;
    using Predicate = std::function<bool(const Json&)>;

    explicit RealViewer(std::vector<std::string> args, RealViewerOptions options = {});
    ~RealViewer();  // stops the viewer (SIGTERM, then SIGKILL) and the Xvfb server
    RealViewer(const RealViewer&) = delete;
    RealViewer& operator=(const RealViewer&) = delete;

    // Waits until the window is mapped (xdotool search) and the first layout dump is readable.
    bool waitReady(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // The latest layout dump (null when not written yet), and a wait for one that satisfies
    // `until` (null after the timeout; the last dump read is kept in lastLayout()).
    Json layout() const;
    Json waitLayout(const Predicate& until,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    const Json& lastLayout() const { return last_; }
    // A fresh dump: written after this call (its "frame" is higher than the current one's), so
    // it shows the effect of input given before the call.
    Json nextLayout(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Real input at window pixels (the layout dump's coordinates). click moves the pointer
    // first and lets the viewer draw a frame with it there (hover) before pressing.
    bool moveTo(Point p);
    bool click(Point p);
    bool key(const std::string& keys);  // xdotool key syntax: "space", "Right", "ctrl+q"
    // Presses the left button at `from`, moves to `to` in a few steps, releases there (a slider,
    // a splitter, a plot).
    bool drag(Point from, Point to);

    // Ctrl+Q, waits for the viewer to exit, then reads --dump-state-on-exit (null if absent).
    // A viewer that does not quit is stopped (SIGTERM, then SIGKILL) and exitCode() says -1.
    Json quitAndReadState(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    int exitCode() const { return exitCode_; }
    bool running();

    std::string display() const { return display_; }  // ":N"
    std::string windowId() const { return window_; }
    std::string file(const std::string& name) const { return dir_.file(name); }
    // The viewer's stderr and what went wrong in the harness, for assertion messages.
    std::string log() const;

  private:
    bool startXvfb();
    bool tryXvfb(int display);  // true: an Xvfb of ours serves `display`
    bool startViewer(std::vector<std::string> args);
    // Runs xdotool with DISPLAY set; its stdout in `out`. False on a non-zero exit or timeout
    // (noted in log() unless `quiet`).
    bool xdotool(const std::vector<std::string>& args, std::string* out = nullptr,
                 bool quiet = false);
    void stop(pid_t& pid, int firstSignal);

    RealViewerOptions options_;
    TempDir dir_;
    pid_t xvfb_ = -1;
    pid_t viewer_ = -1;
    int exitCode_ = -1;
    std::string display_;
    std::string window_;
    std::string problems_;
    Json last_;
};

// Finders over a layout dump's first picture (null optional when nothing matches).
std::optional<Rect> nodeRect(const nlohmann::json& layout, const std::string& id);
std::optional<Point> tokenWhere(const nlohmann::json& layout, const RealViewer::Predicate& match);
// The first edge that matches (e.g. a sequence message of a session): the middle of its arrow.
std::optional<Point> edgeMiddle(const nlohmann::json& layout, const RealViewer::Predicate& match);
// A visible row of "event_log_rows" (id = event index) or "session_list_rows" (id = session).
std::optional<Rect> rowRect(const nlohmann::json& layout, const std::string& list, int64_t id);
// A named control of "widgets": the timeline's "step_back", "play", "step_forward",
// "session_back", "session_forward", "scrubber", "density" (the strip over trace time), the
// event log's "log_search" field, and live: "go_live", "step_server", "next_hop", "ten_hops".
std::optional<Rect> widgetRect(const nlohmann::json& layout, const std::string& name);

}  // namespace rscope::viewer::test
