// `rscope web` for real: its files, /api/info and refusals over HTTP, and /live bridging a real
// `rscope server --trace-step` to a WebSocket client (civetweb's own client): the header and
// the article's events arrive as whole lines, hold/step/run reach the server's step gate,
// `binary` does not, an absent trace socket closes /live with its address, and SIGTERM stops
// `rscope web` with exit code 0 while a browser is connected.
#include <civetweb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace rscope::testing
{
namespace
{

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kWorkers = 2;
constexpr int kReactors = 2;
// Threads that emit events (master, reactor threads, manager, workers): each may be paused with
// one event out beyond the steps granted (traces/FORMAT.md section 10).
constexpr int kTracedThreads = 1 + kReactors + 1 + kWorkers;
const char* const kReply = "From TcpServer Swoole: hello world\n";
constexpr const char* kServingPrefix = "rscope web: serving http://";

// civetweb's client side needs the library initialised once per process.
class CivetwebEnvironment : public ::testing::Environment
{
  public:
    void SetUp() override { mg_init_library(MG_FEATURES_WEBSOCKET); }
    void TearDown() override { mg_exit_library(); }
};
const auto* const kCivetweb = ::testing::AddGlobalTestEnvironment(new CivetwebEnvironment);

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// `rscope web <args> --port 0` as a child; start() waits for its "serving" line.
class WebProcess
{
  public:
    explicit WebProcess(std::vector<std::string> args) : args_(std::move(args))
    {
        static std::atomic<int> count{0};
        outPath_ = fmt::format("/tmp/rscope-web-test-{}-{}.txt", ::getpid(), count++);
    }
    ~WebProcess()
    {
        if (pid_ > 0) terminateAndWait(&pid_, 5s);
        fs::remove(outPath_);
    }

    bool start()
    {
        std::vector<std::string> argv = {"web", "--port", "0"};
        argv.insert(argv.end(), args_.begin(), args_.end());
        pid_ = spawnRscope(argv, outPath_);
        if (pid_ <= 0) return false;
        return waitUntil(
            [&]
            {
                std::string out = readFile(outPath_);
                size_t at = out.find(kServingPrefix);
                if (at == std::string::npos) return false;
                size_t colon = out.find(':', at + std::strlen(kServingPrefix));
                port_ = static_cast<uint16_t>(std::stoi(out.substr(colon + 1)));
                return true;
            },
            10s);
    }
    // SIGTERM; the exit code (-1 if it had to be killed).
    int stop() { return terminateAndWait(&pid_, 5s); }
    std::string output() const { return readFile(outPath_); }
    uint16_t port() const { return port_; }

  private:
    std::vector<std::string> args_;
    std::string outPath_;
    pid_t pid_ = -1;
    uint16_t port_ = 0;
};

struct HttpReply
{
    int status = 0;
    std::string contentType;
    std::string contentEncoding;
    std::string body;
};

// One request with the path exactly as given (no client-side `..` folding, as curl would do).
HttpReply httpGet(uint16_t port, const std::string& rawPath, const std::string& headers = "")
{
    char error[256] = {};
    mg_connection* conn = mg_download("127.0.0.1", port, 0, error, sizeof error,
                                      "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n",
                                      rawPath.c_str(), headers.c_str());
    HttpReply reply;
    if (conn == nullptr) return reply;
    const mg_response_info* info = mg_get_response_info(conn);
    reply.status = info->status_code;
    for (int i = 0; i < info->num_headers; ++i)
        if (strcasecmp(info->http_headers[i].name, "Content-Type") == 0)
            reply.contentType = info->http_headers[i].value;
        else if (strcasecmp(info->http_headers[i].name, "Content-Encoding") == 0)
            reply.contentEncoding = info->http_headers[i].value;
    char buf[8192];
    int n;
    while ((n = mg_read(conn, buf, sizeof buf)) > 0) reply.body.append(buf, static_cast<size_t>(n));
    mg_close_connection(conn);
    return reply;
}

// A browser's /live connection: messages arrive on civetweb's client thread and are read line
// by line here.
class LiveClient
{
  public:
    explicit LiveClient(uint16_t port)
    {
        char error[256] = {};
        conn_ = mg_connect_websocket_client("127.0.0.1", port, 0, error, sizeof error, "/live",
                                            nullptr, onData, onClose, this);
        error_ = error;
    }
    ~LiveClient()
    {
        if (conn_ != nullptr) mg_close_connection(conn_);  // joins civetweb's client thread
    }
    LiveClient(const LiveClient&) = delete;
    LiveClient& operator=(const LiveClient&) = delete;

    bool connected() const { return conn_ != nullptr; }
    const std::string& error() const { return error_; }
    bool send(const std::string& text)
    {
        return mg_websocket_client_write(conn_, MG_WEBSOCKET_OPCODE_TEXT, text.data(),
                                         text.size()) > 0;
    }
    // The next whole line (without '\n'), or "" on timeout.
    std::string nextLine(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!changed_.wait_for(lock, timeout,
                               [&] { return text_.find('\n') != std::string::npos; }))
            return {};
        size_t nl = text_.find('\n');
        std::string line = text_.substr(0, nl);
        text_.erase(0, nl + 1);
        return line;
    }
    bool waitClosed(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return closeFrames_ > 0 || gone_; });
    }
    bool waitGone(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return gone_; });
    }
    std::string closeReason()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return closeReason_;
    }
    int messagesNotEndingALine()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return brokenMessages_;
    }
    int messages()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return messages_;
    }

  private:
    static int onData(mg_connection*, int bits, char* data, size_t length, void* user)
    {
        auto* self = static_cast<LiveClient*>(user);
        std::lock_guard<std::mutex> lock(self->mutex_);
        switch (bits & 0x0F)
        {
            case MG_WEBSOCKET_OPCODE_TEXT:
                ++self->messages_;
                if (length == 0 || data[length - 1] != '\n') ++self->brokenMessages_;
                self->text_.append(data, length);
                break;
            case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE:
                ++self->closeFrames_;
                if (length > 2) self->closeReason_.assign(data + 2, length - 2);
                break;
            default:
                break;
        }
        self->changed_.notify_all();
        return 1;
    }
    static void onClose(const mg_connection*, void* user)
    {
        auto* self = static_cast<LiveClient*>(user);
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->gone_ = true;
        self->changed_.notify_all();
    }

    mg_connection* conn_ = nullptr;
    std::string error_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string text_;  // guarded by mutex_, as is everything below
    int messages_ = 0;
    int brokenMessages_ = 0;
    int closeFrames_ = 0;
    std::string closeReason_;
    bool gone_ = false;
};

