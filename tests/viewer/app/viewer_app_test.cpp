// rscope-viewer end to end: the real binary under Xvfb renders traces/article.jsonl at chosen
// events; the layout dump and the screenshot's pixels are checked. Also bad input (malformed
// lines, a newer major version, a missing file) and a live session against the real server.
#include <netinet/in.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"
#include "tests/viewer/app/viewer_run.h"

namespace rscope::viewer
{
namespace
{

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kViewer = RSCOPE_VIEWER;
const std::string kArticle = std::string(RSCOPE_SOURCE_DIR) + "/traces/article.jsonl";

// Article events (0-based; the file's seq is index + 1).
constexpr int kAcceptEvent = 13;
constexpr int kDispatchPipeWriteEvent = 21;  // pipe_write RECV_DATA reactor[0] -> worker[2]
constexpr int kOnReceiveEnterEvent = 26;     // callback_enter onReceive in worker[2]
constexpr int kReactorWriteEvent = 34;       // reactor_write reactor[0] -> client session 1

using test::readFile;
using test::RunResult;
using test::TempDir;

pid_t spawnViewer(const std::vector<std::string>& args, const std::string& outPath,
                  const std::string& errPath)
{
    return test::spawnViewer(kViewer, args, outPath, errPath);
}

int waitViewer(pid_t pid, std::chrono::seconds timeout)
{
    return test::waitViewer(pid, timeout);
}

RunResult runViewer(const TempDir& dir, const std::vector<std::string>& args)
{
    RunResult r = test::runViewer(kViewer, dir, args, 60s);
    EXPECT_NE(r.exitCode, -1) << "the viewer did not finish within 60 s";
    return r;
}

struct Image
{
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;
    bool empty() const { return rgb.empty(); }
};

Image loadPng(const std::string& path)
{
    Image img;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &channels, 3);
    if (!data) return img;
    img.rgb.assign(data, data + static_cast<size_t>(img.width) * img.height * 3);
    stbi_image_free(data);
    return img;
}

struct Rgb
{
    int r = 0, g = 0, b = 0;
};

// The most common colour inside a rectangle (inset by `inset` px): the fill of a box, whatever
// text is written on it.
Rgb dominantColor(const Image& img, const json& rect, int inset = 6)
{
    int x0 = static_cast<int>(rect[0].get<double>()) + inset;
    int y0 = static_cast<int>(rect[1].get<double>()) + inset;
    int x1 = static_cast<int>(rect[0].get<double>() + rect[2].get<double>()) - inset;
    int y1 = static_cast<int>(rect[1].get<double>() + rect[3].get<double>()) - inset;
    std::map<uint32_t, int> counts;
    for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
        for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x)
        {
            const unsigned char* p = &img.rgb[(static_cast<size_t>(y) * img.width + x) * 3];
            ++counts[(uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]];
        }
    uint32_t best = 0;
    int bestCount = -1;
    for (auto [c, n] : counts)
        if (n > bestCount) best = c, bestCount = n;
    return Rgb{int(best >> 16), int((best >> 8) & 0xff), int(best & 0xff)};
}

std::string str(Rgb c)
{
    return "rgb(" + std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) +
           ")";
}

const json* findById(const json& list, const std::string& id)
{
    for (const json& item : list)
        if (item.value("id", "") == id) return &item;
    return nullptr;
}

// One captured moment of the article: the dump's picture and the screenshot.
struct Capture
{
    int exitCode = -1;
    std::string err;
    json dump;
    json picture;
    Image image;
};

Capture captureArticle(const TempDir& dir, const std::vector<std::string>& extra)
{
    std::string png = dir.file("shot.png"), dump = dir.file("dump.json");
    std::vector<std::string> args = {"--replay", kArticle,        "--screenshot",
                                     png,        "--dump-layout", dump};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = runViewer(dir, args);
    Capture c;
    c.exitCode = r.exitCode;
    c.err = r.err;
    if (fs::exists(dump)) c.dump = json::parse(readFile(dump));
    if (c.dump.contains("pictures") && !c.dump["pictures"].empty())
        c.picture = c.dump["pictures"][0];
    c.image = loadPng(png);
    return c;
}

