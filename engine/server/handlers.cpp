// Demo handlers. The article handler is the seed article's PHP server, byte for byte on stdout:
// "Client:Connect.\n", "receive : <data> \n", reply 'From TcpServer Swoole: ' . <data>, close,
// "Client: Close.\n". Which worker ran each callback goes to stderr, so stdout stays the article's.
#include "engine/server/handlers.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "engine/protocol/article_words.h"
#include "engine/server/server.h"

namespace rscope::server
{

namespace
{
// One write per line: several workers share stdout and stderr.
void printLine(const std::string& line, int fd = STDOUT_FILENO)
{
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0)
    {
        ssize_t n = ::write(fd, p, left);
        if (n <= 0) break;
        p += n;
        left -= static_cast<size_t>(n);
    }
}

// `data` escaped for one log line, cut after 64 bytes.
std::string printable(std::string_view data)
{
    constexpr size_t kMaxShown = 64;
    std::string out;
    for (char c : data.substr(0, kMaxShown))
    {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    if (data.size() > kMaxShown) out += fmt::format("... ({} bytes)", data.size());
    return out;
}

// A task or message carries the session it answers in its first 8 bytes, as a swoole user puts
// $fd into the task data: a task worker knows nothing of connections.
std::string withSession(int64_t session, std::string_view data)
{
    std::string out(sizeof session, '\0');
    std::memcpy(out.data(), &session, sizeof session);
    out.append(data);
    return out;
}

// The session and the data of a withSession() message; session 0 when it is too short.
std::pair<int64_t, std::string_view> splitSession(std::string_view message)
{
    int64_t session = 0;
    if (message.size() < sizeof session) return {0, {}};
    std::memcpy(&session, message.data(), sizeof session);
    return {session, message.substr(sizeof session)};
}

// "NAME:MS" -> MS, or -1 when MS is not a number in 0 .. 600000.
int parseMs(std::string_view spec, size_t prefix)
{
    int ms = -1;
    std::string_view text = spec.substr(prefix);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || ms < 0 || ms > 600000) return -1;
    return ms;
}
}  // namespace

std::string installHandler(Server& server, const std::string& spec)
{
    Callbacks& on = server.on();
    if (spec == "article")
    {
        // PHP: echo "Client:Connect.\n";
        on.onConnect = [](Server& s, int64_t session, int reactorId)
        {
            printLine(fmt::format("worker[{}] onConnect: session {} (reactor {})\n", s.workerId(),
                                  session, reactorId),
                      STDERR_FILENO);
            printLine("Client:Connect.\n");
        };
        // PHP: echo "receive : $data \n"; $serv->send($fd, 'From TcpServer Swoole: '.$data);
        //      $serv->close($fd);
        on.onReceive = [](Server& s, int64_t session, int reactorId, std::string_view data)
        {
            printLine(fmt::format("worker[{}] onReceive: session {} (reactor {}): {}\n",
                                  s.workerId(), session, reactorId, printable(data)),
                      STDERR_FILENO);
            std::string line = "receive : ";
            line.append(data);
            line += " \n";
            printLine(line);
            std::string reply(protocol::kArticleReplyPrefix);
            reply.append(data);
            s.send(session, reply);
            s.close(session);
        };
        // PHP: echo "Client: Close.\n";
        on.onClose = [](Server& s, int64_t session, int reactorId)
        {
            printLine(fmt::format("worker[{}] onClose: session {} (reactor {})\n", s.workerId(),
                                  session, reactorId),
                      STDERR_FILENO);
            printLine("Client: Close.\n");
        };
        return "";
    }
    if (spec == "echo")
    {
        on.onReceive = [](Server& s, int64_t session, int, std::string_view data)
        { s.send(session, data); };
        return "";
    }
    if (spec.rfind("sleep:", 0) == 0)
    {
        int ms = parseMs(spec, 6);
        if (ms < 0) return "handler sleep:MS needs MS between 0 and 600000";
        on.onReceive = [ms](Server& s, int64_t session, int, std::string_view data)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            s.send(session, data);
        };
        return "";
    }
    if (spec.rfind("task:", 0) == 0)
    {
        // The slow part of a request runs in a task worker; the event worker stays free for
        // other connections meanwhile (model section 10).
        int ms = parseMs(spec, 5);
        if (ms < 0) return "handler task:MS needs MS between 0 and 600000";
        if (server.config().taskWorkerNum <= 0)
            return "handler task:MS needs task workers (--task-worker-num N)";
        on.onReceive = [](Server& s, int64_t session, int, std::string_view data)
        {
            if (s.task(withSession(session, data)) < 0) s.send(session, data);
        };
        on.onTask = [ms](Server& s, int64_t, int, std::string_view data)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            s.finish(data);
        };
        on.onFinish = [](Server& s, int64_t, std::string_view result)
        {
            auto [session, data] = splitSession(result);
            if (session > 0) s.send(session, data);
        };
        return "";
    }
    if (spec == "message")
    {
        // The worker that received the data hands it to the next worker, which replies: any
        // worker can send to any connection (the reply goes through the session's reactor).
        on.onReceive = [](Server& s, int64_t session, int, std::string_view data)
        {
            int next = (s.workerId() + 1) % s.config().workerNum;
            if (next == s.workerId() || !s.sendMessage(withSession(session, data), next))
                s.send(session, data);
        };
        on.onPipeMessage = [](Server& s, int, std::string_view message)
        {
            auto [session, data] = splitSession(message);
            if (session > 0) s.send(session, data);
        };
        return "";
    }
    return "unknown handler '" + spec + "' (use article, echo, sleep:MS, task:MS or message)";
}

}  // namespace rscope::server
