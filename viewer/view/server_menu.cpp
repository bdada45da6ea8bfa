// The Server menu: fault injection for a learner to watch the model cope — kill a worker (the
// manager restarts it), pause and resume one (SIGSTOP / SIGCONT: its pipe fills), reload the
// workers, a slow trace client, an oversized packet (only that connection closes), a client that
// never reads (its output buffer fills: buffer_full, then send() fails). Enabled for
// the viewer's own lesson server; for another local server only the signals are.
#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "viewer/model/architecture_state.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

bool isPaused(const ViewState& view, int worker)
{
    return std::find(view.pausedWorkers.begin(), view.pausedWorkers.end(), worker) !=
           view.pausedWorkers.end();
}

// One item per worker; `pick` says whether the worker is offered.
template <typename Pick>
void workerItems(FrameContext& ctx, Commands& out, Command::Type type, Pick pick)
{
    for (const WorkerState& w : ctx.state.workers())
    {
        if (!pick(w)) continue;
        char label[64];
        std::snprintf(label, sizeof label, "worker[%d]  pid %d", w.index, w.pid);
        if (ImGui::MenuItem(label, nullptr, false, w.pid > 0))
            out.push_back(Command::make(type).withIndex(w.index));
    }
}

}  // namespace

void drawServerMenu(FrameContext& ctx, Commands& out)
{
    if (!ImGui::BeginMenu("Server")) return;
    const ViewState& view = ctx.view;
    bool signals = view.serverOwned || view.serverLocal;
    if (!view.serverNote.empty()) ImGui::TextDisabled("%s", view.serverNote.c_str());
    if (ImGui::BeginMenu("Kill worker (SIGKILL)", signals))
    {
        workerItems(ctx, out, Command::Type::KillWorker,
                    [](const WorkerState& w) { return w.status != WorkerStatus::Exited; });
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Pause worker (SIGSTOP)", signals))
    {
        workerItems(ctx, out, Command::Type::PauseWorker,
                    [&](const WorkerState& w)
                    { return w.status != WorkerStatus::Exited && !isPaused(view, w.index); });
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Resume worker (SIGCONT)", signals && !view.pausedWorkers.empty()))
    {
        workerItems(ctx, out, Command::Type::ResumeWorker,
                    [&](const WorkerState& w) { return isPaused(view, w.index); });
        ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Reload workers (SIGUSR1)", nullptr, false, signals))
        out.push_back(Command::make(Command::Type::ReloadWorkers));
    ImGui::Separator();
    // Traffic needs the server's ports: only the lesson server's are known.
    if (ImGui::MenuItem("Open a slow trace client (5 s)", nullptr, false, view.serverOwned))
        out.push_back(Command::make(Command::Type::OpenSlowClient));
    if (ImGui::MenuItem("Send an oversized packet", nullptr, false, view.serverOwned))
        out.push_back(Command::make(Command::Type::SendOversized));
    if (ImGui::MenuItem("Connect a client that never reads (30 s)", nullptr, false,
                        view.serverOwned))
        out.push_back(Command::make(Command::Type::ConnectNeverReads));
    ImGui::EndMenu();
}

}  // namespace rscope::viewer
