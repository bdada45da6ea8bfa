// Every swoole function name we show is one of swoole 1.8 (the seed article's version), listed in
// docs/swoole-1.8-functions.tsv, or is labelled with the version where it exists: the text right
// before the name is "swoole N+: " (for example "swoole 4+: swFoo_bar" or "swoole 1.9.0+: ...").
// Checked: the kind table's fn of every event kind and of every pipe direction, the startup call
// flow tables, the architecture picture's tooltips, the lessons, traces/FORMAT.md,
// docs/process-model.md and README.md. Our own steps' functions ("rscope_...") are not swoole's
// and are not checked.
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

namespace rscope::trace
{
namespace
{

const std::string kSource = RSCOPE_SOURCE_DIR;

// name -> the 1.8 file that defines it.
std::map<std::string, std::string> loadTable()
{
    std::ifstream in(kSource + "/docs/swoole-1.8-functions.tsv");
    std::map<std::string, std::string> table;
    for (std::string line; std::getline(in, line);)
    {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string name, file;
        std::getline(fields, name, '\t');
        std::getline(fields, file, '\t');
        table[name] = file;
    }
    return table;
}

const std::map<std::string, std::string>& table()
{
    static const std::map<std::string, std::string> t = loadTable();
    return t;
}

// "swoole 4+: ", "swoole 1.9+: ", "swoole 4.4.8+: ", optionally followed by a backtick.
const std::regex kLabel(R"(swoole [0-9]+(\.[0-9]+)*\+: `?$)");
const std::regex kName(R"(sw[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+)");

// Placeholders that stand for "a swoole function name" in prose, not a function.
const std::set<std::string> kPlaceholders = {"swXxx_yyy"};

struct Finding
{
    std::string name;
    bool labelled;
};

bool isIdentChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// The swoole names of one text, each with whether a version label precedes it.
std::vector<Finding> namesIn(const std::string& text)
{
    std::vector<Finding> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kName);
         it != std::sregex_iterator(); ++it)
    {
        size_t at = static_cast<size_t>(it->position());
        if (at > 0 && isIdentChar(text[at - 1])) continue;  // part of a longer identifier
        std::string before = text.substr(at >= 24 ? at - 24 : 0, at >= 24 ? 24 : at);
        out.push_back({it->str(), std::regex_search(before, kLabel)});
    }
    return out;
}

// Empty when the name may be shown; else why not.
std::string problemWith(const Finding& f)
{
    if (f.labelled || kPlaceholders.count(f.name) > 0 || table().count(f.name) > 0) return "";
    return f.name +
           " is not a swoole 1.8 function (docs/swoole-1.8-functions.tsv) and has no label of "
           "the version where it exists (\"swoole N+: " +
           f.name + "\")";
}