int countRole(const json& picture, const std::string& role)
{
    int n = 0;
    for (const json& node : picture["nodes"]) n += node.value("role", "") == role;
    return n;
}

TEST(ViewerApp, AcceptMomentShowsEveryActorOfTheArticleFigure)
{
    TempDir dir;
    Capture c = captureArticle(dir, {"--at-event", std::to_string(kAcceptEvent)});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    ASSERT_FALSE(c.picture.is_null()) << c.err;
    EXPECT_EQ(c.dump["cursor"]["event"], kAcceptEvent);
    EXPECT_EQ(c.dump["cursor"]["kind"], "accept");
    for (const char* id : {"master", "main_reactor", "manager", "reactor[0]", "reactor[1]",
                           "worker[0]", "worker[1]", "worker[2]", "worker[3]", "client[1]"})
        EXPECT_NE(findById(c.picture["nodes"], id), nullptr) << id;
    EXPECT_EQ(countRole(c.picture, "reactor"), 2) << "one node per reactor thread (reactor_num 2)";
    EXPECT_EQ(countRole(c.picture, "worker"), 4);
    bool acceptToken = false;
    for (const json& t : c.picture["tokens"]) acceptToken |= t["kind"] == "accept";
    EXPECT_TRUE(acceptToken) << c.picture["tokens"].dump();
    ASSERT_FALSE(c.image.empty());
    EXPECT_EQ(c.image.width, 1280);
    EXPECT_EQ(c.image.height, 800);
}

TEST(ViewerApp, DispatchPutsATokenOnThePipeToWorker2)
{
    TempDir dir;
    Capture c = captureArticle(dir, {"--at-event", std::to_string(kDispatchPipeWriteEvent)});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    ASSERT_FALSE(c.picture.is_null());
    EXPECT_NE(findById(c.picture["edges"], "pipe[0->2]"), nullptr);
    bool onPipe = false;
    for (const json& t : c.picture["tokens"])
        onPipe |= t["edge"] == "pipe[0->2]" && t["kind"] == "pipe_write";
    EXPECT_TRUE(onPipe) << c.picture["tokens"].dump();

    // The token is painted where the dump says: its centre pixel is not the background.
    ASSERT_FALSE(c.image.empty());
    for (const json& t : c.picture["tokens"])
    {
        if (t["edge"] != "pipe[0->2]") continue;
        json r = {t["pos"][0].get<double>() - 3, t["pos"][1].get<double>() - 3, 6, 6};
        Rgb token = dominantColor(c.image, r, 0);
        Rgb background = dominantColor(c.image, c.picture["canvas"], 2);
        EXPECT_TRUE(token.r != background.r || token.g != background.g || token.b != background.b)
            << str(token);
    }
}

TEST(ViewerApp, OnReceiveMakesWorker2BusyAndAmber)
{
    TempDir dir;
    Capture c = captureArticle(dir, {"--at-event", std::to_string(kOnReceiveEnterEvent)});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    ASSERT_FALSE(c.picture.is_null());
    const json* busy = findById(c.picture["nodes"], "worker[2]");
    const json* idle = findById(c.picture["nodes"], "worker[0]");
    ASSERT_NE(busy, nullptr);
    ASSERT_NE(idle, nullptr);
    EXPECT_EQ((*busy)["state"], "busy");
    EXPECT_EQ((*idle)["state"], "idle");

    ASSERT_FALSE(c.image.empty());
    Rgb busyFill = dominantColor(c.image, (*busy)["rect"]);
    Rgb idleFill = dominantColor(c.image, (*idle)["rect"]);
    Rgb background = dominantColor(c.image, c.picture["canvas"], 2);
    // Amber: red first, green well above blue (brown to orange; not red, not grey).
    EXPECT_GE(busyFill.r, 90) << str(busyFill);
    EXPECT_GT(busyFill.r, busyFill.g + 15) << str(busyFill);
    EXPECT_GT(busyFill.g, busyFill.b + 30) << str(busyFill);
    // Idle is not red (red is for a killed worker).
    EXPECT_FALSE(idleFill.r > 150 && idleFill.g < 90 && idleFill.b < 90) << str(idleFill);
    EXPECT_NE(str(idleFill), str(busyFill));
    EXPECT_NE(str(background), str(idleFill)) << "boxes must stand out from the background";
}