// A folder standing in for the web build's output.
class SiteDir
{
  public:
    SiteDir() : path_(fs::temp_directory_path() / fmt::format("rscope-web-site-{}", ::getpid()))
    {
        fs::remove_all(path_);
        fs::create_directories(path_);
        std::ofstream(path_ / "index.html") << kIndex;
        std::ofstream(path_ / "rscope-viewer.wasm") << std::string("\0asm\1\0\0\0", 8);
    }
    ~SiteDir() { fs::remove_all(path_); }
    std::string path() const { return path_.string(); }

    static constexpr const char* kIndex = "<!doctype html><title>test viewer</title>\n";

  private:
    fs::path path_;
};

// A loopback port nobody listens on: the trace server's, after it stopped.
std::string deadTraceAddress()
{
    ServerProcess server({"--handler", "article", "--worker-num", "1", "--reactor-num", "1",
                          "--trace-listen", "127.0.0.1:0"});
    if (!server.start()) return {};
    uint16_t port = traceSocketPort(server.output());
    server.stop();
    return fmt::format("127.0.0.1:{}", port);
}

TEST(Web, ServesTheSiteTracesAndInfoAndRefusesTraversal)
{
    SiteDir site;
    const std::string trace = "127.0.0.1:9";
    WebProcess web({"--trace", trace, "--root", site.path()});
    ASSERT_TRUE(web.start()) << web.output();
    EXPECT_NE(web.output().find(
                  fmt::format("{}127.0.0.1:{}/ (loopback only", kServingPrefix, web.port())),
              std::string::npos)
        << web.output();
    EXPECT_NE(web.output().find("live view bridges to the trace socket 127.0.0.1:9"),
              std::string::npos);

    HttpReply index = httpGet(web.port(), "/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, SiteDir::kIndex);
    EXPECT_EQ(index.contentType.rfind("text/html", 0), 0u) << index.contentType;

    HttpReply article = httpGet(web.port(), "/traces/article.jsonl");
    EXPECT_EQ(article.status, 200);
    json header = json::parse(article.body.substr(0, article.body.find('\n')));
    EXPECT_EQ(header["format"], "reactorscope-trace");

    HttpReply lesson = httpGet(web.port(), "/tutorials/01-startup.json");
    EXPECT_EQ(lesson.status, 200);
    EXPECT_EQ(lesson.contentType, "application/json");

    HttpReply wasm = httpGet(web.port(), "/rscope-viewer.wasm");
    EXPECT_EQ(wasm.status, 200);
    EXPECT_EQ(wasm.contentType, "application/wasm");
    EXPECT_EQ(wasm.body.size(), 8u);

    for (const char* path :
         {"/../CMakeLists.txt", "/%2e%2e/%2e%2e/etc/passwd", "/traces/../CMakeLists.txt",
          "/traces/..%2f..%2fCMakeLists.txt", "/tutorials/%2E%2E/README.md", "/.hidden"})
    {
        HttpReply refused = httpGet(web.port(), path);
        EXPECT_TRUE(refused.status == 403 || refused.status == 404)
            << path << ": " << refused.status;
        EXPECT_EQ(refused.body.find("cmake_minimum_required"), std::string::npos) << path;
    }
    EXPECT_EQ(httpGet(web.port(), "/nope.js").status, 404);

    HttpReply info = httpGet(web.port(), "/api/info");
    EXPECT_EQ(info.status, 200);
    EXPECT_EQ(info.contentType, "application/json");
    json i = json::parse(info.body);
    EXPECT_EQ(i["trace"], trace);
    EXPECT_EQ(i["root_found"], true);
    EXPECT_TRUE(i["version"].is_string());
    EXPECT_EQ(web.stop(), 0) << web.output();
}

// scripts/build-web.sh puts FILE.gz beside the large files: a browser (it takes gzip) gets that
// copy with FILE's type; a client that does not take gzip gets FILE.
TEST(Web, TheGzipCopyGoesOnlyToAClientThatTakesGzip)
{
    SiteDir site;
    std::ofstream(fs::path(site.path()) / "rscope-viewer.wasm.gz") << "GZIPPED";
    WebProcess web({"--trace", "127.0.0.1:9", "--root", site.path()});
    ASSERT_TRUE(web.start()) << web.output();
    HttpReply gz = httpGet(web.port(), "/rscope-viewer.wasm", "Accept-Encoding: gzip, br\r\n");
    EXPECT_EQ(gz.status, 200);
    EXPECT_EQ(gz.contentEncoding, "gzip");
    EXPECT_EQ(gz.contentType, "application/wasm");
    EXPECT_EQ(gz.body, "GZIPPED");
    HttpReply plain = httpGet(web.port(), "/rscope-viewer.wasm");
    EXPECT_EQ(plain.contentEncoding, "");
    EXPECT_EQ(plain.body.size(), 8u);
    HttpReply index = httpGet(web.port(), "/", "Accept-Encoding: gzip\r\n");
    EXPECT_EQ(index.contentEncoding, "") << "no index.html.gz: the file itself";
    EXPECT_EQ(index.body, SiteDir::kIndex);
    EXPECT_EQ(web.stop(), 0) << web.output();
}

TEST(Web, WithoutASiteTheRootPageSaysHowToBuildIt)
{
    // The test binary's cwd is the build folder: no build-web/site there, and --root is absent.
    // A site may exist in the source tree of a developer's checkout, so only the info is firm.
    WebProcess web({"--trace", "127.0.0.1:9"});
    ASSERT_TRUE(web.start()) << web.output();
    json info = json::parse(httpGet(web.port(), "/api/info").body);
    HttpReply index = httpGet(web.port(), "/");
    EXPECT_EQ(index.status, 200);
    if (info["root_found"] == false)
    {
        EXPECT_NE(index.body.find("bash scripts/build-web.sh"), std::string::npos) << index.body;
    }
    EXPECT_EQ(web.stop(), 0) << web.output();
}

TEST(Web, LiveClosesNamingTheAddressWhenNoTraceSocketListens)
{
    std::string trace = deadTraceAddress();
    ASSERT_FALSE(trace.empty());
    WebProcess web({"--trace", trace});
    ASSERT_TRUE(web.start()) << web.output();
    LiveClient live(web.port());
    ASSERT_TRUE(live.connected()) << live.error();
    ASSERT_TRUE(live.waitClosed(5s));
    EXPECT_NE(live.closeReason().find(trace), std::string::npos) << live.closeReason();
    EXPECT_NE(live.closeReason().find("Connection refused"), std::string::npos)
        << live.closeReason();
    EXPECT_TRUE(live.waitGone(5s)) << "the connection ends after the close frames";
    EXPECT_EQ(web.stop(), 0) << web.output();
}

class WebLive : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        ASSERT_TRUE(server_.start());
        tracePort_ = traceSocketPort(server_.output());
        ASSERT_NE(tracePort_, 0);
        ASSERT_TRUE(waitUntil([&] { return descendantsOf(server_.pid()).size() == 3; }, 3s))
            << "manager and " << kWorkers << " workers";
        web_ = std::make_unique<WebProcess>(std::vector<std::string>{
            "--trace", fmt::format("127.0.0.1:{}", tracePort_), "--root", site_.path()});
        ASSERT_TRUE(web_->start()) << web_->output();
    }

    // Reads events from live until stop() or the timeout; counts the server's own events
    // (gate_* events, the collector's, go to *gate).
    int readEvents(
        LiveClient& live, std::chrono::milliseconds timeout, std::vector<json>* all,
        const std::function<bool()>& stop = [] { return false; })
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        int count = 0;
        while (!stop() && std::chrono::steady_clock::now() < deadline)
        {
            std::string line = live.nextLine(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (line.empty()) break;
            json e = json::parse(line);
            EXPECT_FALSE(e.value("type", "") == "binary") << "the browser's `binary` got through";
            if (!e.contains("seq")) continue;
            all->push_back(e);
            if (e["kind"].get<std::string>().rfind("gate_", 0) != 0) ++count;
        }
        return count;
    }

    static bool hasKind(const std::vector<json>& events, const char* kind)
    {
        for (const json& e : events)
            if (e["kind"] == kind) return true;
        return false;
    }

    ServerProcess server_{{"--handler", "article", "--worker-num", std::to_string(kWorkers),
                           "--reactor-num", std::to_string(kReactors), "--dispatch-mode", "2",
                           "--trace-listen", "127.0.0.1:0", "--trace-step"}};
    uint16_t tracePort_ = 0;
    SiteDir site_;
    std::unique_ptr<WebProcess> web_;
};

