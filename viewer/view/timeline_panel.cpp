// The timeline bar: step back / play-pause / step forward / step in the selected session, pace
// (real time x speed, or the teaching pace), the scrubber over every event, a density strip over
// trace time, and the live state ("Go live", "disconnected, retrying").
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <imgui.h>

#include "viewer/model/activity.h"
#include "viewer/model/model_findings.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

constexpr ImGuiWindowFlags kFixedWindow =
    kTiledWindowFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar;
constexpr ImU32 kAmber = IM_COL32(250, 190, 70, 255);
constexpr ImU32 kRed = IM_COL32(240, 90, 80, 255);
constexpr ImU32 kGreen = IM_COL32(110, 210, 120, 255);

void transportButtons(FrameContext& ctx, Commands& out)
{
    const Playback& pb = ctx.playback;
    bool empty = ctx.store.size() == 0;
    ImGui::BeginDisabled(empty);
    if (ImGui::Button("\xe2\x97\x80 Step")) out.push_back(Command::make(Command::Type::StepBack));
    recordWidget(ctx.view, "step_back");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("One event back (pauses); key: Left");
    ImGui::SameLine();
    // Same width whichever label shows, so the row does not jump when play toggles.
    float playWidth = ImGui::CalcTextSize("\xe2\x9d\x9a\xe2\x9d\x9a Pause").x +
                      ImGui::GetStyle().FramePadding.x * 2;
    const char* playLabel =
        pb.playing() ? "\xe2\x9d\x9a\xe2\x9d\x9a Pause###play" : "\xe2\x96\xb6 Play###play";
    if (ImGui::Button(playLabel, ImVec2(playWidth, 0)))
        out.push_back(Command::make(Command::Type::TogglePlay));
    recordWidget(ctx.view, "play");
    // The keys are read by the app (ViewerApp::shortcutCommands), whichever panel has focus.
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Play or pause; key: Space");
    ImGui::SameLine();
    if (ImGui::Button("Step \xe2\x96\xb6"))
        out.push_back(Command::make(Command::Type::StepForward));
    recordWidget(ctx.view, "step_forward");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("One event forward (pauses); key: Right");
    ImGui::EndDisabled();

    ImGui::SameLine();
    ImGui::BeginDisabled(empty || ctx.view.selectedSession == 0);
    if (ImGui::Button("\xe2\x97\x80##sessionBack"))
        out.push_back(
            Command::make(Command::Type::StepSessionBack).withSession(ctx.view.selectedSession));
    recordWidget(ctx.view, "session_back");
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    char label[64];
    std::snprintf(label, sizeof label, "session %lld \xe2\x96\xb6###sessionFwd",
                  static_cast<long long>(ctx.view.selectedSession));
    if (ImGui::Button(ctx.view.selectedSession ? label : "session \xe2\x96\xb6###sessionFwd"))
        out.push_back(
            Command::make(Command::Type::StepSessionForward).withSession(ctx.view.selectedSession));
    recordWidget(ctx.view, "session_forward");
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("Next event of the selected session (click a token or a log row)");
}