TEST(ViewerApp, ReactorWriteSendsATokenBackToTheClient)
{
    TempDir dir;
    Capture c = captureArticle(dir, {"--at-event", std::to_string(kReactorWriteEvent)});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    ASSERT_FALSE(c.picture.is_null());
    bool toClient = false;
    for (const json& t : c.picture["tokens"])
        toClient |= t["kind"] == "reactor_write" && t["session"] == 1 &&
                    t["edge"].get<std::string>().find("client[1]") != std::string::npos;
    EXPECT_TRUE(toClient) << c.picture["tokens"].dump();
    EXPECT_EQ(findById(c.picture["nodes"], "worker[2]")->value("state", ""), "idle");
}

TEST(ViewerApp, AtNsOffsetSelectsTheSameMomentAsAtEvent)
{
    TempDir dir;
    // The accept is 743.8233 ms after the first event; a moment just after it shows it newest.
    Capture c = captureArticle(dir, {"--at-ns", "743823500"});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_EQ(c.dump["cursor"]["kind"], "accept") << c.dump["cursor"].dump();
}

TEST(ViewerApp, SameMomentRendersTheSamePixelsTwice)
{
    TempDir dir;
    std::vector<std::string> args = {"--replay",   kArticle,
                                     "--at-event", std::to_string(kDispatchPipeWriteEvent),
                                     "--frames",   "5"};
    std::vector<std::string> first = args, second = args;
    first.insert(first.end(), {"--screenshot", dir.file("a.png")});
    second.insert(second.end(), {"--screenshot", dir.file("b.png")});
    ASSERT_EQ(runViewer(dir, first).exitCode, 0);
    ASSERT_EQ(runViewer(dir, second).exitCode, 0);
    std::string a = readFile(dir.file("a.png")), b = readFile(dir.file("b.png"));
    ASSERT_FALSE(a.empty());
    EXPECT_TRUE(a == b) << "fixed animation clock, no ini file, no mouse: identical captures";
}

TEST(ViewerApp, HeadlessPacePlaysForward)
{
    TempDir dir;
    // 30 frames of 1/60 s at 50 ms per event: about ten events after the accept.
    Capture c = captureArticle(
        dir, {"--at-event", std::to_string(kAcceptEvent), "--pace-ms", "50", "--frames", "30"});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    int64_t event = c.dump["cursor"]["event"];
    EXPECT_GT(event, kAcceptEvent + 5);
    EXPECT_LE(event, kAcceptEvent + 30);
}

// The article with line 10 made malformed and event seq 30 given a kind from the future.
std::string brokenArticle(const TempDir& dir)
{
    std::ifstream in(kArticle);
    std::string path = dir.file("broken.jsonl"), line;
    std::ofstream out(path);
    for (int n = 1; std::getline(in, line); ++n)
    {
        if (n == 10) line = "{\"seq\":9,\"ts\":oops this is not json";
        if (line.find("\"seq\":30,") != std::string::npos)
            line.replace(line.find("\"kind\":\"") + 8, std::string("close_request").size(),
                         "teleport");
        out << line << '\n';
    }
    return path;
}

TEST(ViewerApp, MalformedLineIsReportedAsFileLineAndSkipped)
{
    TempDir dir;
    std::string path = brokenArticle(dir);
    std::string dump = dir.file("dump.json");
    RunResult r = runViewer(
        dir, {"--replay", path, "--dump-layout", dump, "--screenshot", dir.file("shot.png")});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find(path + ":10:"), std::string::npos) << r.err;
    ASSERT_TRUE(fs::exists(dump));
    json d = json::parse(readFile(dump));
    EXPECT_EQ(d["errors"], 1);
    EXPECT_EQ(d["unknown_kinds"], 1);
    EXPECT_EQ(d["events"], 34) << "36 events, one malformed and one unknown kind skipped";
}

