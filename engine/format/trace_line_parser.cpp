// TraceLineParser: JSON per line, then the rules that span lines. No exception leaves parseLine:
// nlohmann's are turned into problems at this boundary.
#include "engine/format/trace_line_parser.h"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "engine/base/json_depth.h"
#include "engine/base/log.h"
#include "engine/format/line_splitter.h"

namespace rscope::tracefile
{

namespace
{
using nlohmann::json;

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." ->
// "at column 5: syntax error ...".
// nlohmann quotes everything it read of the bad token ("last read: '...'"): a 10 MB string is
// cut to its first bytes, escaped, so an error stays one short line.
std::string parseErrorText(const json::parse_error& e)
{
    std::string what = e.what();
    const std::string lastRead = "last read: '";
    if (size_t at = what.find(lastRead); at != std::string::npos)
    {
        size_t from = at + lastRead.size();
        size_t to = what.rfind('\'');
        if (to == std::string::npos || to < from) to = what.size();
        what = what.substr(0, from) +
               base::printableText(std::string_view(what).substr(from, to - from), 40) + "'";
    }
    const std::string marker = "parse error at line 1, ";
    size_t at = what.find(marker);
    if (at != std::string::npos) return "at " + what.substr(at + marker.size());
    at = what.find("] ");
    return at != std::string::npos ? what.substr(at + 2) : what;
}

bool isBlank(std::string_view text)
{
    return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool isUnsigned(const json& v)
{
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
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
    if (isBlank(text))
    {
        if (!hasHeader_) return fatal("missing header: line 1 is empty");
        report(Severity::Error, "empty line (every line is one JSON object)");
        return;
    }
    json j;
    if (base::jsonNestedDeeperThan(text, base::kMaxTraceLineDepth))
    {
        std::string message =
            fmt::format("nested too deep (more than {} levels of arrays and objects)",
                        base::kMaxTraceLineDepth);
        if (!hasHeader_) return fatal(message + "; line 1 must be the header");
        report(Severity::Error, message);
        ++counts_.eventLines;
        skipSeq();
        return;
    }
    try
    {
        j = json::parse(text);
    }
    catch (const json::parse_error& e)
    {
        std::string message = fmt::format(
            "{}invalid JSON {}",
            unterminated ? "truncated last line (no newline at the end of the file): " : "",
            parseErrorText(e));
        if (!hasHeader_) return fatal(message + "; line 1 must be the header");
        report(Severity::Error, message);
        ++counts_.eventLines;
        skipSeq();
        return;
    }
    if (!hasHeader_)
    {
        auto type = j.is_object() ? j.find("type") : j.end();
        if (!j.is_object() || type == j.end() || *type != "header")
            return fatal("missing header: line 1 must be a {\"type\":\"header\",...} line");
        return onHeaderLine(j);
    }
    if (!j.is_object())
    {
        report(Severity::Error,
               fmt::format("a line must be a JSON object, not {}", describeJson(j)));
        ++counts_.eventLines;
        skipSeq();
        return;
    }
    auto type = j.find("type");
    if (type == j.end()) return onEventLine(j);
    if (!type->is_string())
        return report(Severity::Error,
                      fmt::format("\"type\" must be a string, not {}", describeJson(*type)));
    if (*type == "header") return report(Severity::Error, "a second header line (only line 1)");
    if (*type == "trace_end") return onEndLine(j);
    report(Severity::Warning, fmt::format("unknown line type {} skipped", type->dump()));
}

void TraceLineParser::onHeaderLine(const json& j)
{
    scratch_.clear();
    std::string fatalMessage;
    if (!parseHeader(j, &header_, &scratch_, &fatalMessage)) return fatal(fatalMessage);
    hasHeader_ = true;
    reportAll(scratch_);
    if (sink_.onHeader) sink_.onHeader(header_);
}

void TraceLineParser::onEventLine(json& j)
{
    ++counts_.eventLines;
    if (hasEnd_) report(Severity::Error, "event after the trace_end line (it must be the last)");
    auto seq = j.find("seq");
    if (seq != j.end() && isUnsigned(*seq))
        checkSeq(seq->get<uint64_t>());
    else
        skipSeq();  // parseEnvelope names the problem

    TraceEventView event;
    event.line = line_;
    scratch_.clear();
    bool valid = parseEnvelope(j, &event, &scratch_);
    reportAll(scratch_);
    if (!valid) return;
    checkTs(event);
    event.kind = trace::kindByName(event.kindName.c_str());
    if (event.kind == trace::EventKind::Count)
    {
        ++counts_.unknownKinds;  // a newer minor's kind: skipped, not an error
        return;
    }
    scratch_.clear();
    checkArgs(event, header_.versionMinor, &scratch_);
    reportAll(scratch_);
    if (event.payload && header_.tracePayload == "none")
        report(Severity::Warning,
               "\"payload\" present although the header says trace_payload none");
    if (event.kind == trace::EventKind::TraceDropped)
    {
        auto count = event.args.find("count");
        if (count != event.args.end() && count->is_number_unsigned())
            allowedJump_ = event.seq + count->get<uint64_t>();
    }
    bool& seen = kindSeen_[static_cast<size_t>(event.kind)];
    if (!seen) ++counts_.distinctKinds;
    seen = true;
    ++counts_.events;
    if (sink_.onEvent) sink_.onEvent(event);
}

void TraceLineParser::onEndLine(const json& j)
{
    if (hasEnd_) return report(Severity::Error, "a second trace_end line");
    TraceEnd end;
    end.line = line_;
    scratch_.clear();
    parseTraceEnd(j, &end, &scratch_);
    reportAll(scratch_);
    hasEnd_ = true;
    if (scratch_.empty() && end.events != counts_.eventLines)
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
