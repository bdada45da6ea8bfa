// rscope-viewer --bench: load time and bytes per event of --replay, frame rates while playing at
// several speeds (vsync off), and live ingest of the same file served over loopback TCP.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <GLFW/glfw3.h>

#include "viewer/app/viewer_app.h"
#include "viewer/model/live_source.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct FrameStats
{
    double avgFps = 0;
    double p99Ms = 0;
};

FrameStats summarize(std::vector<double> frameMs)
{
    FrameStats s;
    if (frameMs.empty()) return s;
    double total = 0;
    for (double ms : frameMs) total += ms;
    s.avgFps = 1000.0 * static_cast<double>(frameMs.size()) / total;
    std::sort(frameMs.begin(), frameMs.end());
    s.p99Ms = frameMs[std::min(frameMs.size() - 1, frameMs.size() * 99 / 100)];
    return s;
}

// Serves one file to the first client on a loopback port, as fast as it can or paced at
// `linesPerSec`, then holds the connection open until stopped (a close would make the live
// source reconnect and start a new recording).
class FileServer
{
  public:
    FileServer(std::string bytes, double linesPerSec)
        : bytes_(std::move(bytes)), linesPerSec_(linesPerSec)
    {
    }
    ~FileServer() { stop(); }

    int start()  // the port, 0 on failure
    {
        listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (listenFd_ < 0 || ::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::listen(listenFd_, 1) != 0 ||
            ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            return 0;
        thread_ = std::thread([this] { serve(); });
        return ntohs(addr.sin_port);
    }

    void stop()
    {
        stopping_ = true;
        if (listenFd_ >= 0) ::shutdown(listenFd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        if (listenFd_ >= 0) ::close(listenFd_);
        listenFd_ = -1;
    }

    uint64_t linesSent() const { return linesSent_.load(std::memory_order_relaxed); }

  private:
    bool sendAll(int fd, size_t from, size_t to)
    {
        while (from < to && !stopping_)
        {
            ssize_t n = ::send(fd, bytes_.data() + from, to - from, MSG_NOSIGNAL);
            if (n <= 0) return false;
            from += static_cast<size_t>(n);
        }
        return true;
    }

    void serve()
    {
        int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;
        auto start = Clock::now();
        size_t offset = 0;
        uint64_t lines = 0;
        while (offset < bytes_.size() && !stopping_)
        {
            // Whole lines up to the pace's quota (the rest of the file when not paced).
            double quota = linesPerSec_ > 0 ? linesPerSec_ * secondsSince(start) + 1
                                            : static_cast<double>(bytes_.size());
            size_t end = offset;
            while (end < bytes_.size() && static_cast<double>(lines) < quota)
            {
                const void* nl = std::memchr(bytes_.data() + end, '\n', bytes_.size() - end);
                end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - bytes_.data()) + 1
                         : bytes_.size();
                ++lines;
            }
            if (!sendAll(fd, offset, end)) break;
            offset = end;
            linesSent_.store(lines, std::memory_order_relaxed);
            if (linesPerSec_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::close(fd);
    }

    std::string bytes_;
    double linesPerSec_;
    int listenFd_ = -1;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> linesSent_{0};
};

}  // namespace

int ViewerApp::runBench()
{
    headless_ = true;
    const std::string& path = options_.replayPath;
    sourceLabel_ = path;
    auto t0 = Clock::now();
    TraceReader reader(path);
    if (!reader.open() || !reader.loadAll(*store_) || reader.fatal())
    {
        std::fprintf(stderr, "rscope-viewer: %s: %s\n", path.c_str(), reader.error().c_str());
        return reader.fatal() ? kExitRefused : kExitCannotRead;
    }
    double loadSec = secondsSince(t0);
    auto t1 = Clock::now();
    resetDerived();
    double indexSec = secondsSince(t1);
    const TraceStore& store = *store_;
    size_t events = store.size();
    std::printf("load     %s: %.3f s for %zu events (%.2f M events/s), %llu bad lines\n",
                path.c_str(), loadSec, events, events / std::max(loadSec, 1e-9) / 1e6,
                static_cast<unsigned long long>(store.errorCount()));
    std::printf("index    %.3f s for %zu keyframes; load + index %.3f s (target <= 2 s)\n",
                indexSec, timeline_.keyframes(), loadSec + indexSec);
    std::printf("memory   %.1f B/event (store %.1f MB; target <= ~200 B/event)\n",
                events ? static_cast<double>(store.memoryBytes()) / events : 0.0,
                store.memoryBytes() / 1e6);
    std::fflush(stdout);

    if (!initWindow(false, false)) return kExitNoDisplay;
    struct Run
    {
        const char* name;
        PaceMode mode;
        double value;
    };
    const Run runs[] = {{"real time 0.01x", PaceMode::RealTime, 0.01},
                        {"real time 1x", PaceMode::RealTime, 1.0},
                        {"real time 10x", PaceMode::RealTime, 10.0},
                        {"real time 100x", PaceMode::RealTime, 100.0},
                        {"pace 700 ms/event", PaceMode::EventPace, 700.0},
                        {"pace 1 ms/event", PaceMode::EventPace, 1.0}};
    int frames = options_.frames.value_or(600);
    std::printf("frames   %dx%d, vsync off, %d frames per run\n", options_.width, options_.height,
                frames);
    // Every run with every panel on (details, timeline, event log, the picture window); the
    // speed runs on the architecture tab, then each other tab at 1x and at 100x, since a tab
    // draws only while it is shown.
    for (const Run& run : runs) benchPlay(run.name, run.mode, run.value, PictureTab::Architecture);
    for (PictureTab tab : {PictureTab::Startup, PictureTab::Sequence, PictureTab::Statistics})
    {
        benchPlay("real time 1x", PaceMode::RealTime, 1.0, tab);
        benchPlay("real time 100x", PaceMode::RealTime, 100.0, tab);
    }
    // Live: the same file over loopback TCP, paced at the 200k events/s and above, then
    // as fast as the socket goes (target: keep up with >= 200,000 events/s).
    benchLiveIngest(250000);
    benchLiveIngest(0);
    std::printf("rerun    xvfb-run -a -s \"-screen 0 1280x800x24\" %s\n",
                options_.rerunCommand.c_str());
    return kExitOk;
}

void ViewerApp::benchPlay(const char* name, PaceMode mode, double value, PictureTab tab)
{
    const TraceStore& store = *store_;
    size_t events = store.size();
    int frames = options_.frames.value_or(600);
    view_.pictureTab = tab;
    view_.pictureTabRequested = true;
    playback_.setMode(mode);
    if (mode == PaceMode::RealTime)
        playback_.setSpeed(value);
    else
        playback_.setEventIntervalMs(value);
    // Start where the requests are, not in the startup gap before the first client.
    playback_.seekEvent(store, std::min<size_t>(events - 1, events / 10));
    playback_.play();
    std::vector<double> frameMs;
    frameMs.reserve(frames);
    size_t passed = 0, rateFrames = 0;
    auto last = Clock::now();
    double dt = 1.0 / 60.0;
    for (int i = 0; i < frames; ++i)
    {
        size_t before = playback_.position();
        auto f0 = Clock::now();
        frame(dt);
        glfwSwapBuffers(window_);
        auto f1 = Clock::now();
        frameMs.push_back(std::chrono::duration<double, std::milli>(f1 - f0).count());
        dt = std::chrono::duration<double>(f1 - last).count();
        last = f1;
        passed += playback_.position() - std::min(before, playback_.position());
        rateFrames += activity_.rateMode;
        if (playback_.position() >= events) playback_.seekStart(), playback_.play();
    }
    FrameStats s = summarize(frameMs);
    std::printf(
        "play     %-12s %-18s %7.1f fps avg, p99 %6.2f ms, %9zu events passed, rate "
        "mode in %3zu%% of frames\n",
        pictureTabName(tab), name, s.avgFps, s.p99Ms, passed, rateFrames * 100 / frames);
    std::fflush(stdout);
}

void ViewerApp::benchLiveIngest(double linesPerSec)
{
    std::ifstream in(options_.replayPath, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t expected = store_->size();
    FileServer server(std::move(bytes), linesPerSec);
    int port = server.start();
    if (port == 0)
    {
        std::printf("live     skipped: cannot listen on loopback\n");
        return;
    }
    startLive("127.0.0.1:" + std::to_string(port));
    std::vector<double> frameMs;
    auto start = Clock::now();
    auto last = start;
    double dt = 1.0 / 60.0;
    int64_t maxLag = 0;
    while (store_->size() < expected && secondsSince(start) < 60.0)
    {
        auto f0 = Clock::now();
        frame(dt);
        glfwSwapBuffers(window_);
        auto f1 = Clock::now();
        frameMs.push_back(std::chrono::duration<double, std::milli>(f1 - f0).count());
        dt = std::chrono::duration<double>(f1 - last).count();
        last = f1;
        // Lines on the wire but not yet in the store (the header line counts as one).
        maxLag = std::max(maxLag, static_cast<int64_t>(server.linesSent()) - 1 -
                                      static_cast<int64_t>(store_->size()));
    }
    double sec = secondsSince(start);
    FrameStats s = summarize(frameMs);
    char pace[48];
    if (linesPerSec > 0)
        std::snprintf(pace, sizeof pace, "paced %.0fk/s", linesPerSec / 1000);
    else
        std::snprintf(pace, sizeof pace, "flood");
    std::printf(
        "live     %-14s %zu of %zu events in %.3f s = %.0f events/s, max lag %lld events; "
        "%.1f fps avg, p99 %.2f ms\n",
        pace, store_->size(), expected, sec, store_->size() / std::max(sec, 1e-9),
        static_cast<long long>(maxLag), s.avgFps, s.p99Ms);
    std::fflush(stdout);
    live_.reset();
    server.stop();
}

}  // namespace rscope::viewer