// The startup tab lights the master's steps as the cursor passes them: after the 4th pipe_create
// (event 4) the pipes step reads 4/4 and the manager's fork is still dark; after the first
// worker_start (event 9) the fork, listen and the first worker are lit.
TEST(ViewerApp, StartupTabLightsStepsAsTheCursorPassesThem)
{
    TempDir dir;
    Capture early = captureArticle(dir, {"--at-event", "4", "--picture", "startup"});
    ASSERT_EQ(early.exitCode, 0) << early.err;
    EXPECT_EQ(early.dump["picture_tab"], "startup");
    ASSERT_EQ(early.picture.value("picture", ""), "startup") << early.dump.dump();
    const json* pipes = findById(early.picture["nodes"], "step.master.pipes");
    const json* fork = findById(early.picture["nodes"], "step.master.fork_manager");
    const json* worker = findById(early.picture["nodes"], "step.worker.loop");
    ASSERT_TRUE(pipes && fork && worker);
    EXPECT_EQ((*pipes)["state"], "lit");
    EXPECT_NE((*pipes)["lines"].dump().find("4/4"), std::string::npos) << (*pipes).dump();
    EXPECT_EQ((*fork)["state"], "pending");
    EXPECT_EQ((*worker)["state"], "pending");
    Rgb litFill = dominantColor(early.image, (*pipes)["rect"]);
    Rgb darkFill = dominantColor(early.image, (*fork)["rect"]);
    EXPECT_GT(litFill.b, darkFill.b + 40) << str(litFill) << " vs " << str(darkFill);

    Capture later = captureArticle(dir, {"--at-event", "9", "--picture", "startup"});
    ASSERT_EQ(later.exitCode, 0) << later.err;
    for (const char* id :
         {"step.master.fork_manager", "step.master.listen", "step.master.reactor_threads",
          "step.manager.start", "step.worker.loop", "step.reactor.init"})
    {
        const json* node = findById(later.picture["nodes"], id);
        ASSERT_NE(node, nullptr) << id;
        EXPECT_EQ((*node)["state"], "lit") << id;
    }
    const json* workerLoop = findById(later.picture["nodes"], "step.worker.loop");
    EXPECT_NE((*workerLoop)["lines"].dump().find("1/4"), std::string::npos);
    EXPECT_EQ((*findById(later.picture["nodes"], "step.manager.wait"))["state"], "pending");
    Rgb workerFill = dominantColor(later.image, (*workerLoop)["rect"]);
    EXPECT_GT(workerFill.g, workerFill.r + 30) << "a lit worker step is green: " << str(workerFill);
}

// The article's events by seq, read here with nlohmann (not by the viewer's parser).
std::map<uint64_t, json> articleBySeq()
{
    std::ifstream in(kArticle);
    std::map<uint64_t, json> bySeq;
    for (std::string line; std::getline(in, line);)
    {
        json j = json::parse(line);
        if (j.contains("seq") && j.contains("kind")) bySeq[j["seq"].get<uint64_t>()] = j;
    }
    return bySeq;
}

