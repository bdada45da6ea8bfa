// Lays out the architecture picture (seed article, figure 1) from the header topology, the state
// at the cursor and the activity: clients left, the master box (main reactor + reactor threads),
// the manager, the workers right, a pipe between each reactor thread and the workers it polls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "viewer/layout/draw_records.h"

namespace rscope::viewer
{

class TraceStore;
class ArchitectureState;
struct Activity;

struct ArchitectureLayoutInput
{
    const TraceStore* store = nullptr;  // topology, actors, event details for tokens
    const ArchitectureState* state = nullptr;
    const Activity* activity = nullptr;
    RectF canvas;
    int64_t selectedSession = 0;  // highlighted everywhere (0 = none)
    float fontSize = 13.0f;       // text line height drives box sizes
    int maxClients = 8;           // more open sessions fold into one "clients" node
    // Workers the viewer stopped (SIGSTOP, Server menu): a stopped process emits nothing, so the
    // trace cannot show it; null = none.
    const std::vector<int>* stoppedWorkers = nullptr;
    // A slow trace reader the viewer opened (Server menu) is connected: the server drops events
    // for that reader only, so nothing in this viewer's stream shows it; a note under the
    // master says so.
    bool slowTraceReader = false;
    // The UI language ("en" or "zh"): the words of the colour legend.
    std::string language = "en";
    // Tutorial highlights (ids or "prefix*" patterns, see highlight.h); null = none.
    const std::vector<std::string>* highlightNodes = nullptr;
    const std::vector<std::string>* highlightEdges = nullptr;
};

DrawList layoutArchitecture(const ArchitectureLayoutInput& in);

// Stable ids, shared with the painter and the tests.
std::string nodeIdReactor(int index);
std::string nodeIdWorker(int index);
std::string nodeIdTaskWorker(int index);  // "task_worker[2]": its id follows the workers'
std::string nodeIdClient(int64_t session);
std::string edgeIdPipe(int reactor, int worker);        // requests: "pipe[0->2]"
std::string edgeIdPipeReturn(int reactor, int worker);  // replies: "pipe[0<-2]"

}  // namespace rscope::viewer
