// LineParser: tracefile::LineParser's DecodedLine -> ParsedLine. No JSON here: only the trace
// vocabulary's values by name, clamps into the compact Event, and the header's Topology.
#include "viewer/model/line_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace rscope::viewer
{

namespace
{
using tracefile::DecodedArg;
using tracefile::DecodedLine;
using tracefile::LineType;

uint8_t causeByName(std::string_view name)
{
    for (uint8_t i = 1; i < static_cast<uint8_t>(trace::Cause::Count); ++i)
        if (name == trace::causeName(i)) return i;
    return 0;  // an unknown reason from a newer minor version: shown as none
}

CallbackId callbackByName(std::string_view name)
{
    // Up to the last CallbackId: format 1.1's onTask, onFinish and onPipeMessage included.
    for (uint8_t i = 1; i <= static_cast<uint8_t>(CallbackId::OnPipeMessage); ++i)
        if (name == trace::callbackName(i)) return static_cast<CallbackId>(i);
    return kOtherCallback;
}

Direction directionByName(std::string_view name)
{
    for (uint8_t i = 0; i < trace::kDirectionCount; ++i)
        if (name == trace::directionName(i)) return static_cast<Direction>(i);
    return kNoDirection;
}

PipeType pipeTypeByName(std::string_view name)
{
    struct Spelling
    {
        std::string_view name;
        PipeType type;
    };
    // Every wire value the format names ("UNKNOWN" is its name for the others).
    static const std::vector<Spelling> spellings = []
    {
        std::vector<Spelling> v;
        for (unsigned i = 0; i < static_cast<unsigned>(kOtherPipeType); ++i)
        {
            std::string_view n = trace::pipeTypeName(static_cast<uint8_t>(i));
            if (n != "UNKNOWN") v.push_back({n, static_cast<PipeType>(i)});
        }
        return v;
    }();
    if (name.empty()) return kNoPipeType;
    for (const Spelling& s : spellings)
        if (s.name == name) return s.type;
    return kOtherPipeType;
}

template <typename Int>
Int clampTo(int64_t v)
{
    return static_cast<Int>(
        std::clamp<int64_t>(v, std::numeric_limits<Int>::min(), std::numeric_limits<Int>::max()));
}

bool fail(ParsedLine& out, const std::string& message)
{
    out.type = ParsedLine::Type::Error;
    out.error = message;
    return false;
}

// The few args the derived state needs, by the kind table's arg types.
void convertArgs(const DecodedLine& d, ParsedLine& out)
{
    Event& e = out.event;
    for (size_t i = 0; i < d.argCount; ++i)
    {
        const DecodedArg& a = d.args[i];
        if (a.state != DecodedArg::State::Ok) continue;
        std::string_view key = a.info->name;
        switch (a.info->type)
        {
            case trace::ArgType::Int:
                // buffer_full / buffer_drain have no bytes: their watermark (the limit) goes there.
                // frame and frame_error call their packet's size `length`.
                if (key == "bytes" || key == "len" || key == "length" || key == "watermark")
                    e.bytes = static_cast<int32_t>(
                        std::clamp<int64_t>(a.number, -1, std::numeric_limits<int32_t>::max()));
                else if (key == "queued" || key == "queued_bytes")
                    e.queued = static_cast<int32_t>(
                        std::clamp<int64_t>(a.number, -1, std::numeric_limits<int32_t>::max()));
                else if (e.kind == EventKind::WorkerStart && key == "generation")
                    e.generation =
                        static_cast<int16_t>(std::clamp<int64_t>(a.number, 0, INT16_MAX));
                break;
            case trace::ArgType::PipeType:
                e.pipeType = pipeTypeByName(a.text);
                break;
            case trace::ArgType::Direction:
                e.direction = directionByName(a.text);
                break;
            case trace::ArgType::Callback:
                e.callback = callbackByName(a.text);
                break;
            case trace::ArgType::Cause:
                e.cause = causeByName(a.text);
                break;
            default:
                break;
        }
    }
    out.droppedCount = d.droppedCount;
}

void convertTopology(const tracefile::TraceHeader& h, std::string_view line, Topology& t)
{
    t = Topology{};
    t.formatVersion = h.version;
    t.liveFromSeq = h.liveFromSeq;
    t.mode = h.settings.mode;
    t.host = h.settings.host;
    t.port = h.settings.port;
    t.reactorNum = h.settings.reactorNum;
    t.workerNum = h.settings.workerNum;
    t.taskWorkerNum = h.settings.taskWorkerNum;
    t.dispatchMode = h.settings.dispatchMode;
    t.protocol = h.settings.protocol;
    t.traceStep = h.settings.traceStep;
    t.socketBufferSize = h.settings.socketBufferSize;
    t.bufferOutputSize = h.settings.bufferOutputSize;
    for (const tracefile::HeaderProcess& p : h.processes)
        t.processes.push_back({roleByName(p.role), p.index, p.pid, p.generation});
    for (const tracefile::HeaderThread& a : h.threads)
        t.threads.push_back({roleByName(a.role), a.index, a.pid, a.tid, a.name});
    for (const tracefile::HeaderPipe& p : h.pipes)
        t.pipes.push_back({p.reactor, p.worker, p.masterFd, p.workerFd});
    for (const tracefile::HeaderListener& l : h.listeners)
        t.listeners.push_back({l.host, l.port, l.fd});
    for (const tracefile::HeaderConnection& c : h.connections)
        t.connections.push_back({c.session.value_or(0), clampTo<int>(c.fd.value_or(-1)),
                                 clampTo<int>(c.reactor.value_or(-1)), c.peer});
    t.headerJson.assign(line);
}

bool hasError(const tracefile::FieldProblems& problems)
{
    for (const tracefile::FieldProblem& p : problems)
        if (p.severity == tracefile::Severity::Error) return true;
    return false;
}

void resetLine(ParsedLine& out)
{
    out.type = ParsedLine::Type::Error;
    out.event = Event{};
    out.actor.role = Role::Unknown;
    out.actor.index = -1;
    out.actor.pid = 0;
    out.actor.tid = 0;
    out.actor.name.clear();
    out.args.clear();
    out.payload.clear();
    out.droppedCount = 0;
    out.error.clear();
    // A reused line that held a header drops it; for the others this is one compare.
    if (!out.topology.headerJson.empty()) out.topology = Topology{};
}
}  // namespace

void LineParser::parse(std::string_view line, ParsedLine& out)
{
    resetLine(out);
    const DecodedLine& d = decoded_;
    parser_.parse(line, decoded_);
    switch (d.type)
    {
        case LineType::Error:
            fail(out, d.error);
            return;
        case LineType::Header:
            if (!d.header.fatal.empty())
                fail(out, d.header.fatal);
            else if (!d.header.beyondLimits.empty())
                fail(out, "header: " + d.header.beyondLimits);
            else
            {
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                convertTopology(d.header, line, out.topology);
                out.type = ParsedLine::Type::Header;
            }
            return;
        case LineType::End:
            out.type = ParsedLine::Type::End;
            return;
        case LineType::UnknownType:
            out.type = ParsedLine::Type::UnknownKind;  // a line type of a newer minor version
            return;
        case LineType::UnknownKind:
        case LineType::Event:
            break;
    }
    // An event the trace tools call broken is an error here too; a missing arg is not (the
    // picture does without it), a mistyped one is (it would be misread).
    if (hasError(d.problems) || d.argMistyped)
    {
        fail(out, d.error);
        return;
    }
    if (d.type == LineType::UnknownKind)
    {
        out.type = ParsedLine::Type::UnknownKind;
        return;
    }
    Event& e = out.event;
    e.kind = d.kind;
    e.seq = d.seq.value_or(0);
    e.tsNs = d.tsNs;
    e.flow = d.flow.value_or(0);
    e.msgId = d.msgId.value_or(0);
    e.session = d.session.value_or(0);
    e.fd = clampTo<int32_t>(d.fd.value_or(-1));
    e.reactor = clampTo<int16_t>(d.reactor.value_or(-1));
    e.worker = clampTo<int16_t>(d.worker.value_or(-1));
    out.actor.role = roleByName(d.role);
    e.byTaskWorker = out.actor.role == Role::TaskWorker;
    out.actor.index = d.index;
    out.actor.pid = d.pid;
    out.actor.tid = d.tid;
    convertArgs(d, out);
    out.args.assign(d.rawArgs);
    out.payload.assign(d.rawPayload);
    out.type = ParsedLine::Type::Event;
}

}  // namespace rscope::viewer