// The statistics tab's figures agree with the file: the request's hops are differences of its
// events' timestamps, worker[2]'s busy time the sum of its two callbacks.
TEST(ViewerApp, StatisticsTabAgreesWithTheFile)
{
    auto ev = articleBySeq();
    auto ts = [&](uint64_t seq) { return ev.at(seq)["ts"].get<int64_t>(); };
    ASSERT_EQ(ev.at(20)["kind"], "read");
    ASSERT_EQ(ev.at(35)["kind"], "reactor_write");
    TempDir dir;
    Capture c = captureArticle(dir, {"--at-event", "35", "--picture", "stats"});
    ASSERT_EQ(c.exitCode, 0) << c.err;
    ASSERT_EQ(c.picture.value("picture", ""), "statistics");
    const json& stats = c.dump["statistics"];
    EXPECT_EQ(stats["hops"]["read->write"]["count"], 1);
    EXPECT_EQ(stats["hops"]["read->write"]["p50_ns"], ts(35) - ts(20));
    EXPECT_EQ(stats["hops"]["read->dispatch"]["p50_ns"], ts(21) - ts(20));
    EXPECT_EQ(stats["requests"], 1);
    const json& w2 = stats["workers"][2];
    EXPECT_EQ(w2["requests"], 1);
    EXPECT_EQ(w2["busy_ns"], (ts(25) - ts(24)) + (ts(34) - ts(27)));
    EXPECT_EQ(stats["reactors"][0]["bytes_read"], ev.at(20)["args"]["bytes"]);
    EXPECT_EQ(stats["reactors"][0]["bytes_written"], ev.at(35)["args"]["bytes"]);
    for (const char* id :
         {"workers", "reactors", "plot:requests", "plot:pipe_depth", "hist:read->write"})
        EXPECT_NE(findById(c.picture["nodes"], id), nullptr) << id;

    // Before the reply the histograms at the cursor hold no complete request.
    Capture before = captureArticle(dir, {"--at-event", "30", "--picture", "stats"});
    ASSERT_EQ(before.exitCode, 0) << before.err;
    EXPECT_EQ(before.dump["statistics"]["hops"]["read->write"]["count"], 0);
}

TEST(ViewerApp, ModelFindingLinksToItsEventAndTheArticleHasNone)
{
    TempDir dir;
    Capture clean = captureArticle(dir, {"--at-event", "30"});
    ASSERT_EQ(clean.exitCode, 0) << clean.err;
    EXPECT_TRUE(clean.dump["model_findings"].empty()) << clean.dump["model_findings"].dump();

    // The read of session 1 (line 21, event 19) done by reactor[1], though fd 30 % 2 = 0.
    std::ifstream in(kArticle);
    std::string path = dir.file("moved-read.jsonl");
    std::ofstream out(path);
    int n = 0;
    for (std::string line; std::getline(in, line);)
    {
        if (++n == 21)
        {
            size_t at = line.find(R"("role":"reactor","index":0)");
            ASSERT_NE(at, std::string::npos);
            line.replace(at, 26, R"("role":"reactor","index":1)");
        }
        out << line << '\n';
    }
    out.close();
    std::string dump = dir.file("dump.json");
    RunResult r = runViewer(
        dir, {"--replay", path, "--dump-layout", dump, "--screenshot", dir.file("shot.png")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("event #19 (seq 20): model: read of session 1 (fd 30) on reactor 1"),
              std::string::npos)
        << r.err;
    json d = json::parse(readFile(dump));
    ASSERT_EQ(d["model_findings"].size(), 1u) << d["model_findings"].dump();
    EXPECT_EQ(d["model_findings"][0]["event"], 19);
    EXPECT_EQ(d["model_findings"][0]["seq"], 20);
}

TEST(ViewerApp, NewerMajorVersionIsRefusedWithAClearMessage)
{
    TempDir dir;
    std::string text = readFile(kArticle);
    text.replace(text.find("\"version\":\"1.0\""), 15, "\"version\":\"2.0\"");
    std::string path = dir.file("v2.jsonl");
    std::ofstream(path) << text;
    RunResult r = runViewer(dir, {"--replay", path, "--screenshot", dir.file("shot.png")});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.exitCode, -1) << "must exit, not hang";
    EXPECT_NE(r.err.find("2.0"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.file("shot.png")));
}

TEST(ViewerApp, MissingFileExitsNonZeroNamingIt)
{
    TempDir dir;
    std::string path = dir.file("no-such-trace.jsonl");
    RunResult r = runViewer(dir, {"--replay", path, "--screenshot", dir.file("shot.png")});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.exitCode, -1);
    EXPECT_NE(r.err.find("no-such-trace.jsonl"), std::string::npos) << r.err;
}

uint16_t tracePortOf(const std::string& out)
{
    auto at = out.find("trace 127.0.0.1:");
    return at == std::string::npos ? 0 : static_cast<uint16_t>(std::stoi(out.substr(at + 16)));
}

