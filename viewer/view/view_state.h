// Plain UI state of the viewer (what is selected, which panels are open, the log filter), kept
// out of ImGui statics so a frame is a function of model + ViewState. Owner: the GUI thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "viewer/model/bundled_files.h"
#include "viewer/model/event_filter.h"

namespace rscope::viewer
{

// The tabs of the picture window (top left): the seed article's three pictures and the numbers.
enum class PictureTab : uint8_t
{
    Architecture,
    Startup,
    Sequence,
    Statistics,
};
const char* pictureTabName(PictureTab tab);  // "architecture", "startup", "sequence", "stats"
bool pictureTabByName(std::string_view name, PictureTab& out);

// A row of a list as drawn this frame, in screen pixels (the visible part), for the layout dump:
// tests that click a row find it there. `id`: what the row stands for (an event, a session).
struct ScreenRow
{
    int64_t id = 0;
    float x = 0, y = 0, w = 0, h = 0;
};

// A control as drawn this frame (a timeline button), by name, for the layout dump.
struct ScreenWidget
{
    std::string name;  // "play", "step_back", "next_hop", ...
    float x = 0, y = 0, w = 0, h = 0;
};

struct ViewState
{
    int64_t selectedSession = 0;  // 0 = none; synchronised across every panel
    int64_t selectedEvent = -1;   // event index highlighted in the log (-1 = none)
    bool logFollowsCursor = true;
    // The rows the event log (id = event index) and the Sequence tab's session list (id =
    // session) drew this frame; rebuilt by those panels every frame, empty when not shown.
    std::vector<ScreenRow> eventLogRows;
    std::vector<ScreenRow> sessionListRows;
    std::vector<ScreenWidget> widgets;  // cleared by the app each frame, filled by the panels
    // The tutorial panel's Back, Next and Repeat buttons as drawn this frame (window pixels;
    // w 0 = not drawn), for the layout dump: real-input tests click them.
    ScreenRow tutorialBack, tutorialNext, tutorialRepeat;
    // The lesson runs on a server it did not start (--connect): its actions cannot start it.
    bool tutorialAttached = false;
    // Live step mode: this viewer holds the server's step gate (rscope server --trace-step).
    bool holdingServer = false;
    // Until when (steady ms) a slow trace reader the Server menu opened stays connected.
    int64_t slowReaderUntilMs = 0;
    EventFilter filter;
    char searchText[128] = {};
    // Event log rows matching `filter` (indices into the store), rebuilt when the filter changes
    // and extended after live appends.
    std::vector<uint32_t> filtered;
    EventFilter filteredFor;
    size_t filteredUpTo = 0;
    // Picture window: the tab shown, and a tab to bring forward next frame (a command or a
    // start option asked for it; ImGui owns the tab bar's selection otherwise).
    PictureTab pictureTab = PictureTab::Architecture;
    bool pictureTabRequested = false;
    bool showEventLog = true;
    bool showDetails = true;
    bool showErrors = false;
    std::string statusMessage;  // last load / save / live message for the status bar
    bool statusIsError = false;
    // The log scrolls to the cursor only when the cursor moved, so a paused user can scroll.
    size_t followedPosition = static_cast<size_t>(-1);
    int followFramesLeft = 0;  // frames that still re-apply the follow scroll
    // File menu modals: requested by the menu, opened by the next frame's popup code.
    bool openModalRequested = false;
    bool saveModalRequested = false;
    char openPath[512] = {};
    // File -> Open: the bundled traces it lists (read when it opens) and why the path last
    // tried was refused (empty: nothing refused).
    std::vector<BundledTrace> openTraces;
    std::string openError;
    char savePath[512] = {};
    bool exportPngModalRequested = false;
    char exportPngPath[512] = "/tmp/rscope-picture.png";
    // Web: the address bar's query follows the moment on screen (View menu).
    bool linkFollowsCursor = false;

    // Sequence panel: the session list's filter and its rows (indices into
    // SessionIndex::sessions(), rebuilt when the filter, the sessions or the cursor change; an
    // empty filter lists every session without them), the selection the list last scrolled to,
    // the diagram's scroll and whether it follows the cursor, and what the diagram showed (the
    // exports rebuild the same picture).
    char sequenceFilter[64] = {};
    float sequenceListWidth =
        0;  // the session list's width, set by its splitter; 0: 30 % of the tab
    std::string sequenceRowsFilter;
    std::vector<uint32_t> sequenceRows;
    size_t sequenceRowsSessions = 0;
    size_t sequenceRowsPosition = 0;
    int64_t sequenceListScrolledTo = 0;
    float sequenceScrollY = 0;
    bool sequenceFollow = true;
    int64_t sequenceFollowSelection = 0;  // the selection following was last reset for
    size_t sequenceFollowPosition = 0;    // the cursor position of the last frame
    std::vector<int64_t> sequenceSessions;
    size_t sequenceCenter = 0;
    bool sequenceMermaidModalRequested = false;
    char sequenceMermaidPath[512] = "/tmp/rscope-sequence.mmd";

    // Tutorial panel: a lesson is open (the right column splits: tutorial above details), where
    // its events come from (the lesson server's address, or the recording), and what the step
    // highlights in the pictures (ids or "prefix*" patterns; the app sets them on step entry).
    bool tutorialOpen = false;
    std::string tutorialSource;
    std::string tutorialId;  // the open lesson's id (the Tutorial menu ticks it)
    // The Tutorial menu's lessons (tutorials/*.json, read once by the app): id and path.
    std::vector<std::pair<std::string, std::string>> tutorialLessons;
    std::vector<std::string> highlightNodes;
    std::vector<std::string> highlightEdges;
    // Server menu (fault injection): whether the viewer may act on the server (its own lesson
    // server, or a local one for signals only), why not, and the workers it paused (SIGSTOP).
    bool serverOwned = false;
    bool serverLocal = false;
    std::string serverNote;
    std::vector<int> pausedWorkers;
};

}  // namespace rscope::viewer
