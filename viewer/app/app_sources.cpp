// Sources and commands of ViewerApp: a trace file read whole (headless) or in slices (window),
// the live socket drained within a budget each frame, the log filter kept current, and the
// panels' commands applied to the playback and the view state.
#include <chrono>
#include <cstdio>

#include <GLFW/glfw3.h>

#include "viewer/app/platform.h"
#include "viewer/app/viewer_app.h"
#include "viewer/model/event_filter.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"
#include "viewer/model/tutorial_session.h"

namespace rscope::viewer
{

namespace
{

using Clock = std::chrono::steady_clock;
// Per-frame budgets: a 60 fps frame has ~16 ms; parsing or draining may take part of it.
constexpr auto kLoadBudget = std::chrono::milliseconds(12);
constexpr auto kLiveBudget = std::chrono::milliseconds(6);
constexpr size_t kLoadSlice = 8192;
constexpr size_t kLiveSlice = 8192;
constexpr size_t kErrorsPrinted = 20;

}  // namespace

void ViewerApp::reportLoadProblems(const std::string& path)
{
    const TraceStore& store = *store_;
    const auto& errors = store.errors();
    for (size_t i = 0; i < errors.size() && i < kErrorsPrinted; ++i)
        std::fprintf(stderr, "%s\n", errors[i].text().c_str());
    char msg[512];
    if (store.errorCount() > 0)
    {
        std::snprintf(msg, sizeof msg,
                      "%s: %zu events; %llu malformed line%s skipped (see Details > Problems)",
                      path.c_str(), store.size(),
                      static_cast<unsigned long long>(store.errorCount()),
                      store.errorCount() == 1 ? "" : "s");
        std::fprintf(stderr, "rscope-viewer: %s\n", msg);
        view_.statusIsError = true;
        view_.showErrors = true;  // the Problems tab comes to the front
    }
    else
    {
        msg[0] = '\0';  // the menu bar already shows the source and its size
        view_.statusIsError = false;
    }
    if (store.unknownKinds() > 0)
        std::fprintf(stderr, "rscope-viewer: %s: %llu events of unknown kinds skipped\n",
                     path.c_str(), static_cast<unsigned long long>(store.unknownKinds()));
    // The process-model findings (resetDerived ran the checks): printed like trace check --model.
    const auto& findings = findings_.findings();
    for (size_t i = 0; i < findings.size() && i < kErrorsPrinted; ++i)
        std::fprintf(stderr, "%s: event #%llu (seq %llu): model: %s\n", path.c_str(),
                     static_cast<unsigned long long>(findings[i].ref),
                     static_cast<unsigned long long>(findings[i].seq), findings[i].message.c_str());
    if (!findings.empty())
    {
        if (msg[0] == '\0')
            std::snprintf(msg, sizeof msg,
                          "%s: process-model findings: %zu (see Details > Problems)", path.c_str(),
                          findings.size());
        view_.statusIsError = true;
        view_.showErrors = true;
    }
    view_.statusMessage = msg;
}

int ViewerApp::loadFileNow(const std::string& path)
{
    TraceReader reader(path);
    if (!reader.open())
    {
        std::fprintf(stderr, "rscope-viewer: %s; exiting\n", reader.error().c_str());
        return kExitCannotRead;
    }
    if (!reader.loadAll(*store_) || reader.fatal())
    {
        std::fprintf(stderr, "rscope-viewer: %s: %s; exiting\n", path.c_str(),
                     reader.error().c_str());
        return reader.fatal() ? kExitRefused : kExitCannotRead;
    }
    resetDerived();
    reportLoadProblems(path);
    playback_.seekStart();
    return kExitOk;
}

void ViewerApp::startLoad(const std::string& path)
{
    live_.reset();
    playback_.leaveLive();
    playback_.pause();
    auto reader = std::make_unique<TraceReader>(path);
    if (!reader->open())
    {
        view_.statusMessage = reader->error();
        view_.statusIsError = true;
        std::fprintf(stderr, "rscope-viewer: %s\n", reader->error().c_str());
        return;
    }
    reader_ = std::move(reader);
    sourceLabel_ = path;
    store_->clear();
    resetDerived();
    playback_.seekStart();
    view_.statusMessage = "loading " + path;
    view_.statusIsError = false;
}

void ViewerApp::stepLoad()
{
    auto start = Clock::now();
    bool more = true;
    while (more && Clock::now() - start < kLoadBudget) more = reader_->step(*store_, kLoadSlice);
    if (!more) finishLoad();
}

void ViewerApp::finishLoad()
{
    std::string path = reader_->path();
    bool fatal = reader_->fatal();
    if (fatal)
    {
        view_.statusMessage = path + ": " + reader_->error();
        view_.statusIsError = true;
        std::fprintf(stderr, "rscope-viewer: %s\n", view_.statusMessage.c_str());
        store_->clear();
    }
    reader_.reset();
    resetDerived();
    if (!fatal) reportLoadProblems(path);
    playback_.seekStart();
}

void ViewerApp::startLive(const std::string& address)
{
    reader_.reset();
    store_->clear();
    resetDerived();
    live_ = makeLiveSource(address);
    live_->start();
    sourceLabel_ = address;
    playback_.goLive();
    view_.statusMessage = "watching " + address;
    view_.statusIsError = false;
}

void ViewerApp::drainLive()
{
    auto start = Clock::now();
    bool newRecording = false;
    size_t taken = 0;
    // Keep taking slices while the frame has budget: the GUI thread catches up with a burst
    // over a few frames instead of freezing one.
    while (Clock::now() - start < kLiveBudget)
    {
        bool header = false;
        size_t n = live_->drain(*store_, kLiveSlice, header);
        newRecording |= header;
        taken += n;
        if (n < kLiveSlice) break;
    }
    if (newRecording)
    {
        // A (re)connect or a restarted server: the store holds a new recording, and a gate this
        // viewer held was released when the old connection closed.
        view_.holdingServer = false;
        hopStepper_.reset();
        resetDerived();
        if (!playback_.live()) playback_.seekStart();
        view_.statusMessage = "new recording from " + live_->address();
        view_.statusIsError = false;
    }
    else if (taken > 0)
    {
        timeline_.extend(*store_);
        extendDerived();
    }
    // "Next hop": the cursor moves one event per hop; the held server is stepped only when the
    // cursor is on its newest event.
    if (hopStepper_.update(*store_, playback_, nowMs()) && !live_->sendCommand("step"))
        hopStepper_.reset();
}

void ViewerApp::extendDerived()
{
    // Each index takes only the events appended since its last extend.
    findings_.extend(*store_);
    sessions_.extend(*store_);
    startup_.extend(*store_);
    stats_.extend(*store_);
}

void ViewerApp::resetDerived()
{
    timeline_.rebuild(*store_);
    cursor_.reset();
    view_.filtered.clear();
    view_.filteredFor = EventFilter{};
    view_.filteredUpTo = 0;
    view_.selectedEvent = -1;
    view_.followedPosition = static_cast<size_t>(-1);
    findings_.reset(store_->topology());
    sessions_.clear();
    startup_.clear();
    stats_.reset(store_->topology());
    extendDerived();
    if (tutorial_) tutorial_->storeReset(nowMs());
    view_.pausedWorkers.clear();  // a new recording: another server, or a file
}

void ViewerApp::updateFilter()
{
    // An empty filter shows every event through the identity: no index list for 1M events.
    if (view_.filter.empty())
    {
        if (!view_.filteredFor.empty())
        {
            view_.filtered.clear();
            view_.filtered.shrink_to_fit();
            view_.filteredFor = EventFilter{};
        }
        return;
    }
    if (!(view_.filter == view_.filteredFor))
    {
        view_.filtered.clear();
        view_.filteredUpTo = 0;
        view_.filteredFor = view_.filter;
        view_.followedPosition = static_cast<size_t>(-1);
    }
    if (view_.filteredUpTo < store_->size())
    {
        filterEvents(*store_, view_.filter, view_.filteredUpTo, view_.filtered);
        view_.filteredUpTo = store_->size();
    }
}

void ViewerApp::applyStartOptions()
{
    if (options_.speed)
    {
        playback_.setMode(PaceMode::RealTime);
        playback_.setSpeed(*options_.speed);
    }
    if (options_.paceMs)
    {
        playback_.setMode(PaceMode::EventPace);
        playback_.setEventIntervalMs(*options_.paceMs);
    }
    view_.selectedSession = options_.selectSession;
    view_.sequenceListWidth = options_.sequenceListWidth;
    stepHopsLeft_ = options_.stepHops;
    if (!options_.picture.empty() && pictureTabByName(options_.picture, view_.pictureTab))
        view_.pictureTabRequested = true;
    // The Mermaid export writes what the Sequence tab chose to show: that tab must be drawn.
    if (!options_.exportMermaid.empty() && options_.picture.empty())
    {
        view_.pictureTab = PictureTab::Sequence;
        view_.pictureTabRequested = true;
    }
    const TraceStore& store = *store_;
    if (options_.atEvent && store.size() > 0)
    {
        size_t n = static_cast<size_t>(*options_.atEvent);
        if (n >= store.size())
        {
            std::fprintf(stderr,
                         "rscope-viewer: --at-event %zu: the trace has %zu events; "
                         "showing the last\n",
                         n, store.size());
            n = store.size() - 1;
        }
        playback_.leaveLive();
        playback_.seekEvent(store, n);
    }
    else if (options_.atNs && store.size() > 0)
    {
        int64_t t = *options_.atNs;
        if (t < store.firstNs()) t += store.firstNs();  // an offset from the first event
        playback_.leaveLive();
        playback_.seekNs(store, t);
    }
    else if (headless_ && !live_ && !tutorial_ && store.size() > 0)
    {
        playback_.seekEvent(store, store.size() - 1);  // no moment given: the end of the trace
    }
    // A headless run given a pace plays from that moment for its --frames (fixed 1/60 s each),
    // so an animation step can be captured deterministically.
    if (headless_ && !live_ && (options_.speed || options_.paceMs)) playback_.play();
}

void ViewerApp::applyCommands(const Commands& commands)
{
    const TraceStore& store = *store_;
    for (const Command& c : commands)
    {
        using T = Command::Type;
        if (applyTutorialCommand(c)) continue;
        switch (c.type)
        {
            case T::Play:
            case T::TogglePlay:
                if (c.type == T::TogglePlay && playback_.playing())
                {
                    playback_.pause();
                    playback_.leaveLive();
                    break;
                }
                if (!playback_.live() && playback_.position() >= store.size())
                    playback_.seekStart();
                playback_.play();
                break;
            case T::Pause:
                playback_.pause();
                playback_.leaveLive();  // a paused live view keeps recording behind the cursor
                break;
            case T::StepForward:
                playback_.leaveLive();
                playback_.stepForward(store);
                break;
            case T::StepBack:
                playback_.leaveLive();
                playback_.stepBack(store);
                break;
            case T::StepSessionForward:
            case T::StepSessionBack:
                if (c.session == 0) break;
                playback_.leaveLive();
                playback_.stepSession(store, c.session, c.type == T::StepSessionForward);
                break;
            case T::SeekEvent:
                playback_.leaveLive();
                if (c.index < 0 || store.size() == 0)
                    playback_.seekStart();
                else
                    playback_.seekEvent(store, std::min<size_t>(c.index, store.size() - 1));
                break;
            case T::SeekNs:
                playback_.leaveLive();
                playback_.seekNs(store, c.ns);
                break;
            case T::SetSpeed:
                playback_.setSpeed(c.value);
                break;
            case T::SetEventPace:
                playback_.setEventIntervalMs(c.value);
                playback_.setMode(PaceMode::EventPace);
                break;
            case T::SetRealTime:
                playback_.setMode(PaceMode::RealTime);
                break;
            case T::SelectSession:
                view_.selectedSession = c.session;
                break;
            case T::SelectEvent:
                view_.selectedEvent = c.index;
                break;
            case T::StepServer:
                // One cursor event per hop, exactly (HopStepper): received events first, then
                // steps of the server, again when a step let out nothing.
                if (live_ && view_.holdingServer)
                {
                    hopStepper_.request(std::max(1, static_cast<int>(c.value)));
                }
                else
                {
                    view_.statusMessage = "step mode: hold the server first";
                    view_.statusIsError = true;
                }
                break;
            case T::HoldServer:
            case T::RunServer:
            {
                hopStepper_.reset();
                std::string line = c.type == T::HoldServer ? "hold" : "run";
                if (live_ && live_->sendCommand(line))
                {
                    view_.holdingServer = c.type == T::HoldServer;
                    // Holding or running is about the newest event: follow it.
                    playback_.goLive();
                }
                else
                {
                    view_.statusMessage = "step mode: not connected to a server";
                    view_.statusIsError = true;
                }
                break;
            }
            case T::GoLive:
                if (live_) playback_.jumpToLive(store);
                break;
            case T::SetLivePace:
                // Live at the teaching pace walks the events at its interval: EventPace mode.
                playback_.setLivePaced(c.value != 0);
                if (c.value != 0) playback_.setMode(PaceMode::EventPace);
                break;
            case T::OpenFile:
                startLoad(c.text);
                break;
            case T::SaveRecording:
            {
                std::string error;
                if (saveTrace(store, c.text, error))
                {
                    view_.statusMessage =
                        "saved " + std::to_string(store.size()) + " events to " + c.text;
                    platformFileWritten(c.text);
                }
                else
                    view_.statusMessage = "save failed: " + error;
                view_.statusIsError = !error.empty();
                break;
            }
            case T::ExportPicturePng:
            {
                std::string error;
                if (exportPicture(c.text, error))
                {
                    view_.statusMessage = std::string("exported the ") +
                                          pictureTabName(view_.pictureTab) + " picture to " +
                                          c.text;
                    platformFileWritten(c.text);
                }
                else
                    view_.statusMessage = error;
                view_.statusIsError = !error.empty();
                break;
            }
            case T::ExportSequenceMermaid:
            {
                std::string error;
                if (exportSequenceMermaid(c.text, error))
                {
                    view_.statusMessage = "exported the sequence diagram (Mermaid) to " + c.text;
                    platformFileWritten(c.text);
                }
                else
                    view_.statusMessage = error;
                view_.statusIsError = !error.empty();
                break;
            }
            case T::PickLocalFile:
                platformPickFile();
                break;
            case T::CopyMomentLink:
            {
                std::string url = platformShowLink(momentQuery(), true);
                view_.statusMessage = "link copied: " + url;
                view_.statusIsError = false;
                linkShown_ = momentQuery();
                break;
            }
            case T::Quit:
                if (window_) glfwSetWindowShouldClose(window_, GLFW_TRUE);
                break;
            default:  // tutorial and server commands: applyTutorialCommand
                break;
        }
    }
}

SourceInfo ViewerApp::sourceInfo() const
{
    SourceInfo s;
    s.address = sourceLabel_;
    s.web = platformIsWeb();
    if (live_)
    {
        s.isLive = true;
        s.liveStatus = live_->status();
        s.liveError = live_->lastError();
        s.liveQueued = live_->queued();
    }
    if (reader_)
    {
        s.loading = true;
        s.loadProgress = reader_->progress();
    }
    return s;
}

}  // namespace rscope::viewer
