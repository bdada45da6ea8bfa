// TraceReader: mmap a JSON Lines trace, parse it line by line into a TraceStore (bad lines become
// FILE:LINE errors, a newer major version stops the load); saveTrace writes a store back.
#include "viewer/model/trace_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "engine/base/unique_fd.h"
#include "viewer/model/line_parser.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{

namespace
{
// Events parsed before the store's capacity is estimated from the file size.
constexpr size_t kSampleEvents = 4096;

std::string errnoText(const char* call, const std::string& path, int savedErrno)
{
    return std::string(call) + "(" + path + "): " + std::strerror(savedErrno);
}

// Line 1 failed to parse: was it meant as a header? Then the file is refused, not merely
// header-less (FORMAT.md, section 8).
bool looksLikeHeader(std::string_view line)
{
    return line.find("\"header\"") != std::string_view::npos;
}
}  // namespace

// The mapped file plus the load's running state (kept here so the header stays small).
struct TraceReader::Mapping
{
    base::UniqueFd fd;
    const char* data = nullptr;
    size_t size = 0;
    ParsedLine line;  // reused for every line: its strings keep their capacity
    bool started = false;
    bool sawEnd = false;
    size_t firstEventOffset = 0;  // where the events start, for the capacity estimate
    uint64_t textBytes = 0;       // args + payload bytes appended so far
    size_t reservedEvents = 0;
    uint64_t reservedText = 0;

    ~Mapping()
    {
        if (data != nullptr) ::munmap(const_cast<char*>(data), size);
    }
};

TraceReader::TraceReader(std::string path)
    : path_(std::move(path)), parser_(std::make_unique<LineParser>())
{
}

TraceReader::~TraceReader() = default;

bool TraceReader::open()
{
    map_.reset();
    error_.clear();
    fatal_ = false;
    offset_ = 0;
    lineNo_ = 0;
    auto m = std::make_unique<Mapping>();
    m->fd.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!m->fd.valid())
    {
        error_ = errnoText("open", path_, errno);
        return false;
    }
    struct stat st;
    if (::fstat(m->fd.get(), &st) != 0)
    {
        error_ = errnoText("fstat", path_, errno);
        return false;
    }
    if (!S_ISREG(st.st_mode))
    {
        error_ = path_ + ": not a regular file";
        return false;
    }
    if (st.st_size == 0)
    {
        error_ = path_ + ": empty file (no header); nothing to load";
        return false;
    }
    m->size = static_cast<size_t>(st.st_size);
    void* p = ::mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, m->fd.get(), 0);
    if (p == MAP_FAILED)
    {
        error_ = errnoText("mmap", path_, errno);
        return false;
    }
    m->data = static_cast<const char*>(p);
    ::madvise(p, m->size, MADV_SEQUENTIAL);
    map_ = std::move(m);
    return true;
}

void TraceReader::reserveFromFileSize(TraceStore& store, Mapping& m) const
{
    double lineBytes = double(offset_ - m.firstEventOffset) / double(store.size());
    double linesLeft = double(m.size - offset_) / lineBytes;
    double textPerEvent = double(m.textBytes) / double(store.size());
    auto events = static_cast<size_t>((double(store.size()) + linesLeft) * 1.02) + 64;
    events = std::max(events, store.size() + store.size() / 8);
    auto text = static_cast<uint64_t>(double(events) * textPerEvent * 1.02) + 4096;
    text = std::max(text, m.textBytes + m.textBytes / 8);
    store.reserve(events, text);
    m.reservedEvents = events;
    m.reservedText = text;
}