TEST(ViewerApp, LiveSessionShowsARequestCrossingThePipes)
{
    using rscope::testing::ServerProcess;
    TempDir dir;
    ServerProcess server(
        {"--worker-num", "2", "--reactor-num", "1", "--trace-listen", "127.0.0.1:0"});
    ASSERT_TRUE(server.start());
    uint16_t tracePort = tracePortOf(server.output());
    ASSERT_NE(tracePort, 0) << server.output();

    std::string dump = dir.file("live.json"), png = dir.file("live.png");
    // 5 s of frames at 60 per second. A request at 1.2, 2.2 and 3.2 s: the viewer (and its Xvfb)
    // may take a while to start on a busy machine, and events before it connects are not replayed.
    pid_t viewer = spawnViewer({"--connect", "127.0.0.1:" + std::to_string(tracePort), "--frames",
                                "300", "--dump-layout", dump, "--screenshot", png},
                               dir.file("viewer.out"), dir.file("viewer.err"));
    ASSERT_GT(viewer, 0);
    std::string client = std::string(RSCOPE_BIN) + " client --port " +
                         std::to_string(server.port()) + " > " + dir.file("client.out") + " 2>&1";
    for (int i = 0; i < 3; ++i)
    {
        std::this_thread::sleep_for(i == 0 ? 1200ms : 1000ms);
        EXPECT_EQ(std::system(client.c_str()), 0) << readFile(dir.file("client.out"));
    }
    int rc = waitViewer(viewer, 60s);
    server.stop();
    ASSERT_EQ(rc, 0) << readFile(dir.file("viewer.err"));

    json d = json::parse(readFile(dump));
    ASSERT_TRUE(d.contains("live")) << d.dump();
    EXPECT_EQ(d["live"]["status"], "connected");
    EXPECT_GT(d["events"].get<int>(), 10);
    const json& picture = d["pictures"][0];
    EXPECT_EQ(countRole(picture, "reactor"), 1);
    EXPECT_EQ(countRole(picture, "worker"), 2);
    uint64_t pipeHops = 0, acceptHops = 0;
    for (const json& e : picture["edges"])
    {
        if (e["kind"] == "pipe") pipeHops += e.value("count", 0);
        if (e["kind"] == "accept") acceptHops += e.value("count", 0);
    }
    EXPECT_GE(acceptHops, 1u) << picture["edges"].dump();
    EXPECT_GE(pipeHops, 2u) << "the request to a worker and its reply back";
    EXPECT_FALSE(loadPng(png).empty());
}

}  // namespace

