// The main menu bar (File: Open, Save recording, Export picture, Quit; View: panel toggles;
// Tutorial: tutorial_panel.cpp; Server: server_menu.cpp; a status text on the right), the File
// modals with their path fields, and the loading progress window.
#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "viewer/layout/layout_text.h"
#include "viewer/model/bundled_files.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"
#include "viewer/view/panels.h"

namespace rscope::viewer
{

namespace
{

void fileMenu(FrameContext& ctx, Commands& out)
{
    if (!ImGui::BeginMenu("File")) return;
    if (ImGui::MenuItem("Open...", nullptr, false, !ctx.source.loading))
        ctx.view.openModalRequested = true;
    if (ImGui::MenuItem("Save recording...", nullptr, false, ctx.store.size() > 0))
        ctx.view.saveModalRequested = true;
    if (ImGui::MenuItem("Export picture as PNG...", nullptr, false,
                        ctx.view.pictureTab != PictureTab::Statistics))
        ctx.view.exportPngModalRequested = true;
    // A page is closed with its tab: the browser has no Quit.
    if (!ctx.source.web)
    {
        ImGui::Separator();
        if (ImGui::MenuItem("Quit", "Ctrl+Q")) out.push_back(Command::make(Command::Type::Quit));
    }
    ImGui::EndMenu();
}

void viewMenu(FrameContext& ctx, Commands& out)
{
    bool open = ImGui::BeginMenu("View");
    recordWidget(ctx.view, "menu_view");  // the header: tests open the menu where it is
    if (!open) return;
    ImGui::MenuItem("Event log", nullptr, &ctx.view.showEventLog);
    ImGui::MenuItem("Details", nullptr, &ctx.view.showDetails);
    if (ImGui::MenuItem("Load problems"))
    {
        ctx.view.showDetails = true;
        ctx.view.showErrors = true;
    }
    // A page has an address to link to: a blog post or a course can point at this moment.
    if (ctx.source.web)
    {
        ImGui::Separator();
        if (ImGui::MenuItem("Copy link to this moment"))
            out.push_back(Command::make(Command::Type::CopyMomentLink));
        recordWidget(ctx.view, "menu_copy_link");
        ImGui::MenuItem("Address bar follows the cursor", nullptr, &ctx.view.linkFollowsCursor);
        recordWidget(ctx.view, "menu_link_follows");
    }
    ImGui::EndMenu();
}

// Right-aligned: the status message, the source and its size, the frame rate.
void statusText(FrameContext& ctx)
{
    char right[256];
    const SourceInfo& src = ctx.source;
    // The rate only means something while frames are drawn back to back (paused, the loop
    // waits for input).
    bool moving = ctx.playback.playing() || src.isLive || src.loading;
    char fps[32] = "paused";
    if (moving) std::snprintf(fps, sizeof fps, "%.0f fps", ctx.fps);
    std::snprintf(right, sizeof right, "%s  |  %zu events  |  %s",
                  src.address.empty() ? "no source" : src.address.c_str(), ctx.store.size(), fps);
    float fs = ImGui::GetFontSize();
    float rightWidth = ImGui::CalcTextSize(right).x;
    const std::string& msg = ctx.view.statusMessage;
    if (!msg.empty())
    {
        ImGui::SameLine(0, fs * 2);
        ImVec4 color = ctx.view.statusIsError ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f)
                                              : ImVec4(0.75f, 0.8f, 0.88f, 1.0f);
        // Leaves room for the right-hand text; a long message is cut by the clip rect.
        float limit = ImGui::GetWindowWidth() - rightWidth - fs * 2;
        ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                            ImVec2(limit, ImGui::GetCursorScreenPos().y + fs * 2), true);
        ImGui::TextColored(color, "%s", msg.c_str());
        ImGui::PopClipRect();
    }
    ImGui::SameLine(ImGui::GetWindowWidth() - rightWidth - fs);
    ImGui::TextDisabled("%s", right);
}