bool TraceReader::step(TraceStore& store, size_t maxLines)
{
    if (!map_ || fatal_) return false;
    Mapping& m = *map_;
    if (!m.started)
    {
        m.started = true;
        store.clear();
    }
    ParsedLine& pl = m.line;
    for (size_t n = 0; n < maxLines && offset_ < m.size; ++n)
    {
        const char* start = m.data + offset_;
        size_t rest = m.size - offset_;
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', rest));
        bool cut = nl == nullptr;  // the last line has no final '\n'
        size_t len = cut ? rest : static_cast<size_t>(nl - start);
        offset_ += cut ? len : len + 1;
        ++lineNo_;
        std::string_view text(start, len);
        parser_->parse(text, pl);

        if (lineNo_ == 1)
        {
            m.firstEventOffset = offset_;
            if (pl.type == ParsedLine::Type::Header)
            {
                store.setTopology(std::move(pl.topology));
                continue;
            }
            if (pl.type == ParsedLine::Type::Error && looksLikeHeader(text))
            {
                fatal_ = true;
                ParseError e{path_, 1, pl.error + "; file refused"};
                error_ = e.text();
                store.addError(std::move(e));
                return false;
            }
            store.addError({path_, 1,
                            "missing header (line 1 is not a header line); loading the "
                            "events without a topology"});
        }

        switch (pl.type)
        {
            case ParsedLine::Type::Event:
            {
                if (m.sawEnd) store.addError({path_, lineNo_, "event after trace_end"});
                // Capacity from the file size once the average line is known, and again if the
                // guess runs out, instead of doubling (which can leave half the vectors unused).
                if (store.size() >= kSampleEvents &&
                    (store.size() >= m.reservedEvents ||
                     m.textBytes + pl.args.size() + pl.payload.size() > m.reservedText))
                    reserveFromFileSize(store, m);
                pl.event.actor = store.internActor(pl.actor);
                if (pl.event.kind == EventKind::TraceDropped)
                    store.addDroppedByServer(pl.droppedCount);
                uint64_t lastSeq = store.size() ? store.events().back().seq : 0;
                if (store.append(pl.event, pl.args, pl.payload))
                    m.textBytes += pl.args.size() + pl.payload.size();
                else
                    store.addError({path_, lineNo_,
                                    "seq " + std::to_string(pl.event.seq) + " is not after seq " +
                                        std::to_string(lastSeq) + "; event skipped"});
                break;
            }
            case ParsedLine::Type::UnknownKind:
                store.addUnknownKind();
                break;
            case ParsedLine::Type::End:
                m.sawEnd = true;
                break;
            case ParsedLine::Type::Header:
                store.addError({path_, lineNo_, "a second header line; ignored"});
                break;
            case ParsedLine::Type::Error:
                store.addError(
                    {path_, lineNo_, cut ? "truncated last line (" + pl.error + ")" : pl.error});
                break;
        }
    }
    return offset_ < m.size;
}

bool TraceReader::loadAll(TraceStore& store)
{
    if (!open()) return false;
    while (step(store, 65536))
    {
    }
    return !fatal_;
}

double TraceReader::progress() const
{
    if (!map_ || map_->size == 0) return fatal_ ? 1.0 : 0.0;
    return double(offset_) / double(map_->size);
}

// --- saving ----------------------------------------------------------------------------------

namespace
{
class LineWriter
{
  public:
    explicit LineWriter(std::FILE* f) : file_(f) { buf_.reserve(kFlushBytes + 4096); }
    void raw(std::string_view s) { buf_.append(s); }
    template <typename Int>
    void number(Int v)
    {
        char tmp[24];
        auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, end);
    }
    void key(std::string_view k, bool first = false)
    {
        if (!first) buf_.push_back(',');
        buf_.push_back('"');
        buf_.append(k);
        buf_.append("\":");
    }
    template <typename Int>
    void optional(std::string_view k, Int v, bool present)
    {
        if (!present) return;
        key(k);
        number(v);
    }
    bool endLine()
    {
        buf_.push_back('\n');
        return buf_.size() < kFlushBytes || flush();
    }
    bool flush()
    {
        bool ok = std::fwrite(buf_.data(), 1, buf_.size(), file_) == buf_.size();
        buf_.clear();
        return ok;
    }

