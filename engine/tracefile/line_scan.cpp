// scanLineFields: a one-pass scanner over the top level of a JSON object; nested values are
// skipped by depth, strings by their escapes.
#include "engine/tracefile/line_scan.h"

#include <charconv>

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
// The server writes event lines in one fixed key order: seq, ts, kind, fn, actor, the ids
// (flow last), then args. For such a line the top-level "kind" and "flow" are found with two
// memchr-speed searches; anything else takes the full scan.
bool scanServerLine(std::string_view line, LineFields* out)
{
    constexpr std::string_view kPrefix = "{\"seq\":";
    constexpr std::string_view kKind = ",\"kind\":\"";
    constexpr std::string_view kFlow = ",\"flow\":";
    constexpr std::string_view kArgs = ",\"args\":{";
    if (line.substr(0, kPrefix.size()) != kPrefix || line.back() != '}') return false;
    size_t args = line.find(kArgs);
    if (args == std::string_view::npos) return false;
    std::string_view envelope = line.substr(0, args);  // top level only: no nesting before args
    size_t kind = envelope.find(kKind);
    if (kind == std::string_view::npos) return false;
    size_t kindStart = kind + kKind.size();
    size_t kindEnd = envelope.find('"', kindStart);
    if (kindEnd == std::string_view::npos) return false;
    out->kind = envelope.substr(kindStart, kindEnd - kindStart);
    size_t flow = envelope.rfind(kFlow);
    if (flow != std::string_view::npos)
    {
        const char* begin = envelope.data() + flow + kFlow.size();
        const char* end = envelope.data() + envelope.size();
        uint64_t value = 0;
        auto [stop, ec] = std::from_chars(begin, end, value);
        out->flow = ec == std::errc() && stop == end ? value : 0;
    }
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
