// TraceStream: poll + recv into a line buffer; every whole line goes through the format's
// LineParser, the one decoder of trace lines.
#include "engine/tutorial/trace_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/format/trace_socket.h"

namespace rscope::tutorial
{

std::optional<std::string> StreamEvent::argText(std::string_view key) const
{
    for (const auto& [name, text] : args)
        if (name == key) return text;
    return std::nullopt;
}

EventFacts StreamEvent::facts() const
{
    EventFacts f;
    f.kind = kind;
    f.role = role;
    f.index = index;
    f.session = session;
    f.fd = fd;
    f.reactor = reactor;
    f.worker = worker;
    f.msgId = msgId;
    f.tsNs = tsNs;
    f.arg = [this](std::string_view key) { return argText(key); };
    return f;
}

bool parseEventLine(tracefile::LineParser& parser, std::string_view line, StreamEvent& out)
{
    tracefile::DecodedLine d;
    parser.parse(line, d);
    bool isEvent =
        d.type == tracefile::LineType::Event || d.type == tracefile::LineType::UnknownKind;
    if (!isEvent || d.kindName.empty() || !d.hasActor) return false;
    out = StreamEvent{};
    out.seq = d.seq.value_or(0);
    out.tsNs = d.tsNs;
    out.kind.assign(d.kindName);
    out.role.assign(d.role);
    out.index = d.index;
    out.pid = d.pid;
    out.session = d.session;
    out.fd = d.fd;
    out.reactor = d.reactor;
    out.worker = d.worker;
    out.msgId = d.msgId;
    std::string rawArgs(d.rawArgs);  // argTexts reuses the parser: d's views end there
    parser.argTexts(rawArgs, out.args);
    return true;
}

bool parseEventLine(std::string_view line, StreamEvent& out)
{
    tracefile::LineParser parser;
    return parseEventLine(parser, line, out);
}

TraceStream::~TraceStream()
{
    close();
}

void TraceStream::close()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    partial_.clear();
}

bool TraceStream::connect(const std::string& address, int timeoutMs, std::string& error)
{
    close();
    hasHeader_ = false;
    workerPids_.clear();
    // The one trace-socket client of the format library: HOST:PORT (IPv4 or [IPv6]), unix:PATH.
    fd_ = tracefile::connectTraceSocket(address, timeoutMs, &error);
    return fd_ >= 0;
}

bool TraceStream::poll(int timeoutMs, const std::function<void(const StreamEvent&)>& onEvent)
{
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, timeoutMs);
    if (n <= 0) return true;  // timeout or EINTR: nothing yet
    char buf[65536];
    ssize_t got = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (got <= 0)
    {
        close();
        return false;
    }
    partial_.append(buf, static_cast<size_t>(got));
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
        takeLine(std::string_view(partial_).substr(start, nl - start), onEvent);
    partial_.erase(0, start);
    return true;
}

void TraceStream::takeLine(std::string_view line,
                           const std::function<void(const StreamEvent&)>& onEvent)
{
    if (lineSink_) lineSink_(line);
    if (!hasHeader_)
    {
        parser_.parse(line, header_);
        if (header_.type == tracefile::LineType::Header) takeHeader(header_.header);
        return;
    }
    StreamEvent e;
    if (!parseEventLine(parser_, line, e)) return;
    if (e.kind == "worker_start" && e.role == "worker") workerPids_[e.index] = e.pid;
    if (e.kind == "worker_restart" && e.worker)
        if (auto pid = e.argText("new_pid"))
            workerPids_[static_cast<int>(*e.worker)] = std::stoi(*pid);
    if (onEvent) onEvent(e);
}

void TraceStream::takeHeader(const tracefile::TraceHeader& header)
{
    hasHeader_ = true;
    for (const tracefile::HeaderProcess& p : header.processes)
        if (p.role == "worker" && p.pid > 0) workerPids_[p.index] = p.pid;
}

pid_t TraceStream::workerPid(int worker) const
{
    auto it = workerPids_.find(worker);
    return it == workerPids_.end() ? 0 : it->second;
}

}  // namespace rscope::tutorial