  private:
    static constexpr size_t kFlushBytes = 1 << 20;
    std::FILE* file_;
    std::string buf_;
};

void writeEvent(LineWriter& w, const TraceStore& store, const Event& e)
{
    const trace::KindInfo& info = trace::kindInfo(e.kind);
    const Actor& a = store.actorOf(e);
    w.raw("{");
    w.key("seq", true);
    w.number(e.seq);
    w.key("ts");
    w.number(e.tsNs);
    w.key("kind");
    w.raw("\"");
    w.raw(info.name);
    w.raw("\"");
    w.key("fn");
    w.raw("\"");
    w.raw(eventFn(e));
    w.raw("\",\"actor\":{\"role\":\"");
    w.raw(roleName(a.role));
    w.raw("\",\"index\":");
    w.number(a.index);
    w.raw(",\"pid\":");
    w.number(a.pid);
    w.raw(",\"tid\":");
    w.number(a.tid);
    w.raw("}");
    // Optional ids only when set: FORMAT.md never writes 0 or -1 to mean none.
    w.optional("session", e.session, e.session != 0);
    w.optional("fd", e.fd, e.fd != -1);
    w.optional("reactor", e.reactor, e.reactor != -1);
    w.optional("worker", e.worker, e.worker != -1);
    w.optional("msg_id", e.msgId, e.msgId != 0);
    w.optional("flow", e.flow, e.flow != 0);
    w.key("args");
    std::string_view args = store.args(e);
    w.raw(args.empty() ? std::string_view("{}") : args);
    std::string_view payload = store.payload(e);
    if (!payload.empty())
    {
        w.key("payload");
        w.raw("\"");
        w.raw(payload);
        w.raw("\"");
    }
    w.raw("}");
}

// Flows whose last event is not terminal: the recording cut them (FORMAT.md, section 5).
std::vector<uint64_t> cutFlows(const TraceStore& store)
{
    std::unordered_map<uint64_t, bool> open;
    for (const Event& e : store.events())
        if (e.flow != 0) open[e.flow] = !trace::isTerminalKind(e.kind);
    std::vector<uint64_t> cut;
    for (auto [flow, isOpen] : open)
        if (isOpen) cut.push_back(flow);
    std::sort(cut.begin(), cut.end());
    return cut;
}
}  // namespace

bool saveTrace(const TraceStore& store, const std::string& path, std::string& error)
{
    // Write beside the target and rename: a failed save never leaves half a file under the name,
    // and the file being viewed may be the one replaced.
    std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wbe");
    if (f == nullptr)
    {
        error = errnoText("fopen", tmp, errno) + "; nothing saved";
        return false;
    }
    LineWriter w(f);
    bool ok = true;
    if (store.hasHeader())
    {
        w.raw(store.topology().headerJson);
        ok = w.endLine();
    }
    for (size_t i = 0; ok && i < store.size(); ++i)
    {
        writeEvent(w, store, store[i]);
        ok = w.endLine();
    }
    if (ok)
    {
        w.raw("{\"type\":\"trace_end\",\"events\":");
        w.number(store.size());
        w.raw(",\"dropped\":");
        w.number(store.droppedByServer());
        w.raw(",\"cut_flows\":[");
        bool first = true;
        for (uint64_t flow : cutFlows(store))
        {
            if (!first) w.raw(",");
            first = false;
            w.number(flow);
        }
        w.raw("]}");
        ok = w.endLine() && w.flush();
    }
    int savedErrno = errno;
    if (std::fclose(f) != 0 && ok)
    {
        ok = false;
        savedErrno = errno;
    }
    if (!ok)
    {
        error = errnoText("write", tmp, savedErrno) + "; nothing saved";
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0)
    {
        error = errnoText("rename", path, errno) + "; the trace is left in " + tmp;
        return false;
    }
    return true;
}

}  // namespace rscope::viewer