void paceControls(FrameContext& ctx, Commands& out)
{
    const Playback& pb = ctx.playback;
    float fs = ImGui::GetFontSize();
    ImGui::SameLine(0, fs * 1.2f);
    ImGui::SetNextItemWidth(fs * 9.5f);
    const char* modes[] = {"real time", "teaching pace"};
    int mode = pb.mode() == PaceMode::RealTime ? 0 : 1;
    if (ImGui::Combo("##pace", &mode, modes, 2))
    {
        if (mode == 0)
            out.push_back(Command::make(Command::Type::SetRealTime));
        else
            out.push_back(
                Command::make(Command::Type::SetEventPace).withValue(pb.eventIntervalMs()));
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(fs * 11.0f);
    if (mode == 0)
    {
        float speed = static_cast<float>(pb.speed());
        if (ImGui::SliderFloat("##speed", &speed, static_cast<float>(Playback::kMinSpeed),
                               static_cast<float>(Playback::kMaxSpeed), "%.2fx real time",
                               ImGuiSliderFlags_Logarithmic))
            out.push_back(Command::make(Command::Type::SetSpeed).withValue(speed));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(
                "Trace time per wall second. Events microseconds apart stay "
                "microseconds apart: slow down, or use the teaching pace.");
    }
    else
    {
        float ms = static_cast<float>(pb.eventIntervalMs());
        if (ImGui::SliderFloat("##msPerEvent", &ms, 1.0f, 10000.0f, "%.0f ms per event",
                               ImGuiSliderFlags_Logarithmic))
            out.push_back(Command::make(Command::Type::SetEventPace).withValue(ms));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(
                "Teaching pace: one event every N ms of wall time, whatever the "
                "real gap between them");
    }
}

// Live step mode (rscope server --trace-step): hold the server after each event and let it go one
// hop at a time, so a learner walks the real processes through a request.
void stepModeControls(FrameContext& ctx, Commands& out)
{
    const SourceInfo& src = ctx.source;
    if (!src.isLive || src.liveStatus != LiveStatus::Connected) return;
    ImGui::SameLine();
    if (!ctx.store.topology().traceStep)
    {
        ImGui::TextDisabled("(step mode: start the server with --trace-step)");
        return;
    }
    bool holding = ctx.view.holdingServer;
    if (ImGui::Checkbox("step the server", &holding))
        out.push_back(
            Command::make(holding ? Command::Type::HoldServer : Command::Type::RunServer));
    recordWidget(ctx.view, "step_server");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Every server thread pauses after each event until you let it go");
    if (!ctx.view.holdingServer) return;
    ImGui::SameLine();
    if (ImGui::Button("Next hop \xe2\x96\xb6"))
        out.push_back(Command::make(Command::Type::StepServer).withValue(1));
    recordWidget(ctx.view, "next_hop");
    ImGui::SameLine();
    if (ImGui::Button("10 hops"))
        out.push_back(Command::make(Command::Type::StepServer).withValue(10));
    recordWidget(ctx.view, "ten_hops");
    // The box is ticked when `hold` is sent; the server holds when it reads it, and says so with
    // gate_hold. Until then events still flow: the learner is told, not shown a held server.
    if (!ctx.store.held().holding())
    {
        ImGui::SameLine();
        ImGui::TextColored(ImColor(kAmber), "asking the server to hold...");
    }
}

void liveControls(FrameContext& ctx, Commands& out)
{
    const SourceInfo& src = ctx.source;
    if (!src.isLive) return;
    float fs = ImGui::GetFontSize();
    ImGui::SameLine(0, fs * 1.2f);
    switch (src.liveStatus)
    {
        case LiveStatus::Connected:
            ImGui::TextColored(ImColor(kGreen), "\xe2\x97\x8f connected");
            break;
        case LiveStatus::Retrying:
            ImGui::TextColored(ImColor(kRed), "\xe2\x97\x8f disconnected, retrying");
            break;
        case LiveStatus::Connecting:
            ImGui::TextColored(ImColor(kAmber), "\xe2\x97\x8f connecting");
            break;
        case LiveStatus::Stopped:
            ImGui::TextDisabled("\xe2\x97\x8f stopped");
            break;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s%s%s", src.address.c_str(), src.liveError.empty() ? "" : ": ",
                          src.liveError.c_str());
    ImGui::SameLine();
    if (ctx.playback.live())
    {
        ImGui::TextColored(ImColor(kGreen), "LIVE");
    }
    else
    {
        if (ImGui::Button("Go live")) out.push_back(Command::make(Command::Type::GoLive));
        recordWidget(ctx.view, "go_live");
    }
    stepModeControls(ctx, out);
}

void scrubber(FrameContext& ctx, Commands& out)
{
    const TraceStore& store = ctx.store;
    uint64_t pos = ctx.playback.position();
    uint64_t lo = 0, hi = store.size();
    // The slider's value is the count of events at or before the cursor: the newest one's
    // number (eventNumber), the same "#N" as the log and the details.
    char fmt[96];
    if (pos == 0)
        std::snprintf(fmt, sizeof fmt, "before event #1 (of %zu)", store.size());
    else
        std::snprintf(fmt, sizeof fmt, "event #%%llu of %zu", store.size());
    ImGui::SetNextItemWidth(-1);
    ImGui::BeginDisabled(store.size() == 0);
    if (ImGui::SliderScalar("##scrub", ImGuiDataType_U64, &pos, &lo, &hi, fmt))
        out.push_back(
            Command::make(Command::Type::SeekEvent).withIndex(static_cast<int64_t>(pos) - 1));
    recordWidget(ctx.view, "scrubber");
    ImGui::EndDisabled();
}

// Events per slice of trace time, with the cursor; click or drag seeks in time.
void densityStrip(FrameContext& ctx, Commands& out)
{
    const TraceStore& store = ctx.store;
    float fs = ImGui::GetFontSize();
    ImVec2 a = ImGui::GetCursorScreenPos();
    ImVec2 size(ImGui::GetContentRegionAvail().x, fs * 1.3f);
    ImGui::InvisibleButton("##density", size);
    recordWidget(ctx.view, "density");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 b(a.x + size.x, a.y + size.y);
    dl->AddRectFilled(a, b, IM_COL32(28, 32, 42, 255), fs * 0.2f);
    if (store.size() == 0) return;
    int64_t t0 = store.firstNs(), t1 = std::max(store.lastNs(), t0 + 1);
    int buckets = std::max(1, static_cast<int>(size.x / 3.0f));
    // Counts from binary searches over the ts-ordered store: buckets * log(n), no pass per frame.
    std::vector<size_t> counts(static_cast<size_t>(buckets));
    size_t prev = 0, maxCount = 1;
    for (int i = 0; i < buckets; ++i)
    {
        int64_t edge = t0 + static_cast<int64_t>(static_cast<double>(t1 - t0) * (i + 1) / buckets);
        size_t upTo = i + 1 == buckets ? store.size() : store.lowerBoundNs(edge + 1);
        counts[i] = upTo - prev;
        prev = upTo;
        maxCount = std::max(maxCount, counts[i]);
    }
    float bw = size.x / static_cast<float>(buckets);
    for (int i = 0; i < buckets; ++i)
    {
        if (counts[i] == 0) continue;
        // sqrt keeps a lone request visible next to a burst of thousands.
        float h = std::max(2.0f, size.y * 0.9f * std::sqrt(float(counts[i]) / float(maxCount)));
        dl->AddRectFilled(ImVec2(a.x + i * bw, b.y - h), ImVec2(a.x + (i + 1) * bw - 0.5f, b.y),
                          IM_COL32(96, 140, 200, 255));
    }
    // Process-model findings as red ticks over the bars; at most one per pixel column, so a
    // broken trace with thousands of findings costs no more than the strip's width.
    if (ctx.findings)
    {
        float lastX = -1;
        for (const trace::ModelFinding& f : ctx.findings->findings())
        {
            if (f.ref >= store.size()) break;
            float x = a.x + size.x * static_cast<float>(double(store[f.ref].tsNs - t0) / (t1 - t0));
            if (x - lastX < 1.0f) continue;
            lastX = x;
            dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), IM_COL32(240, 80, 70, 255), 2.0f);
        }
    }
    float cx = a.x + size.x * static_cast<float>(double(ctx.playback.cursorNs() - t0) / (t1 - t0));
    cx = std::clamp(cx, a.x, b.x);
    dl->AddLine(ImVec2(cx, a.y), ImVec2(cx, b.y), kAmber, 2.0f);

    if (ImGui::IsItemHovered() || ImGui::IsItemActive())
    {
        float f = std::clamp((ImGui::GetMousePos().x - a.x) / size.x, 0.0f, 1.0f);
        int64_t t = t0 + static_cast<int64_t>(f * static_cast<double>(t1 - t0));
        ImGui::SetTooltip("%s (click to jump)", formatOffsetNs(t - t0, t1 - t0).c_str());
        if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left))
            out.push_back(Command::make(Command::Type::SeekNs).withNs(t));
    }
}

