// SIGINT / SIGTERM as a polite quit: the frame loop ends and the destructors run, so a lesson's
// server is stopped and reaped by the viewer (not left as a zombie for init). Owner: main.
#pragma once

namespace rscope::viewer
{

// Installs the handlers (main, before any thread starts).
void installQuitSignals();
// True once SIGINT or SIGTERM arrived. Read by the GUI thread's frame loops.
bool quitRequested();

}  // namespace rscope::viewer
