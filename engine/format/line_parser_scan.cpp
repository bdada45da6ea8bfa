// scanLineFields, the line parser's fast path: a one-pass scanner over the top level of a JSON
// object (nested values skipped by depth, strings by their escapes), for the recorders' hot loop
// that needs only type, kind and flow. `rscope trace check` runs the full LineParser later.
#include <charconv>
#include <cstring>

#include "engine/format/line_parser.h"

namespace rscope::tracefile
{

namespace
{
class Scanner
{
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    bool atEnd()
    {
        skipSpace();
        return pos_ == text_.size();
    }
    bool take(char c)
    {
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == c)
        {
            ++pos_;
            return true;
        }
        return false;
    }
    bool peekIs(char c)
    {
        skipSpace();
        return pos_ < text_.size() && text_[pos_] == c;
    }

    // A string at pos_ (after its opening quote was taken); *contents is its raw inside.
    bool string(std::string_view* contents)
    {
        size_t start = pos_;
        for (; pos_ < text_.size(); ++pos_)
        {
            char c = text_[pos_];
            if (c == '\\')
                ++pos_;  // the escaped character cannot end the string
            else if (c == '"')
            {
                *contents = text_.substr(start, pos_ - start);
                ++pos_;
                return true;
            }
            else if (static_cast<unsigned char>(c) < 0x20)
                return false;
        }
        return false;
    }

    // Any value; *scalar is the raw text of a number or literal, *str the contents of a string.
    bool value(std::string_view* scalar, std::string_view* str, bool* isString)
    {
        *isString = false;
        if (take('"'))
        {
            *isString = true;
            return string(str);
        }
        if (peekIs('{') || peekIs('[')) return nested();
        size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
               text_[pos_] != ']' && !isSpace(text_[pos_]))
            ++pos_;
        *scalar = text_.substr(start, pos_ - start);
        return pos_ > start;
    }

  private:
    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    void skipSpace()
    {
        while (pos_ < text_.size() && isSpace(text_[pos_])) ++pos_;
    }

    // An object or array at pos_, up to its matching close; strings may hold any bracket.
    bool nested()
    {
        char stack[64];
        size_t depth = 0;
        for (; pos_ < text_.size(); ++pos_)
        {
            char c = text_[pos_];
            if (c == '"')
            {
                ++pos_;
                std::string_view ignored;
                if (!string(&ignored)) return false;
                --pos_;
            }
            else if (c == '{' || c == '[')
            {
                if (depth == sizeof stack) return false;
                stack[depth++] = c == '{' ? '}' : ']';
            }
            else if (c == '}' || c == ']')
            {
                if (depth == 0 || stack[--depth] != c) return false;
                if (depth == 0)
                {
                    ++pos_;
                    return true;
                }
            }
        }
        return false;
    }

    std::string_view text_;
    size_t pos_ = 0;
};
}  // namespace

namespace
{
// The server writes event lines in one fixed order: seq, ts, kind, fn, actor (an object of
// plain words and numbers), the ids (numbers; flow last), then args. For such a line the kind
// and the flow are found with a handful of memchr jumps (~30 ns instead of ~80 for a
// left-to-right parse); a line that departs from that shape returns false and takes the full
// scan. Only the envelope is looked at: `rscope trace check` validates the rest.
class Jumper
{
  public:
    explicit Jumper(std::string_view line) : p_(line.data()), end_(p_ + line.size()) {}

    bool literal(std::string_view text)
    {
        if (static_cast<size_t>(end_ - p_) < text.size() ||
            std::memcmp(p_, text.data(), text.size()) != 0)
            return false;
        p_ += text.size();
        return true;
    }
    // Moves to the next c (not past it); false when there is none.
    bool to(char c)
    {
        const void* at = std::memchr(p_, c, static_cast<size_t>(end_ - p_));
        if (at == nullptr) return false;
        p_ = static_cast<const char*>(at);
        return true;
    }
    // A string's inside up to the next quote. An escaped quote in it is not its end, and then
    // what follows is not the next literal expected: the caller fails over to the full scan.
    bool plainString(std::string_view* contents)
    {
        const char* start = p_;
        if (!to('"')) return false;
        *contents = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
    }
    const char* at() const { return p_; }
    void skip(size_t n) { p_ += n; }

  private:
    const char* p_;
    const char* end_;
};

bool scanServerLine(std::string_view line, LineFields* out)
{
    constexpr std::string_view kArgs = ",\"args\":";
    constexpr std::string_view kFlow = ",\"flow\":";
    if (line.empty() || line.back() != '}') return false;
    Jumper in(line);
    std::string_view fn;
    if (!in.literal("{\"seq\":") || !in.to(',') || !in.literal(",\"ts\":") || !in.to(',') ||
        !in.literal(",\"kind\":\"") || !in.plainString(&out->kind) || !in.literal(",\"fn\":\"") ||
        !in.plainString(&fn) || !in.literal(",\"actor\":{"))
        return false;
    // The actor holds no braces; the ids are numbers: the next '{' after the actor's '}' opens
    // args, and what comes right before it must be `,"args":`.
    const char* actor = in.at();
    if (!in.to('}')) return false;
    if (std::memchr(actor, '{', static_cast<size_t>(in.at() - actor)) != nullptr) return false;
    const char* ids = in.at() + 1;
    in.skip(1);
    if (!in.to('{')) return false;
    const char* args = in.at();
    if (static_cast<size_t>(args - ids) < kArgs.size() ||
        std::memcmp(args - kArgs.size(), kArgs.data(), kArgs.size()) != 0)
        return false;
    // The flow, if any, is the last id: `,"flow":DIGITS` right before `,"args":`.
    const char* digitsEnd = args - kArgs.size();
    const char* digits = digitsEnd;
    while (digits > ids && static_cast<unsigned>(digits[-1] - '0') < 10) --digits;
    if (digits == digitsEnd || static_cast<size_t>(digits - ids) < kFlow.size() ||
        std::memcmp(digits - kFlow.size(), kFlow.data(), kFlow.size()) != 0)
        return true;  // no flow
    uint64_t flow = 0;
    if (digitsEnd - digits < 20)  // cannot overflow: no from_chars (a tenth of the recorder)
        for (const char* d = digits; d < digitsEnd; ++d)
            flow = flow * 10 + static_cast<unsigned>(*d - '0');
    else if (auto [stop, ec] = std::from_chars(digits, digitsEnd, flow);
             ec != std::errc() || stop != digitsEnd)
        flow = 0;
    out->flow = flow;
    return true;
}
}  // namespace

bool scanLineFields(std::string_view line, LineFields* out)
{
    *out = LineFields{};
    if (scanServerLine(line, out)) return true;
    *out = LineFields{};
    Scanner s(line);
    if (!s.take('{')) return false;
    if (s.take('}')) return s.atEnd();
    for (;;)
    {
        std::string_view key;
        if (!s.take('"') || !s.string(&key) || !s.take(':')) return false;
        std::string_view scalar;
        std::string_view str;
        bool isString = false;
        if (!s.value(&scalar, &str, &isString)) return false;
        if (isString && key == "type") out->type = str;
        if (isString && key == "kind") out->kind = str;
        if (!isString && key == "flow")
        {
            uint64_t flow = 0;
            auto [end, ec] = std::from_chars(scalar.data(), scalar.data() + scalar.size(), flow);
            out->flow = ec == std::errc() && end == scalar.data() + scalar.size() ? flow : 0;
        }
        if (s.take(',')) continue;
        return s.take('}') && s.atEnd();
    }
}

}  // namespace rscope::tracefile
