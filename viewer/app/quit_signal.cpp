// The quit flag: the viewer's one signal-set global. Written by the handler (any thread the
// kernel picks), read by the GUI thread each frame; sig_atomic_t makes both sides safe.
#include "viewer/app/quit_signal.h"

#include <signal.h>

#include <csignal>

namespace rscope::viewer
{

namespace
{

volatile std::sig_atomic_t gQuitRequested = 0;

void onQuitSignal(int)
{
    gQuitRequested = 1;
}

}  // namespace

void installQuitSignals()
{
    struct sigaction sa = {};
    sa.sa_handler = onQuitSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking wait returns, the loop sees the flag
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

bool quitRequested()
{
    return gQuitRequested != 0;
}

}  // namespace rscope::viewer
