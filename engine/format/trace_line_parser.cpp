// TraceLineParser: LineParser per line, then the rules that span lines. No exception leaves
// parseLine: any is turned into a problem at this boundary.
#include "engine/format/trace_line_parser.h"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "engine/format/line_splitter.h"

namespace rscope::tracefile
{

namespace
{
// The event a sink sees: the decoded line's views copied into owned values.
void toEventView(const DecodedLine& d, uint64_t line, TraceEventView* e)
{
    e->line = line;
    e->seq = d.seq.value_or(0);
    e->tsNs = d.tsNs;
    e->kind = d.kind;
    e->kindName.assign(d.kindName);
    e->fn.assign(d.fn);
    e->actor.role.assign(d.role);
    e->actor.index = d.index;
    e->actor.pid = d.pid;
    e->actor.tid = d.tid;
    e->session = d.session;
    e->fd = d.fd;
    e->reactor = d.reactor;
    e->worker = d.worker;
    e->msgId = d.msgId;
    e->flow = d.flow;
    for (size_t i = 0; i < 5; ++i)
    {
        TraceArg& a = e->args[i];
        if (i >= d.argCount)
        {
            a = TraceArg{};
            continue;
        }
        a.info = d.args[i].info;
        a.valid = d.args[i].state == DecodedArg::State::Ok;
        a.number = d.args[i].number;
        a.text.assign(d.args[i].text);
    }
    e->rawArgs.assign(d.rawArgs);
    if (d.payload)
        e->payload = std::string(*d.payload);
    else
        e->payload.reset();
}
}  // namespace

TraceLineParser::TraceLineParser(std::string source, TraceSink sink)
    : source_(std::move(source)), sink_(std::move(sink))
{
}

bool TraceLineParser::parseLine(std::string_view text, bool unterminated, bool tooLong)
{
    ++line_;
    ++counts_.lines;
    if (failed_) return false;
    try
    {
        if (tooLong)
        {
            report(Severity::Error,
                   fmt::format("line longer than {} bytes; skipped", kMaxLineBytes));
            if (!hasHeader_)
                fatal("missing header: line 1 must be the header line");
            else
            {
                ++counts_.eventLines;
                skipSeq();
            }
        }
        else
            parseJsonLine(text, unterminated);
    }
    catch (const std::exception& e)
    {
        report(Severity::Error, fmt::format("cannot read this line: {}", e.what()));
    }
    return !failed_;
}

void TraceLineParser::finish()
{
    if (hasHeader_ || failed_) return;
    line_ = 0;
    fatal("empty trace: no header line");
}

void TraceLineParser::parseJsonLine(std::string_view text, bool unterminated)
{
    DecodedLine& d = decoded_;
    parser_.parse(text, d, hasHeader_ ? header_.versionMinor : trace::kFormatMinor);
    switch (d.lineError)
    {
        case LineError::None:
            break;
        case LineError::Empty:
            if (!hasHeader_) return fatal("missing header: line 1 is empty");
            return report(Severity::Error, "empty line (every line is one JSON object)");
        case LineError::TooDeep:
        case LineError::InvalidJson:
        {
            std::string message = d.error;
            if (unterminated && d.lineError == LineError::InvalidJson)
                message = "truncated last line (no newline at the end of the file): " + message;
            if (!hasHeader_) return fatal(message + "; line 1 must be the header");
            return onBrokenLine(std::move(message));
        }
        case LineError::NotObject:
            if (!hasHeader_) break;
            return onBrokenLine(d.error);
        case LineError::BadType:
            if (!hasHeader_) break;
            return report(Severity::Error, d.error);
    }
    if (!hasHeader_)
    {
        if (d.type != LineType::Header)
            return fatal("missing header: line 1 must be a {\"type\":\"header\",...} line");
        return onHeaderLine();
    }
    switch (d.type)
    {
        case LineType::Header:
            return report(Severity::Error, "a second header line (only line 1)");
        case LineType::End:
            return onEndLine();
        case LineType::UnknownType:
            return report(Severity::Warning,
                          fmt::format("unknown line type {} skipped", d.typeText));
        case LineType::Event:
        case LineType::UnknownKind:
            return onEventLine();
        case LineType::Error:
            break;
    }
}

void TraceLineParser::onBrokenLine(std::string message)
{
    report(Severity::Error, std::move(message));
    ++counts_.eventLines;
    skipSeq();
}

void TraceLineParser::onHeaderLine()
{
    DecodedLine& d = decoded_;
    if (!d.header.fatal.empty()) return fatal(d.header.fatal);
    header_ = std::move(d.header);
    d.header = TraceHeader{};
    hasHeader_ = true;
    reportAll(d.problems);
    if (sink_.onHeader) sink_.onHeader(header_);
}

void TraceLineParser::onEventLine()
{
    const DecodedLine& d = decoded_;
    ++counts_.eventLines;
    if (hasEnd_) report(Severity::Error, "event after the trace_end line (it must be the last)");
    if (d.seq)
        checkSeq(*d.seq);
    else
        skipSeq();  // the decoder names the problem

    reportAll(d.problems);
    if (!d.envelopeValid) return;
    event_.line = line_;
    event_.tsNs = d.tsNs;
    event_.actor.pid = d.pid;
    event_.actor.tid = d.tid;
    event_.actor.role.assign(d.role);
    event_.actor.index = d.index;
    checkTs(event_);
    if (d.type == LineType::UnknownKind)
    {
        ++counts_.unknownKinds;  // a newer minor's kind: skipped, not an error
        return;
    }
    reportAll(d.argProblems);
    if (d.payload && header_.tracePayload == "none")
        report(Severity::Warning,
               "\"payload\" present although the header says trace_payload none");
    if (d.kind == trace::EventKind::TraceDropped)
    {
        const DecodedArg* count = d.arg("count");
        if (count && count->state == DecodedArg::State::Ok && count->number >= 0)
            allowedJump_ = *d.seq + static_cast<uint64_t>(count->number);
    }
    bool& seen = kindSeen_[static_cast<size_t>(d.kind)];
    if (!seen) ++counts_.distinctKinds;
    seen = true;
    ++counts_.events;
    if (!sink_.onEvent) return;
    toEventView(d, line_, &event_);
    sink_.onEvent(event_);
}

void TraceLineParser::onEndLine()
{
    const DecodedLine& d = decoded_;
    if (hasEnd_) return report(Severity::Error, "a second trace_end line");
    TraceEnd end = d.end;
    end.line = line_;
    reportAll(d.problems);
    hasEnd_ = true;
    if (d.problems.empty() && end.events != counts_.eventLines)
        report(Severity::Error,
               fmt::format("trace_end counts {} events, but {} event lines precede it", end.events,
                           counts_.eventLines));
    if (sink_.onEnd) sink_.onEnd(end);
}

void TraceLineParser::checkSeq(uint64_t seq)
{
    // Gaps that the stream explains: replayed startup events of a late joiner (older seqs,
    // then the jump to live_from_seq), and the events a slow client lost, announced by the
    // trace_dropped line just before the jump (its seq + count is where the stream resumes).
    bool explained = seq == allowedJump_ && seq > maxSeq_;
    if (counts_.eventLines <= header_.replayEvents + 1 && seq > maxSeq_ &&
        (counts_.eventLines <= header_.replayEvents || seq == header_.liveFromSeq))
        explained = true;
    allowedJump_ = 0;
    // Accepting prev+1 or max+1 keeps one misplaced line to one or two errors, not a cascade.
    if (hasSeq_ && !explained && seq != prevSeq_ + 1 && seq != maxSeq_ + 1)
    {
        if (seq > maxSeq_)
            report(Severity::Error,
                   fmt::format("seq jumps from {} to {}: {} missing (seq has no gaps; lost events "
                               "are counted by trace_dropped instead)",
                               maxSeq_, seq, seq - maxSeq_ - 1));
        else if (seq == prevSeq_)
            report(Severity::Error, fmt::format("seq {} repeats", seq));
        else
            report(Severity::Error, fmt::format("seq goes backwards: {} after {}", seq, prevSeq_));
    }
    hasSeq_ = true;
    prevSeq_ = seq;
    maxSeq_ = std::max(maxSeq_, seq);
}

void TraceLineParser::skipSeq()
{
    if (!hasSeq_) return;
    ++prevSeq_;
    maxSeq_ = std::max(maxSeq_, prevSeq_);
}

void TraceLineParser::checkTs(const TraceEventView& event)
{
    uint64_t thread = (uint64_t(uint32_t(event.actor.pid)) << 32) | uint32_t(event.actor.tid);
    auto [last, inserted] = lastTsByThread_.try_emplace(thread, event.tsNs);
    if (!inserted && event.tsNs < last->second)
        report(Severity::Warning,
               fmt::format("ts goes back {} ns on {} (pid {} tid {}), which emits in time order",
                           last->second - event.tsNs, event.actor.label(), event.actor.pid,
                           event.actor.tid));
    else if (counts_.lastTsNs >= 0 && event.tsNs < counts_.lastTsNs - kMaxTsDisorderNs)
        report(Severity::Warning,
               fmt::format("ts is {:.1f} ms behind the latest event (only a few ms of disorder "
                           "between actors are expected)",
                           (counts_.lastTsNs - event.tsNs) / 1e6));
    last->second = std::max(last->second, event.tsNs);
    if (counts_.firstTsNs < 0 || event.tsNs < counts_.firstTsNs) counts_.firstTsNs = event.tsNs;
    counts_.lastTsNs = std::max(counts_.lastTsNs, event.tsNs);
}

void TraceLineParser::report(Severity severity, std::string message)
{
    ++(severity == Severity::Error ? counts_.errors : counts_.warnings);
    if (sink_.onProblem) sink_.onProblem(Problem{severity, {source_, line_, std::move(message)}});
}

void TraceLineParser::reportAll(const FieldProblems& problems)
{
    for (const FieldProblem& p : problems) report(p.severity, p.message);
}

void TraceLineParser::fatal(std::string message)
{
    report(Severity::Error, std::move(message));
    failed_ = true;
}

}  // namespace rscope::tracefile
