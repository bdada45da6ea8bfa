// rscope-viewer: parse the options, run the viewer (window, headless capture or bench), exit.
#include <cstdio>
#include <exception>

#include "viewer/app/quit_signal.h"
#include "viewer/app/viewer_app.h"
#include "viewer/app/viewer_options.h"

int main(int argc, char** argv)
{
    using namespace rscope::viewer;
    ViewerOptions options;
    if (int rc = parseViewerOptions(argc, argv, options); rc >= 0) return rc;
    installQuitSignals();
    try
    {
        ViewerApp app(std::move(options));
        return app.run();
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "rscope-viewer: unexpected error: %s; exiting\n", e.what());
        return kExitException;
    }
}
