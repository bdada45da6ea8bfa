// What the host of the viewer does for it: nothing on the desktop (platform_desktop.cpp); on the
// web (viewer/web/platform_web.cpp) the page downloads the files the viewer writes into its
// in-memory file system, and the address bar shows links to a moment.
// Owner: none (free functions). Thread-safety: the GUI thread.
#pragma once

#include <string>

namespace rscope::viewer
{

// True in the browser build: the File menu's writes become downloads, a local process (a
// lesson's server, a Server-menu fault) is only reachable through `rscope web`.
bool platformIsWeb();

// The viewer wrote `path` for the learner (a saved recording, an exported picture).
void platformFileWritten(const std::string& path);

// The moment on screen as a link query: replaces the address bar's query; `copy` also puts the
// whole address on the clipboard. Returns the address ("" on the desktop: nothing to link).
std::string platformShowLink(const std::string& query, bool copy);

// The page's file picker (File > Open > From this computer); the file opens when picked.
void platformPickFile();

}  // namespace rscope::viewer