TEST_F(WebLive, BridgesTheStreamAndTheStepCommands)
{
    LiveClient live(web_->port());
    ASSERT_TRUE(live.connected()) << live.error();
    json header = json::parse(live.nextLine(3s));
    EXPECT_EQ(header["format"], "reactorscope-trace");
    EXPECT_EQ(header["step_state"], "running");
    ASSERT_TRUE(live.send("binary")) << "dropped by the bridge: the stream stays JSON";

    // Free running: the article's client and its worker_receive.
    std::vector<json> events;
    std::string clientOut = fmt::format("/tmp/rscope-web-client-{}.txt", ::getpid());
    pid_t client = spawnRscope({"client", "--port", std::to_string(server_.port())}, clientOut);
    ASSERT_GT(client, 0);
    readEvents(live, 5s, &events, [&] { return hasKind(events, "close"); });
    int status = 0;
    ASSERT_EQ(::waitpid(client, &status, 0), client);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << readFile(clientOut);
    fs::remove(clientOut);
    EXPECT_TRUE(hasKind(events, "worker_receive"));
    EXPECT_TRUE(hasKind(events, "close"));

    // Held: no more events than one per traced thread until steps let them go.
    ASSERT_TRUE(live.send("hold"));
    events.clear();
    readEvents(live, 3s, &events, [&] { return hasKind(events, "gate_hold"); });
    ASSERT_TRUE(hasKind(events, "gate_hold")) << "hold reached the server's gate";
    ArticleRequest request(server_.port());
    int seen = readEvents(live, 300ms, &events);
    EXPECT_GE(seen, 1) << "the accept is out, the master waits after it";
    EXPECT_LE(seen, kTracedThreads);
    EXPECT_FALSE(request.done()) << "no reply while nobody steps";
    int steps = 0;
    for (; steps < 5; ++steps)
    {
        ASSERT_TRUE(live.send("step"));
        int before = seen;
        seen += readEvents(live, 150ms, &events, [&] { return seen > before; });
        ASSERT_LE(seen, steps + 1 + kTracedThreads) << "a step lets one paused thread go";
    }
    EXPECT_TRUE(hasKind(events, "gate_step"));
    EXPECT_FALSE(request.done()) << "five steps are not a whole request";

    ASSERT_TRUE(live.send("run"));
    readEvents(live, 5s, &events, [&] { return hasKind(events, "gate_release"); });
    EXPECT_TRUE(hasKind(events, "gate_release"));
    ASSERT_TRUE(waitUntil([&] { return request.done(); }, 5s));
    EXPECT_EQ(request.reply(), kReply);
    EXPECT_EQ(live.messagesNotEndingALine(), 0) << "of " << live.messages() << " messages";

    // SIGTERM with the browser still connected: a clean exit, and the browser sees the end.
    EXPECT_EQ(web_->stop(), 0) << web_->output();
    EXPECT_TRUE(live.waitGone(5s));
    EXPECT_EQ(web_->output().find("not taken in time"), std::string::npos)
        << "a stop is not a slow browser:\n"
        << web_->output();
    EXPECT_EQ(server_.stop(), 0);
}

TEST_F(WebLive, TheServerStoppingClosesLiveNamingTheAddress)
{
    LiveClient live(web_->port());
    ASSERT_TRUE(live.connected()) << live.error();
    ASSERT_FALSE(live.nextLine(3s).empty()) << "the header";
    EXPECT_EQ(server_.stop(), 0);
    ASSERT_TRUE(live.waitClosed(5s));
    EXPECT_NE(live.closeReason().find(fmt::format("127.0.0.1:{}", tracePort_)), std::string::npos)
        << live.closeReason();
    EXPECT_EQ(web_->stop(), 0) << web_->output();
}

}  // namespace
}  // namespace rscope::testing
