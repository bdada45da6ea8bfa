// The window and the frame loop: GLFW + OpenGL 3.3 core + Dear ImGui setup and teardown, one
// frame = model update, panels, render; interactive and headless runs; the keyboard shortcuts.
// The captures and dumps they write are in app_dumps.cpp.
#include "viewer/app/viewer_app.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "engine/tutorial/lesson_runner.h"
#include "viewer/app/fonts.h"
#include "viewer/app/gl.h"
#include "viewer/app/picture_export.h"
#include "viewer/app/quit_signal.h"
#include "viewer/layout/architecture_layout.h"
#include "viewer/layout/startup_layout.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

namespace
{

constexpr double kHeadlessDt = 1.0 / 60.0;  // the fixed animation clock of headless frames
constexpr float kFontPixels = 15.0f;
constexpr int kWarmupFrames = 2;
constexpr int kStepEveryFrames = 6;  // --step-hops: one hop per 100 ms at 60 frames a second

void glfwErrorCallback(int code, const char* message)
{
    std::fprintf(stderr, "rscope-viewer: GLFW error %d: %s\n", code, message);
}

void applyStyle()
{
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 0.0f;  // tiled windows: square corners meet cleanly
    style.FrameRounding = 3.0f;
    style.GrabRounding = 3.0f;
    style.WindowBorderSize = 1.0f;
    style.Colors[ImGuiCol_WindowBg] = kPanelBackground;
    style.Colors[ImGuiCol_TitleBgActive] = style.Colors[ImGuiCol_TitleBg];
}

}  // namespace

ViewerApp::ViewerApp(ViewerOptions options)
    : options_(std::move(options)), store_(std::make_unique<TraceStore>())
{
}

ViewerApp::~ViewerApp()
{
    closeTutorial();  // the lesson's helpers and server stop; no orphans
    live_.reset();    // joins the socket thread before the store it feeds is gone
    shutdownWindow();
}

int ViewerApp::run()
{
    if (options_.bench) return runBench();
    if (options_.headless()) return writeStateOnExit(runHeadless());
    return writeStateOnExit(runInteractive());
}

bool ViewerApp::initWindow(bool visible, bool vsync)
{
    glfwSetErrorCallback(glfwErrorCallback);
    if (!glfwInit())
    {
        std::fprintf(stderr,
                     "rscope-viewer: cannot start GLFW (no X display? run under "
                     "xvfb-run -a -s \"-screen 0 1280x800x24\"); exiting\n");
        return false;
    }
#ifdef __EMSCRIPTEN__
    // WebGL 2 is OpenGL ES 3.0: Emscripten's GLFW gives it for an ES 3 context.
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#else
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
#endif
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_RESIZABLE, headless_ ? GLFW_FALSE : GLFW_TRUE);
    std::string title = "Reactorscope";
    if (!sourceLabel_.empty()) title += " - " + sourceLabel_;
    window_ = glfwCreateWindow(options_.width, options_.height, title.c_str(), nullptr, nullptr);
    if (!window_)
    {
        std::fprintf(stderr, "rscope-viewer: cannot create a %dx%d OpenGL 3.3 window; exiting\n",
                     options_.width, options_.height);
        glfwTerminate();
        return false;
    }
    glfwMakeContextCurrent(window_);
#ifndef __EMSCRIPTEN__
    if (gladLoadGL(glfwGetProcAddress) == 0)
    {
        std::fprintf(stderr, "rscope-viewer: gladLoadGL failed (no OpenGL 3.3); exiting\n");
        return false;
    }
#endif
    glfwSwapInterval(vsync ? 1 : 0);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // every window is placed each frame; nothing to remember
    if (headless_) io.ConfigFlags |= ImGuiConfigFlags_NoMouse;
    applyStyle();
    loadFonts(kFontPixels);
    // Headless frames take no input, so the backend installs no callbacks. Ours goes first:
    // the backend chains to it.
    if (!headless_)
    {
        glfwSetWindowUserPointer(window_, this);
        glfwSetKeyCallback(window_, onKey);
    }
    ImGui_ImplGlfw_InitForOpenGL(window_, !headless_);
#ifdef __EMSCRIPTEN__
    ImGui_ImplOpenGL3_Init("#version 300 es");