// A trace's fn: exactly one name, a 1.8 one or labelled, or one of our own steps.
std::string problemWithFn(const std::string& fn)
{
    if (fn.rfind("rscope_", 0) == 0) return "";
    std::vector<Finding> names = namesIn(fn);
    std::smatch m;
    static const std::regex kWhole(
        R"((swoole [0-9]+(\.[0-9]+)*\+: )?sw[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+)");
    if (names.size() != 1 || !std::regex_match(fn, kWhole))
        return "\"" + fn + "\" is not one swoole function name";
    return problemWith(names[0]);
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// FILE:LINE: problem, per unknown name of the file.
std::vector<std::string> problemsInFile(const std::string& relative)
{
    std::vector<std::string> problems;
    std::ifstream in(kSource + "/" + relative);
    if (!in)
    {
        problems.push_back(relative + ": cannot read");
        return problems;
    }
    int number = 0;
    for (std::string line; std::getline(in, line);)
    {
        ++number;
        for (const Finding& f : namesIn(line))
        {
            std::string why = problemWith(f);
            if (!why.empty())
                problems.push_back(relative + ":" + std::to_string(number) + ": " + why);
        }
    }
    return problems;
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    return all;
}

TEST(HistoricFn, TheTableNamesAFileForEveryFunction)
{
    ASSERT_GT(table().size(), 400u) << "cannot read docs/swoole-1.8-functions.tsv";
    for (const auto& [name, file] : table())
    {
        EXPECT_TRUE(std::regex_match(name, kName)) << name;
        EXPECT_TRUE(file.rfind("src/", 0) == 0 || file.rfind("include/", 0) == 0)
            << name << ": " << file;
    }
}

TEST(HistoricFn, LabelsAndPlaceholdersAreRecognised)
{
    auto one = [](const std::string& text) { return problemWith(namesIn(text).at(0)); };
    EXPECT_EQ(one("swReactorThread_onRead"), "");
    EXPECT_EQ(one("then swoole 4+: swManager_loop runs"), "");
    EXPECT_EQ(one("(`swoole 1.9+: `swManager_loop`)"), "");
    EXPECT_NE(one("swManager_loop"), "");
    EXPECT_NE(one("swoole 4 swManager_loop"), "");
    EXPECT_NE(one("swManager_reload"), "");
    EXPECT_EQ(namesIn("rswFoo_bar").size(), 0u);
    EXPECT_EQ(problemWithFn("swoole 4+: swManager_loop"), "");
    EXPECT_EQ(problemWithFn("rscope_step_gate"), "");
    EXPECT_NE(problemWithFn("swPort_onRead_check"), "");
    EXPECT_NE(problemWithFn("swServer_start, swManager_start"), "");
}

TEST(HistoricFn, EveryKindAndPipeDirectionNamesA18Function)
{
    std::vector<std::string> problems;
    for (size_t k = 0; k < static_cast<size_t>(EventKind::Count); ++k)
    {
        auto kind = static_cast<EventKind>(k);
        const KindInfo& info = kindInfo(kind);
        std::string why = problemWithFn(info.historicFn);
        if (!why.empty()) problems.push_back(std::string(info.name) + ": " + why);
        for (uint8_t d = 0; d < kDirectionCount; ++d)
        {
            const char* fn = historicFn(kind, d);
            if (std::string(fn) == info.historicFn) continue;
            why = problemWithFn(fn);
            if (!why.empty())
                problems.push_back(std::string(info.name) + " " + directionName(d) + ": " + why);
        }
        const char* byTaskWorker = historicFn(kind, 0xff, true);
        why = problemWithFn(byTaskWorker);
        if (!why.empty()) problems.push_back(std::string(info.name) + " in a task worker: " + why);
    }
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

// A task worker has no event loop in 1.8: its read loop and callbacks are the pool's and
// TaskWorker.c's (model section 10.3), so the same kinds name other functions there.
TEST(HistoricFn, TaskWorkerEventsNameThePoolsFunctions)
{
    EXPECT_STREQ(historicFn(EventKind::WorkerReceive, 0xff, true), "swProcessPool_worker_loop");
    EXPECT_STREQ(historicFn(EventKind::CallbackEnter, 0xff, true), "swTaskWorker_onTask");
    EXPECT_STREQ(historicFn(EventKind::CallbackEnter, 0xff, false), "swWorker_onTask");
    EXPECT_STREQ(historicFn(EventKind::WorkerStart, 0xff, true), "swTaskWorker_onStart");
    EXPECT_STREQ(historicFn(EventKind::Read, 0xff, true), "swReactorThread_onRead");
    EXPECT_STREQ(historicFn(EventKind::PipeWrite, static_cast<uint8_t>(Direction::ToTaskWorker)),
                 "swWorker_send2worker");
    EXPECT_STREQ(kindInfo(EventKind::TaskWorkerRestart).historicFn, "swProcessPool_spawn");
}

// A name that exists can still be the wrong one: 1.8 had no registration step in the reactor
// thread; swServer_master_onAccept added the fd to the thread's reactor (src/network/Server.c).
TEST(HistoricFn, TheConnectionIsRegisteredWhere18DidIt)
{
    EXPECT_STREQ(kindInfo(EventKind::ReactorRegister).historicFn, "swServer_master_onAccept");
    EXPECT_STREQ(historicFn(EventKind::PipeWrite, static_cast<uint8_t>(Direction::ToReactorThread)),
                 "swReactorEpoll_add");
}

TEST(HistoricFn, StartupFlowLessonsAndDocsName18Functions)
{
    std::vector<std::string> files = {"viewer/model/startup_flow_tables.cpp",
                                      "viewer/layout/startup_content.cpp",
                                      "viewer/layout/architecture_nodes.cpp",
                                      "traces/FORMAT.md",
                                      "docs/process-model.md",
                                      "README.md"};
    std::vector<std::string> lessons;
    for (const auto& entry : std::filesystem::directory_iterator(kSource + "/tutorials"))
        if (entry.path().extension() == ".json")
            lessons.push_back("tutorials/" + entry.path().filename().string());
    std::sort(lessons.begin(), lessons.end());
    ASSERT_FALSE(lessons.empty());
    files.insert(files.end(), lessons.begin(), lessons.end());

    std::vector<std::string> problems;
    size_t seen = 0;
    for (const std::string& file : files)
    {
        seen += namesIn(readFile(kSource + "/" + file)).size();
        for (std::string& p : problemsInFile(file)) problems.push_back(std::move(p));
    }
    EXPECT_GT(seen, 100u) << "the scan found almost no swoole names: wrong paths?";
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

}  // namespace
}  // namespace rscope::trace
