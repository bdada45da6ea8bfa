// docs/process-model.md and the README's request-flow table against the source tree: every
// section a comment cites exists as a heading, nothing cites the team folder outside the
// repository, and every table row names real code, its emitted event kinds and their swoole names.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/format/trace_event.h"

namespace rscope
{
namespace
{
namespace fs = std::filesystem;

const fs::path kRoot = RSCOPE_SOURCE_DIR;

std::string readText(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The text files a citation could be in: sources, build files, scripts and documents.
bool isScanned(const fs::path& path)
{
    static const std::set<std::string> kExts = {".h",  ".hpp", ".cpp", ".c",   ".md",
                                                ".sh", ".txt", ".py",  ".yaml"};
    return kExts.count(path.extension().string()) > 0;
}

std::vector<fs::path> scannedFiles()
{
    std::vector<fs::path> files = {kRoot / "README.md", kRoot / "CMakeLists.txt"};
    for (const char* dir : {"engine", "viewer", "tests", "scripts", "tutorials", "traces", "docs"})
        for (const auto& entry : fs::recursive_directory_iterator(kRoot / dir))
            if (entry.is_regular_file() && isScanned(entry.path())) files.push_back(entry.path());
    return files;
}

// Comment continuations become one line ("sections 3\n// and 6" reads "sections 3 and 6").
std::string joinLines(const std::string& text)
{
    static const std::regex kBreak(R"(\s*\n\s*(?://+|#+|\*+)?\s*)");
    return std::regex_replace(text, kBreak, " ");
}

// Every section number cited as "model N.N", "model section N", "model sections N.N-N.N",
// "model 2.7, 3.6 and 3.9a", "process-model.md, section N" in text.
std::vector<std::string> citedSections(const std::string& text)
{
    static const std::regex kCitation(
        R"((?:\bmodel\s+\(?|process-model\.md,?\s+)(?:sections?\s+)?)"
        R"((\d+(?:\.\d+[a-z]?)?(?:\s*(?:,|and|-)\s*\d+(?:\.\d+[a-z]?)?(?![\d.]))*))");
    static const std::regex kNumber(R"(\d+(?:\.\d+[a-z]?)?)");
    std::vector<std::string> out;
    std::string joined = joinLines(text);
    for (std::sregex_iterator it(joined.begin(), joined.end(), kCitation), end; it != end; ++it)
    {
        std::string list = (*it)[1];
        for (std::sregex_iterator n(list.begin(), list.end(), kNumber); n != end; ++n)
            out.push_back(n->str());
    }
    return out;
}

// Section numbers of the document's headings: "## 1. Processes", "### 2.5 Worker pipes",
// "#### 3.9a The client closes".
std::set<std::string> headingNumbers(const std::string& doc)
{
    static const std::regex kHeading(R"(^#{2,4}\s+(\d+(?:\.\d+[a-z]?)?)\.?\s)");
    std::set<std::string> out;
    std::istringstream in(doc);
    for (std::string line; std::getline(in, line);)
    {
        std::smatch m;
        if (std::regex_search(line, m, kHeading)) out.insert(m[1]);
    }
    return out;
}

TEST(ModelDoc, CitationParserReadsEveryForm)
{
    using V = std::vector<std::string>;
    EXPECT_EQ(citedSections("// the pipe (model 3.5)."), V({"3.5"}));
    EXPECT_EQ(citedSections("(model section 5): no reactor"), V({"5"}));
    EXPECT_EQ(citedSections("(model 2.7, 3.6, 3.7 and 3.9a)"), V({"2.7", "3.6", "3.7", "3.9a"}));
    EXPECT_EQ(citedSections("(process model sections 3.1-3.9)"), V({"3.1", "3.9"}));
    EXPECT_EQ(citedSections("(docs/process-model.md, sections 3\n// and 6) over"), V({"3", "6"}));
    EXPECT_EQ(citedSections("the model (section 2): shared"), V({"2"}));
    EXPECT_EQ(citedSections("(model 8.5, first place)"), V({"8.5"}));
    EXPECT_TRUE(citedSections("viewer/model/ has 1.86 of ImGui; model_rules 3").empty());
}

TEST(ModelDoc, HasNumberedSections)
{
    std::string doc = readText(kRoot / "docs/process-model.md");
    ASSERT_FALSE(doc.empty()) << "cannot read docs/process-model.md";
    std::set<std::string> headings = headingNumbers(doc);
    for (const char* expected : {"1", "2", "3", "3.9a", "4", "5", "6", "7", "8", "8.17", "9"})
        EXPECT_TRUE(headings.count(expected)) << "no heading numbered " << expected;
    // A citation of a section that does not exist is read, and is not a heading.
    std::vector<std::string> bogus = citedSections(std::string("(model ") + "42.1)");
    ASSERT_EQ(bogus.size(), 1u);
    EXPECT_EQ(headings.count(bogus[0]), 0u);
}

TEST(ModelDoc, EveryCitedSectionIsAHeading)
{
    std::set<std::string> headings = headingNumbers(readText(kRoot / "docs/process-model.md"));
    ASSERT_FALSE(headings.empty());
    size_t citations = 0;
    for (const fs::path& file : scannedFiles())
    {
        if (file == kRoot / "docs/process-model.md") continue;
        for (const std::string& section : citedSections(readText(file)))
        {
            ++citations;
            EXPECT_TRUE(headings.count(section))
                << fs::relative(file, kRoot).string() << " cites model section " << section
                << ", which docs/process-model.md has no heading for";
        }
    }
    // The engine cites the model in dozens of places; finding none means the scan is broken.
    EXPECT_GE(citations, 30u);
}

TEST(ModelDoc, NothingCitesTheFolderOutsideTheRepository)
{
    // Built so that this file does not contain the needle itself.
    const std::string needle = std::string("..") + "/shared";
    for (const fs::path& file : scannedFiles())
    {
        std::string text = readText(file);
        EXPECT_EQ(text.find(needle), std::string::npos)
            << fs::relative(file, kRoot).string() << " cites " << needle
            << "; cite docs/process-model.md or another file in the repository";
    }
}

// One row of the README's "Request flow" table.
struct FlowRow
{
    std::string hop;
    std::string file;
    std::vector<std::string> functions;
    // kind name and, for the pipe kinds, the direction written after it ("" when none).
    std::vector<std::pair<std::string, std::string>> kinds;
    std::string swoole;
};

std::vector<std::string> backticked(const std::string& cell)
{
    static const std::regex kTick("`([^`]+)`");
    std::vector<std::string> out;
    for (std::sregex_iterator it(cell.begin(), cell.end(), kTick), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

std::vector<FlowRow> requestFlowRows()
{
    std::string readme = readText(kRoot / "README.md");
    size_t at = readme.find("\n## Request flow\n");
    if (at == std::string::npos) return {};
    size_t endAt = readme.find("\n## ", at + 1);
    std::istringstream in(readme.substr(at, endAt - at));
    static const std::regex kKind(R"(`([a-z_]+)`(?:\s*\((to_[a-z_]+))?)");
    std::vector<FlowRow> rows;
    for (std::string line; std::getline(in, line);)
    {
        if (line.rfind("| ", 0) != 0 || line.rfind("| hop ", 0) == 0) continue;
        std::vector<std::string> cells;
        std::stringstream cellStream(line.substr(1));
        for (std::string cell; std::getline(cellStream, cell, '|');) cells.push_back(cell);
        if (cells.size() < 4) continue;
        FlowRow row;
        row.hop = cells[0];
        std::vector<std::string> code = backticked(cells[1]);
        if (!code.empty())
        {
            row.file = code[0];
            row.functions.assign(code.begin() + 1, code.end());
        }
        for (std::sregex_iterator it(cells[2].begin(), cells[2].end(), kKind), end; it != end; ++it)
            row.kinds.emplace_back((*it)[1], (*it)[2]);
        row.swoole = cells[3];
        rows.push_back(row);
    }
    return rows;
}

// "pipe_write" -> "PipeWrite": the enumerator an emit site names.
std::string enumeratorOf(const std::string& kind)
{
    std::string out;
    bool upper = true;
    for (char c : kind)
    {
        if (c == '_')
        {
            upper = true;
            continue;
        }
        out += upper ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

// The engine/trace/events.h helper that emits a kind: its name in lowerCamelCase, except for
// the helpers that emit a pair of kinds.
std::string emitHelperOf(const std::string& kind)
{
    static const std::map<std::string, std::string> kPairs = {
        {"buffer_full", "bufferPressure"}, {"buffer_drain", "bufferPressure"},
        {"pipe_full", "pipePressure"},     {"pipe_drain", "pipePressure"},
        {"reload_begin", "reload"},        {"reload_end", "reload"},
        {"callback_enter", "callback"},    {"callback_exit", "callback"},
        {"connect_notify", "dispatch"},    {"close_notify", "dispatch"}};
    if (auto it = kPairs.find(kind); it != kPairs.end()) return it->second;
    std::string name = enumeratorOf(kind);
    name[0] = static_cast<char>(name[0] - 'A' + 'a');
    return name;
}

int directionIndex(const std::string& name)
{
    for (uint8_t d = 0; d < 8; ++d)
        if (name == trace::directionName(d)) return d;
    return -1;
}

TEST(ReadmeRequestFlow, EveryRowNamesItsCodeEventsAndSwooleFunctions)
{
    std::vector<FlowRow> rows = requestFlowRows();
    ASSERT_GE(rows.size(), 12u) << "README.md has no Request flow table of the article's hops";
    for (const FlowRow& row : rows)
    {
        SCOPED_TRACE("row: " + row.hop);
        std::string code = readText(kRoot / row.file);
        ASSERT_FALSE(code.empty()) << "no file " << row.file;
        ASSERT_FALSE(row.functions.empty());
        for (const std::string& fn : row.functions)
        {
            // A .cpp defines Class::method(; a header may define the method in its class.
            std::string last =
                fn.substr(fn.rfind("::") == std::string::npos ? 0 : fn.rfind("::") + 2);
            bool found = code.find(fn + "(") != std::string::npos;
            if (!found && fs::path(row.file).extension() == ".h")
                found = code.find(" " + last + "(") != std::string::npos;
            EXPECT_TRUE(found) << row.file << " does not define " << fn;
        }
        ASSERT_FALSE(row.kinds.empty());
        for (const auto& [kindName, direction] : row.kinds)
        {
            trace::EventKind kind = trace::kindByName(kindName);
            ASSERT_NE(kind, trace::EventKind::Count) << "no event kind " << kindName;
            bool emits = code.find("EventKind::" + enumeratorOf(kindName)) != std::string::npos ||
                         code.find("ev::" + emitHelperOf(kindName) + "(") != std::string::npos;
            EXPECT_TRUE(emits) << row.file << " does not emit " << kindName;
            std::string expected = trace::kindInfo(kind).historicFn;
            if (!direction.empty())
            {
                int d = directionIndex(direction);
                ASSERT_GE(d, 0) << "no pipe direction " << direction;
                expected = trace::historicFn(kind, static_cast<uint8_t>(d));
            }
            EXPECT_NE(row.swoole.find(expected), std::string::npos)
                << kindName << " is " << expected << " in the kind table, the row says "
                << row.swoole;
        }
    }
}

TEST(ReadmeRequestFlow, CoversEveryKindOfTheArticleRequest)
{
    std::set<std::string> inTable;
    for (const FlowRow& row : requestFlowRows())
        for (const auto& kind : row.kinds) inTable.insert(kind.first);
    std::ifstream in(kRoot / "traces/article.jsonl");
    static const std::regex kKind(R"re("kind":"([a-z_]+)")re");
    size_t requestEvents = 0;
    for (std::string line; std::getline(in, line);)
    {
        std::smatch m;
        if (line.find("\"session\":") == std::string::npos || !std::regex_search(line, m, kKind))
            continue;
        ++requestEvents;
        EXPECT_TRUE(inTable.count(m[1])) << "the article's request emits " << m[1]
                                         << ", which the README's Request flow table lacks";
    }
    EXPECT_GE(requestEvents, 10u) << "cannot read the article's request in traces/article.jsonl";
}

}  // namespace
}  // namespace rscope