void statusLine(FrameContext& ctx)
{
    const TraceStore& store = ctx.store;
    const Playback& pb = ctx.playback;
    if (store.size() == 0)
    {
        ImGui::TextDisabled("no events");
        return;
    }
    int64_t t0 = store.firstNs();
    int64_t cursorNs = pb.cursorNs();
    ImGui::TextUnformatted(formatTimeReadout(cursorNs - t0, store.lastNs() - t0).c_str());
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Trace time of the cursor, from the first event to the last");
    size_t pos = pb.position();
    if (pos > 0)
    {
        ImGui::SameLine(0, ImGui::GetFontSize());
        ImGui::TextDisabled("newest: event %s %s", eventNumber(pos - 1).c_str(),
                            eventTitle(store, pos - 1).c_str());
    }
    const Activity& act = ctx.activity;
    if (act.rateMode)
    {
        ImGui::SameLine(0, ImGui::GetFontSize());
        double perSec = act.windowNs > 0 ? act.windowEvents * 1e9 / act.windowNs : 0;
        ImGui::TextColored(ImColor(kAmber),
                           "too fast to animate one by one (%zu events in the window, %.0f/s "
                           "trace time): edges show rates",
                           act.windowEvents, perSec);
    }
}

}  // namespace

void drawTimelinePanel(const RectF& window, FrameContext& ctx, Commands& out)
{
    ImGui::SetNextWindowPos(ImVec2(window.x, window.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(window.w, window.h), ImGuiCond_Always);
    ImGui::Begin("Timeline", nullptr, kFixedWindow);
    drawPanelFrame();
    transportButtons(ctx, out);
    paceControls(ctx, out);
    liveControls(ctx, out);
    scrubber(ctx, out);
    densityStrip(ctx, out);
    statusLine(ctx);
    ImGui::End();
}

}  // namespace rscope::viewer
