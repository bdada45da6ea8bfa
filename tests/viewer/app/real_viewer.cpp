// RealViewer (real_viewer.h): Xvfb -displayfd, the viewer with DISPLAY set, xdotool for input,
// the layout dump polled and parsed; every child in a process group of its own.
#include "tests/viewer/app/real_viewer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char** environ;

#ifndef RSCOPE_VIEWER_BIN
#define RSCOPE_VIEWER_BIN "rscope-viewer"
#endif

namespace rscope::viewer::test
{

namespace
{

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kXdotoolTimeout = 5s;
constexpr auto kHoverSettle = 120ms;  // the pointer's frame is drawn (idle frames wait 250 ms)

// The environment with DISPLAY replaced.
std::vector<std::string> environmentWith(const std::string& display)
{
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "DISPLAY=", 8) != 0) env.emplace_back(*e);
    env.push_back("DISPLAY=" + display);
    return env;
}

std::vector<char*> cStrings(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// posix_spawnp in a new process group, stdout and stderr to files (or `stdoutFd` when >= 0),
// `extraFd` kept open as fd 3 when >= 0; -1 when it cannot be spawned.
pid_t spawnGroup(std::vector<std::string> argv, std::vector<std::string>* env,
                 const std::string& outPath, const std::string& errPath, int stdoutFd = -1,
                 int extraFd = -1)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdoutFd >= 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutFd, 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
    posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    if (extraFd >= 0) posix_spawn_file_actions_adddup2(&actions, extraFd, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> cargv = cStrings(argv);
    std::vector<char*> cenv;
    if (env != nullptr) cenv = cStrings(*env);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, cargv.data(),
                          env != nullptr ? cenv.data() : environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -1;
}

// Waits for `pid` until the deadline; its exit code (128 + signal), or -1 if still running.
int waitUntil(pid_t pid, Clock::time_point deadline)
{
    while (true)
    {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0) return -1;
        if (Clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(10ms);
    }
}

nlohmann::json parseFile(const std::string& path)
{
    std::string text = readFile(path);
    if (text.empty()) return nullptr;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

const nlohmann::json* firstPicture(const nlohmann::json& layout)
{
    if (!layout.is_object() || !layout.contains("pictures") || layout["pictures"].empty())
        return nullptr;
    return &layout["pictures"][0];
}

std::string coord(float v)
{
    return std::to_string(static_cast<int>(v + 0.5f));
}

}  // namespace

RealViewer::RealViewer(std::vector<std::string> args, RealViewerOptions options)
    : options_(std::move(options))
{
    if (options_.viewer.empty()) options_.viewer = RSCOPE_VIEWER_BIN;
    if (startXvfb()) startViewer(std::move(args));
}

RealViewer::~RealViewer()
{
    // SIGTERM first: the viewer then stops a lesson server it started (SIGKILL after 3 s).
    stop(viewer_, SIGTERM);
    stop(xvfb_, SIGTERM);
}

void RealViewer::stop(pid_t& pid, int firstSignal)
{
    if (pid <= 0) return;
    ::kill(-pid, firstSignal);
    if (waitUntil(pid, Clock::now() + 3s) == -1)
    {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    pid = -1;
}

bool RealViewer::startXvfb()
{
    // Display numbers from a spread-out start (xvfb-run -a begins at 99): a taken one makes Xvfb
    // exit at once, and the next is tried. (-displayfd's own search raced when several tests
    // started servers together: two of them reported the same display.)
    int first = 300 + static_cast<int>(
                          (::getpid() * 37 + Clock::now().time_since_epoch().count() / 1000) % 400);
    for (int attempt = 0; attempt < 20; ++attempt)
        if (tryXvfb(first + attempt)) return true;
    problems_ += "Xvfb did not start on displays :" + std::to_string(first) +
                 " to :" + std::to_string(first + 19) + ": " + readFile(dir_.file("xvfb.err")) +
                 "\n";
    return false;
}

bool RealViewer::tryXvfb(int display)
{
    // -displayfd with an explicit display: Xvfb writes the number once it accepts connections,
    // and exits without writing when the display is taken.
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
    {
        problems_ += "pipe: " + std::string(std::strerror(errno)) + "\n";
        return false;
    }
    // dup2 onto itself would keep close-on-exec: the write end must not already be fd 3.
    if (fds[1] <= 3)
    {
        int moved = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
        ::close(fds[1]);
        fds[1] = moved;
    }
    // The screen is a little larger than the window: a window that outgrows it is clipped.
    std::string screen =
        std::to_string(options_.width + 64) + "x" + std::to_string(options_.height + 64) + "x24";
    std::string name = ":" + std::to_string(display);
    // -noreset: by default the server resets when its last client leaves, and a client that
    // connects during the reset fails (an xdotool search that ends before the viewer connects).
    xvfb_ = spawnGroup(
        {"Xvfb", name, "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp", "-noreset"},
        nullptr, dir_.file("xvfb.out"), dir_.file("xvfb.err"), -1, fds[1]);
    ::close(fds[1]);
    std::string number;
    auto deadline = Clock::now() + 10s;
    while (xvfb_ > 0 && Clock::now() < deadline)
    {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[32];
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;  // EOF: it exited (the display is taken)
        number.append(buf, static_cast<size_t>(n));
        if (number.find('\n') != std::string::npos) break;
    }
    ::close(fds[0]);
    while (!number.empty() && (number.back() == '\n' || number.back() == ' ')) number.pop_back();
    if (xvfb_ <= 0 || number != std::to_string(display))
    {
        stop(xvfb_, SIGTERM);
        return false;
    }
    display_ = name;
    return true;
}

bool RealViewer::startViewer(std::vector<std::string> args)
{
    bool sized = false;
    for (const std::string& a : args) sized |= a == "--width" || a == "--height";
    std::vector<std::string> argv = {options_.viewer};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!sized)
        argv.insert(argv.end(), {"--width", std::to_string(options_.width), "--height",
                                 std::to_string(options_.height)});
    argv.insert(argv.end(), {"--dump-layout", dir_.file("layout.json"), "--dump-layout-every",
                             std::to_string(options_.dumpEveryMs), "--dump-state-on-exit",
                             dir_.file("state.json")});
    std::vector<std::string> env = environmentWith(display_);
    viewer_ = spawnGroup(argv, &env, dir_.file("viewer.out"), dir_.file("viewer.err"));
    if (viewer_ <= 0) problems_ += "cannot spawn " + options_.viewer + "\n";
    return viewer_ > 0;
}

bool RealViewer::running()
{
    if (viewer_ <= 0) return false;
    int rc = waitUntil(viewer_, Clock::now());
    if (rc == -1) return true;
    exitCode_ = rc;
    viewer_ = -1;
    return false;
}

bool RealViewer::xdotool(const std::vector<std::string>& args, std::string* out, bool quiet)
{
    if (display_.empty()) return false;
    std::vector<std::string> argv = {"xdotool"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env = environmentWith(display_);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    pid_t pid = spawnGroup(argv, &env, "", dir_.file("xdotool.err"), fds[1]);
    ::close(fds[1]);
    std::string text;
    auto deadline = Clock::now() + kXdotoolTimeout;
    while (pid > 0 && Clock::now() < deadline)
    {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buf[256];
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;  // EOF: xdotool closed its stdout (it exits)
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int rc = pid > 0 ? waitUntil(pid, deadline) : -1;
    if (rc == -1 && pid > 0) stop(pid, SIGKILL);
    if (out != nullptr) *out = text;
    if (rc != 0 && !quiet)
    {
        std::string joined;
        for (const std::string& a : args) joined += " " + a;
        problems_ += "xdotool" + joined + ": exit " + std::to_string(rc) + "\n";
    }
    return rc == 0;
}

bool RealViewer::waitReady(std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && running())
    {
        std::string out;
        if (window_.empty() &&
            xdotool({"search", "--onlyvisible", "--name", "Reactorscope"}, &out, true))
            window_ = out.substr(0, out.find('\n'));
        if (!window_.empty())
        {
            last_ = layout();
            if (!last_.is_null())
            {
                // Keys go to the focused window; with no window manager nobody else gives it.
                xdotool({"windowfocus", window_});
                return true;
            }
        }
        std::this_thread::sleep_for(50ms);
    }
    problems_ += window_.empty() ? "no viewer window appeared\n" : "no layout dump was written\n";
    return false;
}

nlohmann::json RealViewer::layout() const
{
    return parseFile(dir_.file("layout.json"));
}

nlohmann::json RealViewer::waitLayout(const Predicate& until, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (true)
    {
        Json j = layout();
        if (!j.is_null())
        {
            last_ = j;
            if (until(j)) return j;
        }
        if (Clock::now() >= deadline || !running()) break;
        std::this_thread::sleep_for(30ms);
    }
    problems_ += "waitLayout: the condition was not met in time\n";
    return nullptr;
}

nlohmann::json RealViewer::nextLayout(std::chrono::milliseconds timeout)
{
    Json now = layout();
    uint64_t frame = now.is_object() ? now.value("frame", uint64_t{0}) : 0;
    return waitLayout([frame](const Json& j) { return j.value("frame", uint64_t{0}) > frame; },
                      timeout);
}

bool RealViewer::moveTo(Point p)
{
    if (window_.empty()) return false;
    return xdotool({"mousemove", "--window", window_, coord(p.x), coord(p.y)});
}

bool RealViewer::click(Point p)
{
    if (!moveTo(p)) return false;
    std::this_thread::sleep_for(kHoverSettle);
    return xdotool({"click", "1"});
}

bool RealViewer::drag(Point from, Point to)
{
    if (!moveTo(from)) return false;
    std::this_thread::sleep_for(kHoverSettle);
    if (!xdotool({"mousedown", "1"})) return false;
    constexpr int kSteps = 5;
    bool ok = true;
    for (int i = 1; i <= kSteps && ok; ++i)
    {
        std::this_thread::sleep_for(40ms);  // each step in a frame of its own
        float f = static_cast<float>(i) / kSteps;
        ok = moveTo({from.x + (to.x - from.x) * f, from.y + (to.y - from.y) * f});
    }
    std::this_thread::sleep_for(kHoverSettle);
    return xdotool({"mouseup", "1"}) && ok;
}

bool RealViewer::key(const std::string& keys)
{
    if (window_.empty()) return false;
    // Held for a moment, as a finger does: a press and release within one frame is lost to
    // any ImGui 1.86 widget that reads the key state (the app's own shortcuts are not).
    return xdotool({"keydown", keys, "sleep", "0.05", "keyup", keys});
}

nlohmann::json RealViewer::quitAndReadState(std::chrono::milliseconds timeout)
{
    if (running())
    {
        key("ctrl+q");
        int rc = waitUntil(viewer_, Clock::now() + timeout);
        if (rc == -1)
        {
            problems_ += "the viewer did not quit on Ctrl+Q; stopped\n";
            stop(viewer_, SIGTERM);
            exitCode_ = -1;
        }
        else
        {
            exitCode_ = rc;
            viewer_ = -1;
        }
    }
    return parseFile(dir_.file("state.json"));
}

std::string RealViewer::log() const
{
    std::string xvfb = readFile(dir_.file("xvfb.err"));
    return problems_ + "display " + display_ + "\n" + readFile(dir_.file("viewer.err")) +
           (xvfb.empty() ? "" : "Xvfb: " + xvfb);
}

std::optional<Rect> nodeRect(const nlohmann::json& layout, const std::string& id)
{
    const nlohmann::json* pic = firstPicture(layout);
    if (pic == nullptr) return std::nullopt;
    for (const nlohmann::json& n : (*pic)["nodes"])
        if (n["id"] == id) return Rect{n["rect"][0], n["rect"][1], n["rect"][2], n["rect"][3]};
    return std::nullopt;
}

std::optional<Point> tokenWhere(const nlohmann::json& layout, const RealViewer::Predicate& match)
{
    const nlohmann::json* pic = firstPicture(layout);
    if (pic == nullptr) return std::nullopt;
    for (const nlohmann::json& t : (*pic)["tokens"])
        if (match(t)) return Point{t["pos"][0], t["pos"][1]};
    return std::nullopt;
}

std::optional<Point> edgeMiddle(const nlohmann::json& layout, const RealViewer::Predicate& match)
{
    const nlohmann::json* pic = firstPicture(layout);
    if (pic == nullptr) return std::nullopt;
    for (const nlohmann::json& e : (*pic)["edges"])
        if (match(e))
        {
            float ax = e["a"][0], ay = e["a"][1], bx = e["b"][0], by = e["b"][1];
            return Point{(ax + bx) / 2, (ay + by) / 2};
        }
    return std::nullopt;
}

std::optional<Rect> rowRect(const nlohmann::json& layout, const std::string& list, int64_t id)
{
    if (!layout.is_object() || !layout.contains(list)) return std::nullopt;
    for (const nlohmann::json& r : layout[list])
        if (r["id"] == id) return Rect{r["rect"][0], r["rect"][1], r["rect"][2], r["rect"][3]};
    return std::nullopt;
}

std::optional<Rect> widgetRect(const nlohmann::json& layout, const std::string& name)
{
    if (!layout.is_object() || !layout.contains("widgets") || !layout["widgets"].contains(name))
        return std::nullopt;
    const nlohmann::json& r = layout["widgets"][name];
    return Rect{r[0], r[1], r[2], r[3]};
}

}  // namespace rscope::viewer::test
