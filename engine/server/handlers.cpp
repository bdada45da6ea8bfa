// Demo handlers. The article handler is the seed article's PHP server, byte for byte on stdout:
// "Client:Connect.\n", "receive : <data> \n", reply 'From TcpServer Swoole: ' . <data>, close,
// "Client: Close.\n". Which worker ran each callback goes to stderr, so stdout stays the article's.
#include "engine/server/handlers.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
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
        int ms = -1;
        std::string_view text(spec);
        text.remove_prefix(6);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        if (ec != std::errc() || end != text.data() + text.size() || ms < 0 || ms > 600000)
            return "handler sleep:MS needs MS between 0 and 600000";
        on.onReceive = [ms](Server& s, int64_t session, int, std::string_view data)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            s.send(session, data);
        };
        return "";
    }
    return "unknown handler '" + spec + "' (use article, echo or sleep:MS)";
}

}  // namespace rscope::server
