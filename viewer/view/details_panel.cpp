// The details window: every field of the selected event (or the newest at the cursor) with its
// historic swoole function, the selected session, the server settings, and the problems: the
// process-model findings (each a link to its event), then the load problems (FILE:LINE: reason)
// with the skipped / unknown / dropped counts.
#include <cstdarg>
#include <cstdio>

#include <imgui.h>

#include "viewer/model/architecture_state.h"
#include "viewer/model/model_findings.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

void row(const char* key, const char* fmt, ...) IM_FMTARGS(2);
void row(const char* key, const char* fmt, ...)
{
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", key);
    ImGui::TableNextColumn();
    va_list args;
    va_start(args, fmt);
    ImGui::TextWrappedV(fmt, args);
    va_end(args);
}

bool beginFields(const char* id)
{
    if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg))
        return false;
    // Keys as wide as the widest key, values take the rest and wrap.
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    return true;
}

void eventTab(FrameContext& ctx, Commands& out)
{
    const TraceStore& store = ctx.store;
    int64_t index = focusEvent(ctx);
    if (index < 0)
    {
        ImGui::TextDisabled("No event yet: press Play or Step.");
        return;
    }
    const Event& e = store[static_cast<size_t>(index)];
    bool selected = ctx.view.selectedEvent >= 0;
    ImGui::TextDisabled(selected ? "selected event" : "newest event at the cursor");
    if (selected)
    {
        ImGui::SameLine();
        if (ImGui::SmallButton("clear"))
            out.push_back(Command::make(Command::Type::SelectEvent).withIndex(-1));
    }
    ImGui::Text("%s", eventTitle(store, static_cast<size_t>(index)).c_str());
    if (!beginFields("eventFields")) return;
    row("swoole fn", "%s", eventFn(e));
    const Actor& actor = store.actorOf(e);
    row("actor", "%s  pid %d  tid %d", actor.name.c_str(), actor.pid, actor.tid);
    // One number per event: its place in the recording, as in the timeline and the log. The
    // server's seq is the same number unless the recording missed events (joined mid-stream,
    // drops); then it is shown too, and the tooltip says why.
    std::string number = eventNumber(static_cast<size_t>(index));
    if (e.seq == static_cast<uint64_t>(index) + 1)
        row("event", "%s of %zu", number.c_str(), store.size());
    else
        row("event", "%s of %zu  (server seq %llu)", number.c_str(), store.size(),
            static_cast<unsigned long long>(e.seq));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "#N counts the events of this recording from 1, as the timeline and the log do.\n"
            "The server numbers its events too (seq); the two agree when the recording holds\n"
            "every event from the first, and differ when it joined mid-stream or events were\n"
            "dropped.");
    row("time", "%s  (ts %lld ns)",
        formatOffsetNs(e.tsNs - store.firstNs(), store.lastNs() - store.firstNs()).c_str(),
        static_cast<long long>(e.tsNs));
    if (e.session != 0) row("session", "%lld", static_cast<long long>(e.session));
    if (e.fd >= 0) row("fd", "%d", e.fd);
    if (e.reactor >= 0) row("reactor", "reactor[%d]", e.reactor);
    if (e.worker >= 0) row("worker", "worker[%d]", e.worker);
    if (e.msgId != 0) row("msg_id", "%llu", static_cast<unsigned long long>(e.msgId));
    if (e.flow != 0) row("flow", "%llu", static_cast<unsigned long long>(e.flow));
    std::string args = compactArgs(store.args(e));
    if (!args.empty()) row("args", "%s", args.c_str());
    std::string_view payload = store.payload(e);
    if (!payload.empty()) row("payload", "\"%s\"", readablePayload(payload).c_str());
    ImGui::EndTable();
    if (e.session != 0 && e.session != ctx.view.selectedSession)
    {
        char label[64];
        std::snprintf(label, sizeof label, "Follow session %lld",
                      static_cast<long long>(e.session));
        if (ImGui::Button(label))
            out.push_back(Command::make(Command::Type::SelectSession).withSession(e.session));
    }
}

const char* stageName(SessionState::Stage s)
{
    switch (s)
    {
        case SessionState::Stage::Accepted:
            return "accepted (not yet registered by its reactor)";
        case SessionState::Stage::Open:
            return "open";
        case SessionState::Stage::Closing:
            return "closing";
    }
    return "?";
}

void sessionSection(FrameContext& ctx, Commands& out)
{
    int64_t session = ctx.view.selectedSession;
    if (session == 0) return;
    ImGui::Separator();
    ImGui::Text("Session %lld", static_cast<long long>(session));
    ImGui::SameLine();
    if (ImGui::SmallButton("unselect"))
        out.push_back(Command::make(Command::Type::SelectSession).withSession(0));
    const auto& sessions = ctx.state.sessions();
    auto it = sessions.find(session);
    if (it == sessions.end())
    {
        ImGui::TextDisabled("not open at the cursor");
        return;
    }
    const SessionState& s = it->second;
    if (!beginFields("sessionFields")) return;
    row("stage", "%s", stageName(s.stage));
    row("fd", "%d", s.fd);
    if (s.reactor >= 0) row("reactor", "reactor[%d]", s.reactor);
    if (s.worker >= 0) row("worker", "worker[%d]", s.worker);
    row("requests", "%llu", static_cast<unsigned long long>(s.requests));
    ImGui::EndTable();
}

