// What a host that owns the frame loop calls (the web page, viewer/web/web_main.cpp): open a
// file, resize, the moment as a link, the layout and state documents; and the links to a moment
// the View menu offers where there is a page to link to.
#include <GLFW/glfw3.h>
#include <nlohmann/json.hpp>

#include "viewer/app/moment_link.h"
#include "viewer/app/platform.h"
#include "viewer/app/viewer_app.h"
#include "viewer/layout/layout_dump.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

void ViewerApp::openFile(const std::string& path, bool applyStart)
{
    sourceLabel_ = path;
    startLoad(path);
    startOptionsPending_ = applyStart && reader_ != nullptr;
}

void ViewerApp::resizeWindow(int width, int height)
{
    if (!window_ || width <= 0 || height <= 0) return;
    glfwSetWindowSize(window_, width, height);
    options_.width = width;
    options_.height = height;
    redrawNow_ = true;
}

std::string ViewerApp::momentQuery() const
{
    Moment m;
    if (tutorial_)
    {
        m.tutorial = tutorial_->lesson().id;
        m.step = static_cast<int>(tutorial_->step()) + 1;
        m.lang = tutorial::langName(tutorial_->lang());
    }
    else if (live_)
        m.live = true;
    else
        m.trace = sourceLabel_;
    size_t pos = std::min(playback_.position(), store_->size());
    // A lesson's step or a live stream is its own moment; a recording's is its event.
    if (!tutorial_ && !live_ && pos > 0) m.event = static_cast<int64_t>(pos);
    m.picture = pictureTabName(view_.pictureTab);
    m.session = view_.selectedSession;
    return formatMomentQuery(m);
}

void ViewerApp::followLink()
{
    if (!view_.linkFollowsCursor) return;
    std::string q = momentQuery();
    if (q == linkShown_) return;
    linkShown_ = q;
    platformShowLink(q, false);
}

bool ViewerApp::layoutJson(std::string& out, std::string& error) const
{
    // The dump's one writer is the file one (--dump-layout): the page's file system is in
    // memory, so a round trip through it costs nothing worth a second writer.
    const std::string path = "/tmp/rscope-layout.json";
    if (!writeLayoutFile(path, error)) return false;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
    {
        error = path + ": cannot read back";
        return false;
    }
    out.clear();
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return true;
}

std::string ViewerApp::stateText() const
{
    return stateJson().dump();
}

}  // namespace rscope::viewer
