// traces/FORMAT.md against the kind table: every kind has a section naming its fn and each of
// its args, with exactly one example line of that kind; every example line in the document
// passes the reader's checks without a warning.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/format/line_parser.h"
#include "engine/format/trace_line_parser.h"
#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using testing::Collected;

std::vector<std::string> docLines()
{
    std::ifstream in(RSCOPE_FORMAT_DOC);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string lineStartingWith(const std::vector<std::string>& lines, const std::string& prefix)
{
    for (const std::string& line : lines)
        if (line.rfind(prefix, 0) == 0) return line;
    return "";
}

// Reads the header example then one more line; returns what the reader said.
Collected readExample(const std::string& header, const std::string& line,
                      std::vector<TraceEventView>* events)
{
    Collected problems;
    TraceSink sink;
    sink.onProblem = [&](const Problem& p) { problems.add(p); };
    sink.onEvent = [&](const TraceEventView& e) { events->push_back(e); };
    TraceLineParser parser("FORMAT.md", sink);
    parser.parseLine(header);
    if (!line.empty()) parser.parseLine(line);
    return problems;
}

TEST(FormatDoc, HeaderAndTraceEndExamplesAreValid)
{
    std::vector<std::string> lines = docLines();
    ASSERT_FALSE(lines.empty()) << "cannot read " << RSCOPE_FORMAT_DOC;
    std::string header = lineStartingWith(lines, "{\"type\":\"header\"");
    ASSERT_FALSE(header.empty());
    std::vector<TraceEventView> events;
    Collected problems = readExample(header, "", &events);
    EXPECT_TRUE(problems.errors.empty() && problems.warnings.empty()) << problems.describe();

    std::string end = lineStartingWith(lines, "{\"type\":\"trace_end\"");
    ASSERT_FALSE(end.empty());
    LineParser parser;
    DecodedLine parsed;
    parser.parse(end, parsed);
    ASSERT_EQ(parsed.type, LineType::End) << parsed.error;
    EXPECT_TRUE(parsed.problems.empty()) << parsed.error;
    EXPECT_EQ(parsed.end.cutFlows.size(), 2u);
}

TEST(FormatDoc, EveryExampleLinePassesTheChecks)
{
    std::vector<std::string> lines = docLines();
    std::string header = lineStartingWith(lines, "{\"type\":\"header\"");
    int examples = 0;
    for (const std::string& line : lines)
    {
        if (line.rfind("{\"seq\"", 0) != 0) continue;
        ++examples;
        std::vector<TraceEventView> events;
        Collected problems = readExample(header, line, &events);
        EXPECT_TRUE(problems.errors.empty() && problems.warnings.empty()) << line << "\n"
                                                                          << problems.describe();
        EXPECT_EQ(events.size(), 1u) << line;  // a known kind
    }
    EXPECT_GE(examples, static_cast<int>(trace::EventKind::Count));
}

TEST(FormatDoc, EveryKindHasASectionWithFnArgsAndOneExample)
{
    std::vector<std::string> lines = docLines();
    std::string header = lineStartingWith(lines, "{\"type\":\"header\"");
    // Sections: "### `kind`" up to the next heading.
    std::map<std::string, std::vector<std::string>> sections;
    std::string current;
    for (const std::string& line : lines)
    {
        if (line.rfind("#", 0) == 0) current.clear();
        if (line.rfind("### `", 0) == 0 && line.back() == '`')
        {
            current = line.substr(5, line.size() - 6);
            EXPECT_EQ(sections.count(current), 0u) << "two sections for " << current;
            EXPECT_NE(trace::kindByName(current.c_str()), trace::EventKind::Count)
                << "section for a kind not in the table: " << current;
        }
        if (!current.empty()) sections[current].push_back(line);
    }
    for (size_t k = 0; k < static_cast<size_t>(trace::EventKind::Count); ++k)
    {
        const trace::KindInfo& info = trace::kindInfo(static_cast<trace::EventKind>(k));
        auto it = sections.find(info.name);
        ASSERT_NE(it, sections.end()) << "no section for " << info.name;
        std::string text;
        for (const std::string& line : it->second) text += line + "\n";
        EXPECT_NE(text.find(std::string("`") + info.historicFn + "`"), std::string::npos)
            << info.name << " section does not name " << info.historicFn;
        // The pipe kinds name their sender's function, one per direction.
        for (uint8_t d = 0; d < trace::kDirectionCount; ++d)
        {
            const char* fn = trace::historicFn(static_cast<trace::EventKind>(k), d);
            EXPECT_NE(text.find(std::string("`") + fn + "`"), std::string::npos)
                << info.name << " section does not name " << fn << " (" << trace::directionName(d)
                << ")";
        }
        for (const trace::ArgInfo& arg : info.args)
        {
            if (arg.name == nullptr) break;
            EXPECT_NE(text.find(std::string("| `") + arg.name + "` |"), std::string::npos)
                << info.name << " section does not describe arg " << arg.name;
        }
        int examples = 0;
        for (const std::string& line : it->second)
        {
            if (line.rfind("{\"seq\"", 0) != 0) continue;
            ++examples;
            std::vector<TraceEventView> events;
            readExample(header, line, &events);
            ASSERT_EQ(events.size(), 1u) << line;
            EXPECT_EQ(events[0].kindName, info.name) << line;
        }
        EXPECT_EQ(examples, 1) << info.name;
    }
}

}  // namespace
}  // namespace rscope::tracefile