bool pathModal(const char* title, const char* prompt, char* path, size_t size, const char* action)
{
    bool done = false;
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return false;
    ImGui::TextUnformatted(prompt);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
    bool enter = ImGui::InputText("##path", path, size, ImGuiInputTextFlags_EnterReturnsTrue);
    if ((ImGui::Button(action) || enter) && path[0] != '\0')
    {
        done = true;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return done;
}

// Checked before the command goes out, so a bad path leaves the open trace alone and the dialog
// open with the reason under the field.
bool tryOpen(ViewState& view, Commands& out)
{
    if (!checkTraceFile(view.openPath, view.openError)) return false;
    out.push_back(Command::make(Command::Type::OpenFile).withText(view.openPath));
    ImGui::CloseCurrentPopup();
    return true;
}

void bundledTraceList(ViewState& view, Commands& out)
{
    float fs = ImGui::GetFontSize();
    ImGui::TextUnformatted("Recorded traces (traces/*.jsonl): click to pick, double-click to open");
    if (view.openTraces.empty())
    {
        ImGui::TextDisabled("none found in ./traces, beside the binary or in the source tree");
        return;
    }
    float rowH = ImGui::GetTextLineHeightWithSpacing();
    size_t shown = std::min<size_t>(view.openTraces.size(), 12);
    ImGui::BeginChild(
        "bundledTraces",
        ImVec2(fs * 34, rowH * static_cast<float>(shown) + ImGui::GetStyle().WindowPadding.y * 2),
        true);
    for (const BundledTrace& t : view.openTraces)
    {
        bool picked = t.path == view.openPath;
        if (ImGui::Selectable(t.name.c_str(), picked, ImGuiSelectableFlags_AllowDoubleClick))
        {
            std::snprintf(view.openPath, sizeof view.openPath, "%s", t.path.c_str());
            view.openError.clear();
            if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) tryOpen(view, out);
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t.path.c_str());
        std::string size = formatBytes(static_cast<int64_t>(t.sizeBytes));
        ImGui::SameLine(fs * 34 - ImGui::CalcTextSize(size.c_str()).x - fs * 1.2f);
        ImGui::TextDisabled("%s", size.c_str());
    }
    ImGui::EndChild();
}

void openModal(const SourceInfo& source, ViewState& view, Commands& out)
{
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal("Open trace", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    float fs = ImGui::GetFontSize();
    bundledTraceList(view, out);
    ImGui::Spacing();
    // The page reads the learner's own files; the path field below names the page's files.
    if (source.web)
    {
        if (ImGui::Button("From this computer..."))
        {
            out.push_back(Command::make(Command::Type::PickLocalFile));
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        ImGui::TextDisabled("(or drop a .jsonl file on the page)");
        ImGui::Spacing();
    }
    ImGui::TextUnformatted("Or any JSON Lines trace file (rscope record, --trace-file):");
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(fs * 34);
    bool enter = ImGui::InputText("##path", view.openPath, sizeof view.openPath,
                                  ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::IsItemEdited()) view.openError.clear();
    ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter));
    if (!view.openError.empty())
    {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + fs * 34);
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", view.openError.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::BeginDisabled(view.openPath[0] == '\0');
    if (ImGui::Button("Open") || (enter && view.openPath[0] != '\0')) tryOpen(view, out);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

}  // namespace

float drawMenuBar(FrameContext& ctx, Commands& out)
{
    float height = 0;
    if (ImGui::BeginMainMenuBar())
    {
        fileMenu(ctx, out);
        viewMenu(ctx, out);
        drawTutorialMenu(ctx, out);
        drawServerMenu(ctx, out);
        statusText(ctx);
        height = ImGui::GetWindowSize().y;
        ImGui::EndMainMenuBar();
    }
    return height;
}

void drawModals(FrameContext& ctx, Commands& out)
{
    ViewState& view = ctx.view;
    if (view.openModalRequested)
    {
        ImGui::OpenPopup("Open trace");
        view.openTraces = listBundledTraces();
        view.openError.clear();
    }
    if (view.saveModalRequested) ImGui::OpenPopup("Save recording");
    if (view.exportPngModalRequested) ImGui::OpenPopup("Export picture");
    view.openModalRequested = view.saveModalRequested = view.exportPngModalRequested = false;
    openModal(ctx.source, view, out);
    if (pathModal("Save recording", "Save every event of this session as JSON Lines to:",
                  view.savePath, sizeof view.savePath, "Save"))
        out.push_back(Command::make(Command::Type::SaveRecording).withText(view.savePath));
    if (pathModal("Export picture",
                  "Render the picture of this tab at its full size (a whole sequence diagram) "
                  "to the PNG:",
                  view.exportPngPath, sizeof view.exportPngPath, "Export"))
        out.push_back(Command::make(Command::Type::ExportPicturePng).withText(view.exportPngPath));

    if (!ctx.source.loading) return;
    float fs = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(fs * 28, 0), ImGuiCond_Always);
    ImGui::Begin("Loading", nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse);
    ImGui::TextWrapped("Reading %s", ctx.source.address.c_str());
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%.0f%%  (%zu events)", ctx.source.loadProgress * 100.0,
                  ctx.store.size());
    ImGui::ProgressBar(static_cast<float>(ctx.source.loadProgress), ImVec2(-1, 0), overlay);
    ImGui::End();
}

}  // namespace rscope::viewer
