// The viewer's panels (one .cpp each): the fixed window layout, the per-frame context they read,
// and the functions that draw them. Panels read model + ViewState and return Commands.
// Owner: the GUI thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "viewer/layout/draw_records.h"
#include "viewer/model/live_source.h"
#include "viewer/view/commands.h"
#include "viewer/view/text_format.h"
#include "viewer/view/view_state.h"

namespace rscope::viewer
{

class TraceStore;
class Playback;
class ArchitectureState;
struct Activity;
class SessionIndex;
class TraceStatistics;
class StartupProgress;
class ModelFindings;
class TutorialSession;

// The tiled windows: placed by the app, never moved, resized or saved. They paint no background:
// the app clears each panel's rectangle instead (a scissored glClear), because under llvmpipe a
// blended full-screen layer costs ~3 ms of a 16 ms frame and a clear almost nothing.
inline constexpr ImGuiWindowFlags kTiledWindowFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
    ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
    ImGuiWindowFlags_NoBackground;
inline const ImVec4 kPanelBackground{0.105f, 0.115f, 0.14f, 1.0f};
inline const ImVec4 kCanvasBackground{0.086f, 0.102f, 0.133f, 1.0f};  // the picture

// The frame of the current tiled window (NoBackground windows draw no border of their own).
void drawPanelFrame();

// Where each window goes: computed from the viewport every frame and applied with
// ImGuiCond_Always, so a screenshot does not depend on saved settings or user drags.
struct PanelRects
{
    RectF architecture;  // top left, large: the picture window (its tabs)
    RectF details;       // top right (below the tutorial when a lesson is open)
    RectF tutorial;      // top right, above the details, while a lesson is open
    RectF timeline;      // bottom, full width
    RectF eventLog;      // below the timeline
};
PanelRects computePanelRects(float viewportX, float viewportY, float viewportW, float viewportH,
                             float menuBarHeight, float fontSize, const ViewState& view);

// The source the frame shows, for status texts.
struct SourceInfo
{
    bool isLive = false;  // a --connect session (the store is its recording)
    LiveStatus liveStatus = LiveStatus::Stopped;
    std::string address;  // live address or file path
    std::string liveError;
    size_t liveQueued = 0;  // decoded lines waiting for the GUI thread
    bool loading = false;   // a file is being read in slices
    double loadProgress = 0;
    // The browser build: files written become downloads, links to a moment exist, and no
    // local process can be started or signalled (platform.h).
    bool web = false;
};

// What every panel reads in one frame. Panels never modify the model: they return Commands.
struct FrameContext
{
    const TraceStore& store;
    const Playback& playback;
    const ArchitectureState& state;  // at the cursor
    const Activity& activity;
    ViewState& view;
    SourceInfo source;
    float fps = 0;
    // Derived indexes the app keeps up to date with the store (extended after appends, cleared
    // with it). Any may be null: a panel then says there is nothing to show.
    const SessionIndex* sessions = nullptr;
    const TraceStatistics* stats = nullptr;
    const StartupProgress* startup = nullptr;
    const ModelFindings* findings = nullptr;
    const TutorialSession* tutorial = nullptr;  // the open lesson (ViewState::tutorialOpen)
    int64_t nowMs = 0;                          // the app's monotonic clock (waiting times)
};

// Index of the event the details panel and the log highlight: the selection, else the newest
// event at the cursor; -1 when there is none.
int64_t focusEvent(const FrameContext& ctx);

// Main menu bar (File, View, status); returns its height. Also runs the File modals and the
// loading progress window.
float drawMenuBar(FrameContext& ctx, Commands& out);
void drawModals(FrameContext& ctx, Commands& out);

// The picture window: a tab bar over the article's pictures and the statistics. begin opens the
// window and the tab shown this frame (written to ctx.view.pictureTab) and returns its content
// area (screen coordinates); the app draws that tab, then calls end. Under the architecture it
// keeps a line for the caption of the cursor's event and the live pace's controls.
RectF beginPicturePanel(const RectF& window, FrameContext& ctx, Commands& out);
void endPicturePanel();

// The architecture tab: paints the records the app laid out for the area begin returned, the
// source notices over them, and hit-tests them.
void drawArchitectureTab(const DrawList& picture, FrameContext& ctx, Commands& out);
// The other tabs lay out and paint inside `area` themselves and return their records (dumped
// by --dump-layout).
DrawList drawStartupTab(const RectF& area, FrameContext& ctx, Commands& out);
DrawList drawSequenceTab(const RectF& area, FrameContext& ctx, Commands& out);
DrawList drawStatisticsTab(const RectF& area, FrameContext& ctx, Commands& out);

void drawDetailsPanel(const RectF& window, FrameContext& ctx, Commands& out);
// The lesson's step: text, progress, checkpoint state, Back / Next, the language switch.
void drawTutorialPanel(const RectF& window, FrameContext& ctx, Commands& out);
// The "Tutorial" menu of the menu bar: the lessons to open, Close lesson.
void drawTutorialMenu(FrameContext& ctx, Commands& out);
// The "Server" menu of the menu bar: fault injection (kill, pause, resume a worker, reload, a
// slow trace client, an oversized packet), enabled when the viewer may act on the server.
void drawServerMenu(FrameContext& ctx, Commands& out);
void drawTimelinePanel(const RectF& window, FrameContext& ctx, Commands& out);
void drawEventLogPanel(const RectF& window, FrameContext& ctx, Commands& out);

// Appends the last item (a row's Selectable) to `rows` as its visible part, clipped by the
// current clip rectangle (a scrolled table's body); rows hidden under the header are skipped.
void recordRowOfLastItem(std::vector<ScreenRow>& rows, int64_t id);
// Appends the last item (a button, a field) to view.widgets under `name`, for the same dump.
void recordWidget(ViewState& view, const char* name);

}  // namespace rscope::viewer