#else
    ImGui_ImplOpenGL3_Init("#version 330 core");
#endif
    imguiReady_ = true;
    return true;
}

void ViewerApp::shutdownWindow()
{
    if (imguiReady_)
    {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
        imguiReady_ = false;
    }
    if (window_)
    {
        glfwDestroyWindow(window_);
        window_ = nullptr;
        glfwTerminate();
    }
}

void ViewerApp::updateModel(double dtSec)
{
    if (reader_) stepLoad();
    if (live_) drainLive();
    // While a file loads in slices the keyframes are not built yet: the picture waits.
    if (reader_) return;
    playback_.advance(*store_, dtSec);
    cursor_.moveTo(*store_, timeline_, std::min(playback_.position(), store_->size()));
    activity_ = computeActivity(*store_, playback_, timeline_, cursor_.state());
    updateFilter();
    updateTutorial();
    updateServerAccess();
}

Commands ViewerApp::drawUi()
{
    FrameContext ctx{*store_, playback_, cursor_.state(), activity_, view_, sourceInfo(), fps_};
    ctx.findings = &findings_;
    ctx.sessions = &sessions_;
    ctx.startup = &startup_;
    ctx.stats = &stats_;
    ctx.tutorial = tutorial_.get();
    ctx.nowMs = nowMs();
    Commands out;
    view_.widgets.clear();  // the menu bar records its headers first, then the panels theirs
    float menuHeight = drawMenuBar(ctx, out);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    PanelRects rects = computePanelRects(vp->Pos.x, vp->Pos.y, vp->Size.x, vp->Size.y, menuHeight,
                                         ImGui::GetFontSize(), view_);
    if (!view_.showDetails) rects.architecture.w += rects.details.w;
    rects_ = rects;

    // Only the tab on show is laid out: the others would cost a frame's work for nothing.
    pictures_.clear();
    view_.sessionListRows.clear();  // the Sequence tab refills them when it is on show
    RectF area = beginPicturePanel(rects.architecture, ctx, out);
    pictureArea_ = area;
    switch (view_.pictureTab)
    {
        case PictureTab::Architecture:
            pictures_.push_back(layoutArchitectureIn(area));
            drawArchitectureTab(pictures_.back(), ctx, out);
            break;
        case PictureTab::Sequence:
            pictures_.push_back(drawSequenceTab(area, ctx, out));
            break;
        case PictureTab::Startup:
            pictures_.push_back(drawStartupTab(area, ctx, out));
            break;
        case PictureTab::Statistics:
            pictures_.push_back(drawStatisticsTab(area, ctx, out));
            break;
        default:
            break;
    }
    endPicturePanel();

    drawTutorialPanel(rects.tutorial, ctx, out);
    drawDetailsPanel(rects.details, ctx, out);
    drawTimelinePanel(rects.timeline, ctx, out);
    drawEventLogPanel(rects.eventLog, ctx, out);
    drawModals(ctx, out);
    return out;
}

DrawList ViewerApp::layoutArchitectureIn(const RectF& canvas) const
{
    ArchitectureLayoutInput in;
    in.store = store_.get();
    in.state = &cursor_.state();
    in.activity = &activity_;
    in.canvas = canvas;
    in.selectedSession = view_.selectedSession;
    in.fontSize = ImGui::GetFontSize();
    in.highlightNodes = &view_.highlightNodes;
    in.stoppedWorkers = &view_.pausedWorkers;
    in.slowTraceReader = nowMs() < view_.slowReaderUntilMs;
    in.highlightEdges = &view_.highlightEdges;
    // The UI language is the lesson's (its language switch), else --lang.
    in.language = tutorial_ ? tutorial::langName(tutorial_->lang()) : options_.lang;
    return layoutArchitecture(in);
}

