// The sequence tab's exports: the diagram the tab shows (its sessions, around its center) laid
// out whole for a PNG, or written as Mermaid text. A wider window than on screen, still bounded:
// a PNG side is at most 16384 px and a long session has millions of events.
#include <cerrno>
#include <cstring>
#include <fstream>

#include <imgui.h>

#include "viewer/app/viewer_app.h"
#include "viewer/layout/mermaid_export.h"
#include "viewer/layout/sequence_layout.h"
#include "viewer/model/sequence_model.h"

namespace rscope::viewer
{

namespace
{
constexpr size_t kExportMessages = 400;
}  // namespace

DrawList ViewerApp::layoutSequenceForExport() const
{
    SequenceModel model = buildSequence(*store_, sessions_, view_.sequenceSessions,
                                        view_.sequenceCenter, kExportMessages);
    float fs = ImGui::GetFontSize();
    SequenceLayoutInput in;
    in.model = &model;
    // At the origin (the offscreen target starts at (0, 0)), tall enough for every row.
    in.canvas = {0, 0, pictureArea_.w, sequenceContentHeight(model, fs, pictureArea_.w)};
    in.fontSize = fs;
    in.position = playback_.position();
    in.selectedSession = view_.selectedSession;
    in.selectedEvent = view_.selectedEvent;
    return layoutSequence(in);
}

bool ViewerApp::exportSequenceMermaid(const std::string& path, std::string& error) const
{
    SequenceModel model = buildSequence(*store_, sessions_, view_.sequenceSessions,
                                        view_.sequenceCenter, kExportMessages);
    if (model.messages.empty())
    {
        error = "export: no sequence to export (select a session in the Sequence tab)";
        return false;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) out << toMermaid(model);
    out.flush();
    if (!out)
    {
        error = "export: write(" + path + "): " + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace rscope::viewer
