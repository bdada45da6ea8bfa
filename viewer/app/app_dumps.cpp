// What ViewerApp writes for tests and scripts: the headless captures (screenshot, export,
// Mermaid, layout dump), the layout dump rewritten while a window runs (--dump-layout-every),
// and the state written on exit (--dump-state-on-exit).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <GLFW/glfw3.h>

#include "viewer/app/screenshot.h"
#include "viewer/app/viewer_app.h"
#include "viewer/layout/layout_dump.h"
#include "viewer/layout/statistics_dump.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

int ViewerApp::writeCaptures()
{
    std::string error;
    if (!options_.screenshot.empty())
    {
        int w = 0, h = 0;
        glfwGetFramebufferSize(window_, &w, &h);
        if (!writeScreenshot(options_.screenshot, w, h, error))
        {
            std::fprintf(stderr, "rscope-viewer: %s\n", error.c_str());
            return kExitWriteFailed;
        }
    }
    if (!options_.exportPng.empty() && !exportPicture(options_.exportPng, error))
    {
        std::fprintf(stderr, "rscope-viewer: %s\n", error.c_str());
        return kExitWriteFailed;
    }
    if (!options_.exportMermaid.empty() && !exportSequenceMermaid(options_.exportMermaid, error))
    {
        std::fprintf(stderr, "rscope-viewer: %s\n", error.c_str());
        return kExitWriteFailed;
    }
    if (!options_.dumpLayout.empty() && !writeLayoutFile(options_.dumpLayout, error))
    {
        std::fprintf(stderr, "rscope-viewer: %s\n", error.c_str());
        return kExitWriteFailed;
    }
    return kExitOk;
}

void ViewerApp::dumpLayoutIfDue()
{
    if (options_.dumpLayoutEveryMs <= 0) return;
    double now = glfwGetTime();
    if ((now - lastDumpSec_) * 1000 < options_.dumpLayoutEveryMs) return;
    lastDumpSec_ = now;
    // Written beside the file, then renamed over it: a reader sees the old or the new one.
    std::string error, tmp = options_.dumpLayout + ".tmp";
    std::error_code ec;
    if (!writeLayoutFile(tmp, error))
        std::fprintf(stderr, "rscope-viewer: %s\n", error.c_str());
    else if (std::filesystem::rename(tmp, options_.dumpLayout, ec); ec)
        std::fprintf(stderr, "rscope-viewer: layout dump: rename(%s): %s\n", tmp.c_str(),
                     ec.message().c_str());
}

bool ViewerApp::writeLayoutFile(const std::string& path, std::string& error) const
{
    const TraceStore& store = *store_;
    size_t pos = std::min(playback_.position(), store.size());
    nlohmann::json extra;
    extra["source"] = sourceLabel_;
    extra["frame"] = frames_;
    extra["events"] = store.size();
    extra["errors"] = store.errorCount();
    extra["unknown_kinds"] = store.unknownKinds();
    extra["window"] = {{"width", options_.width}, {"height", options_.height}};
    extra["cursor"] = {{"position", pos},
                       {"event", pos > 0 ? static_cast<int64_t>(pos - 1) : -1},
                       {"ns", playback_.cursorNs()},
                       {"kind", pos > 0 ? trace::kindInfo(store[pos - 1].kind).name : ""}};
    extra["selected_session"] = view_.selectedSession;
    extra["holding_server"] = view_.holdingServer;
    extra["rate_mode"] = activity_.rateMode;
    if (live_)
        extra["live"] = {{"address", live_->address()},
                         {"status", liveStatusName(live_->status())},
                         {"lines", live_->linesReceived()}};
    extra["picture_tab"] = pictureTabName(view_.pictureTab);
    if (tutorial_) extra["tutorial"] = tutorialJson();
    if (!faultLog_.empty()) extra["faults"] = faultLog_;
    nlohmann::json findings = nlohmann::json::array();
    for (const trace::ModelFinding& f : findings_.findings())
        findings.push_back({{"event", f.ref}, {"seq", f.seq}, {"message", f.message}});
    extra["model_findings"] = findings;
    extra["statistics"] = statisticsJson(stats_, pos);
    // Where things are on screen (window pixels), for tests that click: the panels, and the
    // rows of the event log and of the Sequence tab's session list drawn this frame.
    auto rect = [](const RectF& r) { return nlohmann::json::array({r.x, r.y, r.w, r.h}); };
    extra["panels"] = {{"pictures", rect(rects_.architecture)},
                       {"details", rect(rects_.details)},
                       {"tutorial", rect(rects_.tutorial)},
                       {"timeline", rect(rects_.timeline)},
                       {"event_log", rect(rects_.eventLog)}};
    auto rows = [](const std::vector<ScreenRow>& in)
    {
        nlohmann::json out = nlohmann::json::array();
        for (const ScreenRow& r : in)
            out.push_back({{"id", r.id}, {"rect", nlohmann::json::array({r.x, r.y, r.w, r.h})}});
        return out;
    };
    extra["event_log_rows"] = rows(view_.eventLogRows);
    extra["session_list_rows"] = rows(view_.sessionListRows);
    nlohmann::json widgets = nlohmann::json::object();
    for (const ScreenWidget& w : view_.widgets) widgets[w.name] = {w.x, w.y, w.w, w.h};
    extra["widgets"] = widgets;
    extra["state"] = stateJson();
    std::vector<const DrawList*> pictures;
    for (const DrawList& p : pictures_) pictures.push_back(&p);
    return writeLayoutDump(path, pictures, extra, error);
}

nlohmann::json ViewerApp::stateJson() const
{
    size_t pos = std::min(playback_.position(), store_->size());
    int w = options_.width, h = options_.height;
    if (window_) glfwGetWindowSize(window_, &w, &h);
    nlohmann::json tutorial = nullptr;
    if (tutorial_)
        tutorial = {{"name", tutorial_->lesson().id},
                    {"step", tutorial_->step() + 1},  // 1-based, as the panel and --tutorial-step
                    {"steps", tutorial_->steps()},
                    {"status", checkpointStatusName(tutorial_->status())},
                    {"checkpoint_met", tutorial_->status() == CheckpointStatus::Met}};
    return {
        {"cursor_event", pos > 0 ? static_cast<int64_t>(pos - 1) : -1},  // -1: before the first
        {"cursor_position", pos},
        {"events", store_->size()},
        {"playing", playback_.playing()},
        {"selected_session",
         view_.selectedSession != 0 ? nlohmann::json(view_.selectedSession) : nullptr},
        {"selected_event",
         view_.selectedEvent >= 0 ? nlohmann::json(view_.selectedEvent) : nullptr},
        {"picture", pictureTabName(view_.pictureTab)},
        {"live", live_ != nullptr},            // watching a server's trace socket
        {"following_live", playback_.live()},  // the cursor rides the newest event
        {"holding_server", view_.holdingServer},
        {"tutorial", tutorial},
        {"window", {{"w", w}, {"h", h}}},
        {"source", sourceLabel_},
        {"loading", reader_ != nullptr},  // a file is still being read in slices
    };
}

int ViewerApp::writeStateOnExit(int rc) const
{
    if (options_.dumpStateOnExit.empty()) return rc;
    std::ofstream out(options_.dumpStateOnExit, std::ios::binary | std::ios::trunc);
    out << stateJson().dump(1) << '\n';
    out.flush();
    if (out) return rc;
    std::fprintf(stderr, "rscope-viewer: --dump-state-on-exit %s: cannot write; exiting\n",
                 options_.dumpStateOnExit.c_str());
    return rc == kExitOk ? kExitWriteFailed : rc;
}

}  // namespace rscope::viewer