namespace
{

// A loopback port free right now: both servers of the restart test bind it in turn.
uint16_t freeLoopbackPort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// Live step mode: the viewer holds a --trace-step server and lets exactly 10 events through; the
// request then waits until the viewer goes away, which releases the server.
TEST(ViewerApp, StepHopsWalkTheServerAndExitReleasesIt)
{
    using rscope::testing::ServerProcess;
    TempDir dir;
    ServerProcess server({"--worker-num", "2", "--reactor-num", "1", "--trace-step",
                          "--trace-listen", "127.0.0.1:0"});
    ASSERT_TRUE(server.start());
    uint16_t tracePort = tracePortOf(server.output());
    ASSERT_NE(tracePort, 0) << server.output();
    std::string dump = dir.file("step.json");
    pid_t viewer = spawnViewer({"--connect", "127.0.0.1:" + std::to_string(tracePort),
                                "--step-hops", "10", "--frames", "360", "--dump-layout", dump},
                               dir.file("viewer.out"), dir.file("viewer.err"));
    ASSERT_GT(viewer, 0);
    std::this_thread::sleep_for(1500ms);  // the viewer connects and takes the hold
    std::string client = std::string(RSCOPE_BIN) + " client --timeout-ms 20000 --port " +
                         std::to_string(server.port()) + " > " + dir.file("client.out") + " 2>&1";
    auto request = std::async(std::launch::async, [&] { return std::system(client.c_str()); });
    int rc = waitViewer(viewer, 60s);
    ASSERT_EQ(rc, 0) << readFile(dir.file("viewer.err"));
    // The viewer is gone: the server runs freely again and the request completes.
    ASSERT_EQ(request.wait_for(10s), std::future_status::ready) << "the server stayed held";
    EXPECT_EQ(request.get(), 0) << readFile(dir.file("client.out"));
    server.stop();

    json d = json::parse(readFile(dump));
    EXPECT_TRUE(d["holding_server"].get<bool>()) << d.dump();
    // The startup replay (server_start, 2 pipe_create, listen, reactor_start, manager_start,
    // 2 worker_start) and then exactly the 10 events let through.
    EXPECT_EQ(d["events"].get<int>(), 8 + 10) << d["cursor"].dump();
}

// --connect with --tutorial: the lesson runs on a server the viewer did not start (the demo's):
// its actions reach that server, and the viewer leaves it running when it exits.
TEST(ViewerApp, LessonOnAConnectedServerLeavesItRunning)
{
    using rscope::testing::ServerProcess;
    TempDir dir;
    ServerProcess server({"--worker-num", "4", "--reactor-num", "2", "--dispatch-mode", "2",
                          "--trace-listen", "127.0.0.1:0"});
    ASSERT_TRUE(server.start());
    uint16_t tracePort = tracePortOf(server.output());
    ASSERT_NE(tracePort, 0) << server.output();
    std::string dump = dir.file("lesson.json");
    RunResult r = runViewer(
        dir, {"--connect", "127.0.0.1:" + std::to_string(tracePort), "--tutorial", "02-one-request",
              "--tutorial-step", "6", "--frames", "300", "--dump-layout", dump});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    json t = json::parse(readFile(dump))["tutorial"];
    EXPECT_EQ(t["step"], 6) << t.dump();
    EXPECT_EQ(t["status"], "met") << t.dump();
    EXPECT_EQ(t["server"]["port"], server.port()) << "the lesson attached to the given server";
    // The article request of the lesson went to this server, which still serves.
    std::string client = std::string(RSCOPE_BIN) + " client --port " +
                         std::to_string(server.port()) + " > " + dir.file("client.out") + " 2>&1";
    EXPECT_EQ(std::system(client.c_str()), 0) << readFile(dir.file("client.out"));
    server.stop();
}

TEST(ViewerApp, LiveSessionReconnectsWhenTheServerRestarts)
{
    using rscope::testing::ServerProcess;
    TempDir dir;
    uint16_t tracePort = freeLoopbackPort();
    ASSERT_NE(tracePort, 0);
    std::string trace = "127.0.0.1:" + std::to_string(tracePort);
    auto first = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--worker-num", "2", "--reactor-num", "1", "--trace-listen", trace});
    ASSERT_TRUE(first->start());

    std::string dump = dir.file("restart.json");
    pid_t viewer = spawnViewer({"--connect", trace, "--frames", "360", "--dump-layout", dump},
                               dir.file("viewer.out"), dir.file("viewer.err"));
    ASSERT_GT(viewer, 0);
    std::this_thread::sleep_for(1500ms);
    first->stop();  // the viewer shows "disconnected, retrying" and keeps the recording
    first.reset();
    std::this_thread::sleep_for(500ms);
    ServerProcess second({"--worker-num", "3", "--reactor-num", "1", "--trace-listen", trace});
    ASSERT_TRUE(second.start());
    pid_t secondMaster = second.pid();
    int rc = waitViewer(viewer, 60s);
    second.stop();
    ASSERT_EQ(rc, 0) << readFile(dir.file("viewer.err"));

    // The picture is the second server's: its three workers and its master pid.
    json d = json::parse(readFile(dump));
    EXPECT_EQ(d["live"]["status"], "connected") << d["live"].dump();
    const json& picture = d["pictures"][0];
    EXPECT_EQ(countRole(picture, "worker"), 3) << "a new header starts a new recording";
    const json* master = findById(picture["nodes"], "master");
    ASSERT_NE(master, nullptr);
    EXPECT_NE((*master)["title"].get<std::string>().find(std::to_string(secondMaster)),
              std::string::npos)
        << (*master)["title"];
}

}  // namespace
}  // namespace rscope::viewer
