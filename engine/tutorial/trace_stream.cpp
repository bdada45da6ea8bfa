// TraceStream: poll + recv into a line buffer; every whole line is parsed with nlohmann (lessons
// see a few hundred events, so a DOM per line is cheap enough and keeps the code plain).
#include "engine/tutorial/trace_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/base/json_depth.h"
#include "engine/format/trace_socket.h"

namespace rscope::tutorial
{

namespace
{
using nlohmann::json;

template <typename T>
std::optional<T> optionalInt(const json& obj, const char* key)
{
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<T>();
}
}  // namespace

std::optional<std::string> StreamEvent::argText(std::string_view key) const
{
    auto it = args.find(std::string(key));
    if (it == args.end()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return std::string(it->get<bool>() ? "true" : "false");
    if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return it->dump();
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

bool parseEventLine(std::string_view line, StreamEvent& out)
{
    if (base::jsonNestedDeeperThan(line, base::kMaxTraceLineDepth)) return false;
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || j.contains("type")) return false;
    auto kind = j.find("kind");
    auto actor = j.find("actor");
    if (kind == j.end() || !kind->is_string() || actor == j.end() || !actor->is_object())
        return false;
    out = StreamEvent{};
    out.seq = optionalInt<uint64_t>(j, "seq").value_or(0);
    out.tsNs = optionalInt<int64_t>(j, "ts").value_or(0);
    out.kind = kind->get<std::string>();
    if (auto role = actor->find("role"); role != actor->end() && role->is_string())
        out.role = role->get<std::string>();
    out.index = optionalInt<int>(*actor, "index").value_or(-1);
    out.pid = optionalInt<pid_t>(*actor, "pid").value_or(0);
    out.session = optionalInt<int64_t>(j, "session");
    out.fd = optionalInt<int64_t>(j, "fd");
    out.reactor = optionalInt<int64_t>(j, "reactor");
    out.worker = optionalInt<int64_t>(j, "worker");
    out.msgId = optionalInt<uint64_t>(j, "msg_id");
    if (auto args = j.find("args"); args != j.end() && args->is_object()) out.args = *args;
    return true;
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
        if (base::jsonNestedDeeperThan(line, base::kMaxTraceLineDepth)) return;
        json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.value("type", "") == "header") takeHeader(j);
        return;
    }
    StreamEvent e;
    if (!parseEventLine(line, e)) return;
    if (e.kind == "worker_start" && e.role == "worker") workerPids_[e.index] = e.pid;
    if (e.kind == "worker_restart" && e.worker)
        if (auto pid = e.argText("new_pid"))
            workerPids_[static_cast<int>(*e.worker)] = std::stoi(*pid);
    if (onEvent) onEvent(e);
}

void TraceStream::takeHeader(const json& header)
{
    hasHeader_ = true;
    auto topology = header.find("topology");
    if (topology == header.end() || !topology->is_object()) return;
    auto processes = topology->find("processes");
    if (processes == topology->end() || !processes->is_array()) return;
    for (const json& p : *processes)
        if (p.is_object() && p.value("role", "") == "worker" && p.value("pid", 0) > 0)
            workerPids_[p.value("index", -1)] = p.value("pid", 0);
}

pid_t TraceStream::workerPid(int worker) const
{
    auto it = workerPids_.find(worker);
    return it == workerPids_.end() ? 0 : it->second;
}

}  // namespace rscope::tutorial