bool ViewerApp::exportPicture(const std::string& path, std::string& error)
{
    // Laid out again at the origin: the offscreen target starts at (0, 0), the window does not.
    RectF canvas{0, 0, pictureArea_.w, pictureArea_.h};
    switch (view_.pictureTab)
    {
        case PictureTab::Architecture:
            return exportPicturePng(layoutArchitectureIn(canvas), path, error);
        case PictureTab::Sequence:
            return exportPicturePng(layoutSequenceForExport(), path, error);
        case PictureTab::Startup:
        {
            StartupLayoutInput in;
            in.store = store_.get();
            in.progress = &startup_;
            in.position = std::min(playback_.position(), store_->size());
            in.canvas = canvas;
            in.fontSize = ImGui::GetFontSize();
            in.highlightNodes = &view_.highlightNodes;
            in.highlightEdges = &view_.highlightEdges;
            return exportPicturePng(layoutStartup(in), path, error);
        }
        default:
            error = std::string("export: the ") + pictureTabName(view_.pictureTab) +
                    " tab has no picture to export (use --screenshot)";
            return false;
    }
}

void ViewerApp::driveStepHops()
{
    // Hold once the server's header said it can step, then let one hop through every few frames
    // until N events arrived after the hold: a step with no thread paused lets nothing through,
    // and several threads may be paused at once, so events, not steps, are counted. The capture
    // then shows the server stopped where the hops ran out.
    if (!live_ || stepHopsLeft_ <= 0 || !store_->hasHeader() || !store_->topology().traceStep)
        return;
    if (!view_.holdingServer)
    {
        applyCommands({Command::make(Command::Type::HoldServer)});
        stepBaseEvents_ = store_->size();
        stepFrames_ = 0;
        return;
    }
    if (store_->size() >= stepBaseEvents_ + static_cast<size_t>(stepHopsLeft_)) return;
    if (stepFrames_++ % kStepEveryFrames == 0)
        live_->sendCommand("step");  // raw steps: the events that arrive are counted above
}

void ViewerApp::frame(double dtSec)
{
    glfwPollEvents();
    updateModel(dtSec);

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (headless_) ImGui::GetIO().DeltaTime = static_cast<float>(kHeadlessDt);
    ImGui::NewFrame();
    Commands commands = drawUi();
    shortcutCommands(commands);
    ImGui::Render();
    ++frames_;

    int fbWidth = 0, fbHeight = 0;
    glfwGetFramebufferSize(window_, &fbWidth, &fbHeight);
    glViewport(0, 0, fbWidth, fbHeight);
    clearBackgrounds(fbWidth, fbHeight);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    fps_ = ImGui::GetIO().Framerate;
    // Before the commands: the dump's cursor and selection are those the pictures were drawn
    // with (a click shows in the next frame's dump).
    if (!headless_) dumpLayoutIfDue();

    // A click or a key changed something: the next frame shows it without waiting for input.
    redrawNow_ = !commands.empty();
    applyCommands(commands);
}

void ViewerApp::onKey(GLFWwindow* window, int key, int /*scancode*/, int action, int mods)
{
    auto* app = static_cast<ViewerApp*>(glfwGetWindowUserPointer(window));
    if (app != nullptr && action != GLFW_RELEASE) app->pressedKeys_.push_back({key, mods, action});
}

void ViewerApp::shortcutCommands(Commands& out)
{
    // Presses come from the key callback, not from ImGui's per-frame key state: in 1.86 a tap
    // whose press and release reach the same frame is not seen at all (xdotool's are such).
    std::vector<KeyPress> keys;
    keys.swap(pressedKeys_);
    const ImGuiIO& io = ImGui::GetIO();
    // Space plays or pauses, the arrows step: the keys a learner tries first. Not while a text
    // field (search, a File dialog) has the keyboard.
    bool playbackKeys = !io.WantTextInput &&
                        !ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId) &&
                        store_->size() > 0;
    constexpr int kChordMods = GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER;
    using T = Command::Type;
    for (const KeyPress& k : keys)
    {
        // Ctrl+Q quits like the window's close button (File > Quit).
        if (k.key == GLFW_KEY_Q && (k.mods & GLFW_MOD_CONTROL) && k.action == GLFW_PRESS)
            out.push_back(Command::make(T::Quit));
        if (!playbackKeys || (k.mods & kChordMods) != 0) continue;
        if (k.key == GLFW_KEY_SPACE && k.action == GLFW_PRESS)
            out.push_back(Command::make(T::TogglePlay));
        else if (k.key == GLFW_KEY_LEFT)  // held down: repeats step on
            out.push_back(Command::make(T::StepBack));
        else if (k.key == GLFW_KEY_RIGHT)
            out.push_back(Command::make(T::StepForward));
    }
}

