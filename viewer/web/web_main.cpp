// rscope-viewer.wasm: the viewer in a browser page. The page's address is the start options (a
// link to a moment, moment_link.h); the browser owns the frame loop (requestAnimationFrame), so
// the app draws one frame per callback; the page's JavaScript (index.html) calls the exported
// functions below for what only it can do (a picked or dropped file, a resize) and for tests.
#include <emscripten.h>
#include <sys/stat.h>

#include <algorithm>
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

// The time each frame's work took (model, UI, GL calls), for the benchmark (web_bench.mjs): the
// browser paces frames to the display, so the rate alone says little about headroom.
struct FrameTimes
{
    static constexpr size_t kKept = 8192;
    double ms[kKept] = {};
    size_t count = 0;  // since the last reset (the newest kKept are kept)
    double sinceMs = 0;
    bool firstDrawn = false;
} gFrames;

void frameCallback(void* app)
{
    double start = emscripten_get_now();
    static_cast<ViewerApp*>(app)->interactiveFrame();
    gFrames.ms[gFrames.count++ % FrameTimes::kKept] = emscripten_get_now() - start;
    if (!gFrames.firstDrawn)
    {
        gFrames.firstDrawn = true;
        EM_ASM({ rscopePage.firstFrame(); });
    }
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

    // Frame figures since the last call: {"frames", "seconds", "avg_ms", "p50_ms", "p99_ms",
    // "max_ms"} of the work per frame (not the wait for the display).
    EMSCRIPTEN_KEEPALIVE const char* rscope_frame_stats()
    {
        double now = emscripten_get_now();
        size_t n = std::min(gFrames.count, FrameTimes::kKept);
        std::vector<double> v(gFrames.ms, gFrames.ms + n);
        std::sort(v.begin(), v.end());
        double sum = 0;
        for (double x : v) sum += x;
        auto at = [&](double q)
        { return n ? v[std::min(n - 1, static_cast<size_t>(q * n))] : 0.0; };
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "{\"frames\":%zu,\"seconds\":%.3f,\"avg_ms\":%.3f,\"p50_ms\":%.3f,"
                      "\"p99_ms\":%.3f,\"max_ms\":%.3f}",
                      gFrames.count, (now - gFrames.sinceMs) / 1000.0, n ? sum / n : 0.0, at(0.5),
                      at(0.99), n ? v.back() : 0.0);
        gFrames.count = 0;
        gFrames.sinceMs = now;
        gReturned = buf;
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
