// The seed article's scenario with the real binaries: `rscope server --handler article` and
// `rscope client` print the article's PHP programs' words byte for byte, the load client accepts
// the article's reply, and every pipe hop of the recorded trace names its sender's swoole 1.8
// function.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/trace/trace_emitter.h"
#include "tests/integration/test_support.h"

namespace rscope::testing
{
namespace
{

using namespace std::chrono_literals;
using nlohmann::json;

// What the article's PHP server echoes for one "hello world\n" request: "Client:Connect.\n",
// "receive : $data \n", "Client: Close.\n".
constexpr const char* kArticleServerWords =
    "Client:Connect.\nreceive : hello world\n \nClient: Close.\n";
// What the article's PHP client prints: var_dump($client->connect(...)), then
// "Received: ".$data."\n" with $data = 'From TcpServer Swoole: '.$request, then its onClose.
constexpr const char* kArticleClientWords =
    "bool(true)\nReceived: From TcpServer Swoole: hello world\n\nConnection close\n";

// Runs `rscope <args>` and returns its stdout (stderr dropped); *status gets the exit status.
std::string runRscope(const std::string& args, int* status)
{
    std::string command = "timeout 60 " + rscopeBinary() + " " + args + " 2>/dev/null";
    std::FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) return {};
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int raw = ::pclose(p);
    *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return out;
}

// The server's stdout after its "listening on" line: what the handler printed.
std::string handlerOutput(const std::string& out)
{
    size_t nl = out.find('\n');
    return nl == std::string::npos ? std::string() : out.substr(nl + 1);
}

TEST(Article, ServerAndClientPrintTheArticlesWords)
{
    ServerProcess server({"--handler", "article", "--worker-num", "4", "--reactor-num", "2",
                          "--dispatch-mode", "2", "--trace-listen", "off"});
    ASSERT_TRUE(server.start());
    int status = -1;
    std::string client = runRscope(fmt::format("client --port {}", server.port()), &status);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(client, kArticleClientWords);
    ASSERT_TRUE(waitUntil(
        [&] { return server.output().find("Client: Close.\n") != std::string::npos; }, 5s));
    EXPECT_EQ(handlerOutput(server.output()), kArticleServerWords);
    // Which worker ran each callback goes to stderr, never into the article's words.
    std::string err = server.stderrText();
    EXPECT_NE(err.find("onConnect: session 1"), std::string::npos) << err;
    EXPECT_NE(err.find("onReceive: session 1"), std::string::npos) << err;
    EXPECT_NE(err.find("onClose: session 1"), std::string::npos) << err;
    EXPECT_EQ(server.stop(), 0);
}

TEST(Article, ClientSaysConnectFailedWhenNobodyListens)
{
    // A port that was just free: bind, read it back, close.
    ServerProcess probe({"--handler", "article", "--worker-num", "1", "--trace-listen", "off"});
    ASSERT_TRUE(probe.start());
    uint16_t port = probe.port();
    ASSERT_EQ(probe.stop(), 0);
    int status = -1;
    std::string client =
        runRscope(fmt::format("client --port {} --timeout-ms 2000", port), &status);
    EXPECT_EQ(status, 1);
    EXPECT_EQ(client, "bool(true)\nConnect failed\n");
}

TEST(Article, LoadClientAcceptsTheArticlesReply)
{
    ServerProcess server({"--handler", "article", "--worker-num", "2", "--reactor-num", "2",
                          "--trace-listen", "off"});
    ASSERT_TRUE(server.start());
    int status = -1;
    std::string out = runRscope(
        fmt::format("client --port {} --connections 4 --requests 40 --size 16 --reply article "
                    "--json",
                    server.port()),
        &status);
    EXPECT_EQ(status, 0) << out;
    size_t last = out.rfind('{');
    ASSERT_NE(last, std::string::npos) << out;
    json summary = json::parse(out.substr(last));
    EXPECT_EQ(summary["requests"], 40) << out;
    EXPECT_EQ(summary["errors"], 0) << out;
    EXPECT_EQ(server.stop(), 0);
}

TEST(Article, PipeHopsNameTheirSendersSwooleFunction)
{
    if (!trace::kTraceCompiled) GTEST_SKIP() << "built with -DRSCOPE_TRACE=OFF";
    std::string file = fmt::format("/tmp/rscope-article-test-{}.jsonl", ::getpid());
    ServerProcess server({"--handler", "article", "--worker-num", "4", "--reactor-num", "2",
                          "--dispatch-mode", "2", "--trace-listen", "off", "--trace-file", file});
    ASSERT_TRUE(server.start());
    TestClient client(server.port());
    ASSERT_TRUE(client.sendAll("hello world\n"));
    bool closed = false;
    EXPECT_EQ(client.recvUntilClose(&closed), "From TcpServer Swoole: hello world\n");
    EXPECT_TRUE(closed);
    std::this_thread::sleep_for(50ms);
    ASSERT_EQ(server.stop(), 0);

    // direction -> (message types seen, fn); one fn per direction.
    std::map<std::string, std::map<std::string, int>> fns;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
    {
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || j.value("kind", "") != "pipe_write") continue;
        ++fns[j["args"]["direction"].get<std::string>()][j["fn"].get<std::string>()];
    }
    ::unlink(file.c_str());
    // The master hands the connection to reactor[0] (swoole: sub_reactor->add), the reactor
    // thread sends CONNECT and RECV_DATA to the worker, the worker sends SEND_DATA and CLOSE back.
    EXPECT_EQ(fns["to_reactor_thread"], (std::map<std::string, int>{{"swReactorEpoll_add", 1}}));
    EXPECT_EQ(fns["to_worker"], (std::map<std::string, int>{{"swReactorThread_send2worker", 2}}));
    EXPECT_EQ(fns["to_reactor"], (std::map<std::string, int>{{"swWorker_send2reactor", 2}}));
}

}  // namespace
}  // namespace rscope::testing