void ViewerApp::clearBackgrounds(int fbWidth, int fbHeight)
{
    // The tiled windows paint no background (kTiledWindowFlags): clears are nearly free under
    // llvmpipe, blended rectangles are not.
    glClearColor(kPanelBackground.x, kPanelBackground.y, kPanelBackground.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
    const RectF& r = rects_.architecture;
    int x = static_cast<int>(r.x * scale.x), w = static_cast<int>(r.w * scale.x);
    int h = static_cast<int>(r.h * scale.y);
    int y = fbHeight - static_cast<int>((r.y + r.h) * scale.y);  // GL counts rows from the bottom
    if (w <= 0 || h <= 0 || x >= fbWidth) return;
    glEnable(GL_SCISSOR_TEST);
    glScissor(x, y, w, h);
    glClearColor(kCanvasBackground.x, kCanvasBackground.y, kCanvasBackground.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    glDisable(GL_SCISSOR_TEST);
}

int ViewerApp::runInteractive()
{
    if (!startInteractive()) return kExitNoDisplay;
    if (int rc = startRc_; rc != kExitOk) return rc;
    while (!glfwWindowShouldClose(window_) && !quitRequested())
    {
        interactiveFrame();
        // Nothing moves while paused with no source feeding: wait for input instead of
        // redrawing the same frame (llvmpipe renders on the CPU).
        bool idle = !playback_.playing() && !live_ && !reader_ && !redrawNow_;
        if (idle) glfwWaitEventsTimeout(0.25);
    }
    return kExitOk;
}

bool ViewerApp::startInteractive()
{
    if (!options_.replayPath.empty()) sourceLabel_ = options_.replayPath;
    if (!options_.connect.empty()) sourceLabel_ = options_.connect;
    if (!initWindow(true, true)) return false;
    listLessons();
    if (!options_.replayPath.empty()) startLoad(options_.replayPath);
    if (!options_.connect.empty()) startLive(options_.connect);
    if (!options_.tutorial.empty())
        if (int rc = openTutorial(options_.tutorial); rc != kExitOk) startRc_ = rc;  // attaches
    applyStartOptions();
    // A file loads in slices over the first frames: the moment (--at-event, --at-ns) is taken
    // again once it is in.
    startOptionsPending_ = reader_ != nullptr;
    lastFrameSec_ = glfwGetTime();
    return true;
}

void ViewerApp::interactiveFrame()
{
    double now = glfwGetTime();
    // A stall (a dragged window, a breakpoint, a hidden browser tab) must not fast-forward the
    // playback.
    double dt = std::min(now - lastFrameSec_, 0.1);
    lastFrameSec_ = now;
    frame(dt);
    glfwSwapBuffers(window_);
    followLink();
    if (startOptionsPending_ && !reader_)
    {
        startOptionsPending_ = false;
        applyStartOptions();
    }
}

int ViewerApp::runHeadless()
{
    headless_ = true;
    if (!options_.replayPath.empty())
    {
        sourceLabel_ = options_.replayPath;
        if (int rc = loadFileNow(options_.replayPath); rc != kExitOk) return rc;
    }
    if (!options_.tutorial.empty())
        if (int rc = openTutorial(options_.tutorial); rc != kExitOk) return rc;
    if (!initWindow(false, false)) return kExitNoDisplay;
    if (!options_.connect.empty() && !live_) startLive(options_.connect);
    applyStartOptions();

    // Tables and tab bars measure themselves in their first frame: two frames that do not move
    // the playback come first, so even --frames 1 captures a settled picture.
    for (int i = 0; i < kWarmupFrames; ++i)
    {
        frame(0.0);
        glfwSwapBuffers(window_);
    }
    int frames = options_.frames.value_or(3);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < frames && !quitRequested(); ++i)
    {
        driveStepHops();
        frame(kHeadlessDt);
        if (i + 1 < frames) glfwSwapBuffers(window_);
        // A live capture spans real time (the server keeps running); a replay needs no wait.
        if (live_)
            std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(
                                                      (i + 1) * kHeadlessDt * 1e6)));
    }
    int rc = writeCaptures();
    glfwSwapBuffers(window_);
    return rc;
}

}  // namespace rscope::viewer
