// rscope-viewer.wasm: the viewer in a browser page. The page's address is the start options (a
// link to a moment, moment_link.h); the browser owns the frame loop (requestAnimationFrame), so
// the app draws one frame per callback; the page's JavaScript (index.html) calls the exported
// functions below for what only it can do (a picked or dropped file, a resize) and for tests.
#include <emscripten.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "viewer/app/moment_link.h"
#include "viewer/app/viewer_app.h"
#include "viewer/app/viewer_options.h"

namespace
{

using rscope::viewer::ViewerApp;

ViewerApp* gApp = nullptr;  // lives as long as the page: the browser calls into it
std::string gReturned;      // the text the last exported getter returned (valid until the next)
std::string gPendingTrace;  // a linked trace being fetched: opened, at the moment, once in

std::string pageString(const char* script)
{
    return emscripten_run_script_string(script);
}

bool inFileSystem(const std::string& path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void frameCallback(void* app)
{
    static_cast<ViewerApp*>(app)->interactiveFrame();
}

void onTraceFetched(const char* file)
{
    if (gApp) gApp->openFile(file, true);
}

void onTraceFetchFailed(const char* file)
{
    std::fprintf(stderr, "rscope-viewer: %s: cannot fetch it from the page's server\n", file);
    EM_ASM({ rscopePage.status("cannot fetch " + UTF8ToString($0) + " from this server"); }, file);
}

}  // namespace

extern "C"
{
    // A file the page wrote into the file system (picked or dropped): opened like File > Open.
    EMSCRIPTEN_KEEPALIVE void rscope_open_file(const char* path)
    {
        if (gApp) gApp->openFile(path, false);
    }

    EMSCRIPTEN_KEEPALIVE void rscope_resize(int width, int height)
    {
        if (gApp) gApp->resizeWindow(width, height);
    }

    // The moment on screen as a link query ("trace=...&event=21&picture=sequence").
    EMSCRIPTEN_KEEPALIVE const char* rscope_moment_query()
    {
        gReturned = gApp ? gApp->momentQuery() : "";
        return gReturned.c_str();
    }

    // The --dump-layout document of the last frame ({"error": ...} if it cannot be made).
    EMSCRIPTEN_KEEPALIVE const char* rscope_layout_dump()
    {
        std::string error;
        if (!gApp || !gApp->layoutJson(gReturned, error))
            gReturned = "{\"error\":\"" + (gApp ? error : std::string("no viewer")) + "\"}";
        return gReturned.c_str();
    }

    // The --dump-state-on-exit document (cursor, picture, tutorial, live, window).
    EMSCRIPTEN_KEEPALIVE const char* rscope_state()
    {
        gReturned = gApp ? gApp->stateText() : "{}";
        return gReturned.c_str();
    }

}  // extern "C"

int main()
{
    using namespace rscope::viewer;
    ViewerOptions options;
    options.width = EM_ASM_INT({ return rscopePage.width(); });
    options.height = EM_ASM_INT({ return rscopePage.height(); });
    std::vector<std::string> problems;
    Moment moment = parseMomentQuery(pageString("location.search"), problems);
    for (const std::string& p : problems)
        std::fprintf(stderr, "rscope-viewer: link: %s\n", p.c_str());
    applyMoment(moment, options);
    // Live: `rscope web`'s bridge on the page's own host (ws: or wss: as the page).
    if (moment.live)
        options.connect = pageString(
            "(location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live'");
    // A linked trace that is not among the bundled ones is fetched from the page's server first.
    if (!options.replayPath.empty() && !inFileSystem(options.replayPath))
    {
        gPendingTrace = options.replayPath;
        options.replayPath.clear();
    }

    gApp = new ViewerApp(options);
    if (!gApp->startInteractive())
    {
        EM_ASM({ rscopePage.status("this browser cannot give the viewer a WebGL 2 context"); });
        return kExitNoDisplay;
    }
    if (!gPendingTrace.empty())
    {
        std::string dir = gPendingTrace.substr(0, gPendingTrace.rfind('/') + 1);
        if (!dir.empty()) EM_ASM({ FS.mkdirTree(UTF8ToString($0)); }, dir.c_str());
        emscripten_async_wget(gPendingTrace.c_str(), gPendingTrace.c_str(), onTraceFetched,
                              onTraceFetchFailed);
    }
    EM_ASM({ rscopePage.started(); });
    emscripten_set_main_loop_arg(frameCallback, gApp, 0, false);
    return kExitOk;
}