void serverTab(FrameContext& ctx)
{
    const Topology& t = ctx.store.topology();
    if (!ctx.store.hasHeader())
    {
        ImGui::TextDisabled("No header read yet.");
        return;
    }
    if (!beginFields("serverFields")) return;
    row("mode", "%s", t.mode.c_str());
    row("listen", "%s:%d", t.host.c_str(), t.port);
    row("reactor_num", "%d", t.reactorNum);
    row("worker_num", "%d", t.workerNum);
    row("dispatch_mode", "%d", t.dispatchMode);
    row("protocol", "%s", t.protocol.c_str());
    row("format", "%s", t.formatVersion.c_str());
    const ArchitectureState& s = ctx.state;
    row("accepted", "%llu", static_cast<unsigned long long>(s.accepted()));
    row("closed", "%llu", static_cast<unsigned long long>(s.closed()));
    row("open sessions", "%zu", s.sessions().size());
    row("restarts", "%llu", static_cast<unsigned long long>(s.managerRestarts()));
    ImGui::EndTable();
}

// The process-model findings (trace::ModelRules over the events): each row jumps to its event.
void modelFindingsSection(FrameContext& ctx, Commands& out)
{
    if (!ctx.findings) return;
    const auto& findings = ctx.findings->findings();
    size_t passed = ctx.findings->countBefore(ctx.playback.position());
    if (findings.empty())
    {
        ImGui::TextDisabled("process-model findings: none in %zu events", ctx.findings->checked());
        return;
    }
    ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.45f, 1.0f),
                       "process-model findings: %zu (%zu before the cursor)", findings.size(),
                       passed);
    ImGui::BeginChild("modelFindings", ImVec2(0, ImGui::GetContentRegionAvail().y * 0.5f));
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(findings.size()));
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
        {
            const trace::ModelFinding& f = findings[i];
            ImGui::PushID(i);
            char label[32];
            std::snprintf(label, sizeof label, "%s", eventNumber(f.ref).c_str());
            bool selected = ctx.view.selectedEvent == static_cast<int64_t>(f.ref);
            if (ImGui::Selectable(label, selected, ImGuiSelectableFlags_AllowItemOverlap))
            {
                out.push_back(Command::make(Command::Type::SelectEvent)
                                  .withIndex(static_cast<int64_t>(f.ref)));
                out.push_back(
                    Command::make(Command::Type::SeekEvent).withIndex(static_cast<int64_t>(f.ref)));
            }
            ImGui::SameLine();
            ImGui::TextWrapped("%s", f.message.c_str());
            ImGui::PopID();
        }
    ImGui::EndChild();
    ImGui::Separator();
}

void problemsTab(FrameContext& ctx, Commands& out)
{
    const TraceStore& store = ctx.store;
    modelFindingsSection(ctx, out);
    // Counts as "malformed lines skipped: 3" so no plural needs guessing.
    if (beginFields("problemCounts"))
    {
        row("malformed lines skipped", "%llu", static_cast<unsigned long long>(store.errorCount()));
        row("unknown-kind events skipped", "%llu",
            static_cast<unsigned long long>(store.unknownKinds()));
        row("dropped by the server's tracer", "%llu",
            static_cast<unsigned long long>(store.droppedByServer()));
        ImGui::EndTable();
    }
    ImGui::Separator();
    ImGui::BeginChild("errors");
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(store.errors().size()));
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
            ImGui::TextWrapped("%s", store.errors()[i].text().c_str());
    if (store.errorCount() > store.errors().size())
        ImGui::TextDisabled("(only the first %zu are kept)", store.errors().size());
    ImGui::EndChild();
}

}  // namespace

int64_t focusEvent(const FrameContext& ctx)
{
    int64_t selected = ctx.view.selectedEvent;
    if (selected >= 0 && static_cast<size_t>(selected) < ctx.store.size()) return selected;
    size_t pos = ctx.playback.position();
    return pos > 0 && pos <= ctx.store.size() ? static_cast<int64_t>(pos - 1) : -1;
}

void drawDetailsPanel(const RectF& window, FrameContext& ctx, Commands& out)
{
    if (!ctx.view.showDetails) return;
    ImGui::SetNextWindowPos(ImVec2(window.x, window.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(window.w, window.h), ImGuiCond_Always);
    ImGui::Begin("Details", &ctx.view.showDetails, kTiledWindowFlags);
    drawPanelFrame();
    if (ImGui::BeginTabBar("detailsTabs"))
    {
        if (ImGui::BeginTabItem("Event"))
        {
            eventTab(ctx, out);
            sessionSection(ctx, out);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Server"))
        {
            serverTab(ctx);
            ImGui::EndTabItem();
        }
        uint64_t problems =
            ctx.store.errorCount() + (ctx.findings ? ctx.findings->findings().size() : 0);
        char label[48];
        std::snprintf(label, sizeof label, "Problems (%llu)###problems",
                      static_cast<unsigned long long>(problems));
        ImGuiTabItemFlags flags = ctx.view.showErrors ? ImGuiTabItemFlags_SetSelected : 0;
        ctx.view.showErrors = false;  // a one-shot request from the menu or a load
        if (ImGui::BeginTabItem(problems ? label : "Problems###problems", nullptr, flags))
        {
            problemsTab(ctx, out);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

}  // namespace rscope::viewer
