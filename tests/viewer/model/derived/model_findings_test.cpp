// The viewer's model checks: the article recording is clean, and each violation planted by
// editing one of its lines yields one finding at that event, in every slicing of the load. The
// same edits as tests/engine/tracefile/model_check_test.cpp, so both readers agree.
#include "viewer/model/model_findings.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/trace_reader.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

// The article's lines, 1-based: lines[0] is empty so that lines[n] is line n (line 1 = header,
// line n+1 = event index n-1... so event index = line - 2).
std::vector<std::string> articleLines()
{
    std::ifstream in(test::articlePath());
    std::vector<std::string> lines{""};
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void replaceIn(std::vector<std::string>& lines, size_t n, const std::string& from,
               const std::string& to)
{
    size_t at = lines[n].find(from);
    ASSERT_NE(at, std::string::npos) << "line " << n << " has no " << from;
    lines[n].replace(at, from.size(), to);
}

// The viewer's store refuses an event whose seq does not increase: after copying lines, number
// the events again in file order.
void renumber(std::vector<std::string>& lines)
{
    uint64_t seq = 0;
    for (size_t n = 2; n < lines.size(); ++n)
    {
        std::string& line = lines[n];
        if (line.rfind("{\"seq\":", 0) != 0) continue;
        size_t end = line.find(',');
        line = "{\"seq\":" + std::to_string(++seq) + line.substr(end);
    }
}

// Loads the edited lines into a store and checks it, fed in slices of `slice` events.
std::vector<trace::ModelFinding> check(const std::vector<std::string>& lines, size_t slice = 0)
{
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("rscope-findings-" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(path);
        for (size_t i = 1; i < lines.size(); ++i) out << lines[i] << '\n';
    }
    TraceStore store;
    TraceReader reader(path.string());
    EXPECT_TRUE(reader.loadAll(store)) << reader.error();
    std::filesystem::remove(path);
    ModelFindings findings;
    findings.reset(store.topology());
    if (slice == 0)
        findings.extend(store);
    else
    {
        // A live session grows the store between extends: replay that with a copy that grows.
        TraceStore growing;
        growing.setTopology(store.topology());
        for (size_t i = 0; i < store.size(); ++i)
        {
            const Event& e = store[i];
            growing.internActor(store.actorOf(e));
            Event copy = e;
            copy.actor = growing.internActor(store.actorOf(e));
            growing.append(copy, store.args(e), store.payload(e));
            if ((i + 1) % slice == 0) findings.extend(growing);
        }
        findings.extend(growing);
    }
    EXPECT_EQ(findings.checked(), store.size());
    return findings.findings();
}

size_t eventOfLine(size_t line)
{
    return line - 2;
}

TEST(ModelFindings, ArticleIsClean)
{
    for (size_t slice : {0, 1, 5})
        for (const trace::ModelFinding& f : check(articleLines(), slice))
            ADD_FAILURE() << "event " << f.ref << ": " << f.message;
}

TEST(ModelFindings, ReadOnAnotherReactorPointsAtTheRead)
{
    auto lines = articleLines();
    // Line 21 is the read of session 1 (fd 30): emitted by reactor[1] instead of reactor[0].
    replaceIn(lines, 21, R"("role":"reactor","index":0)", R"("role":"reactor","index":1)");
    for (size_t slice : {0, 3})
    {
        auto findings = check(lines, slice);
        ASSERT_EQ(findings.size(), 1u);
        EXPECT_EQ(findings[0].ref, eventOfLine(21));
        EXPECT_NE(findings[0].message.find("on reactor 1, but fd % reactor_num (2) = 0"),
                  std::string::npos)
            << findings[0].message;
    }
}

TEST(ModelFindings, DispatchToTheWrongWorkerIsFlagged)
{
    auto lines = articleLines();
    replaceIn(lines, 22, R"("worker":2)", R"("worker":1)");  // the dispatch of the request
    auto findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].ref, eventOfLine(22));
    EXPECT_NE(findings[0].message.find("dispatch_mode 2 gives fd 30 % worker_num 4 = 2"),
              std::string::npos)
        << findings[0].message;
}

TEST(ModelFindings, IpModeReadsThePeerFromTheAcceptArgs)
{
    auto lines = articleLines();
    // Mode 4: 127.0.0.1 = 0x7f000001 % 4 = 1, but the trace sends session 1 to worker 2.
    replaceIn(lines, 1, R"("dispatch_mode":2)", R"("dispatch_mode":4)");
    auto findings = check(lines);
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].ref, eventOfLine(19));  // connect_notify
    EXPECT_EQ(findings[1].ref, eventOfLine(22));  // dispatch
}

TEST(ModelFindings, SecondOnCloseAndReplyAfterCloseAreFlagged)
{
    auto lines = articleLines();
    lines.push_back(lines[36]);                   // the reply again, after the close (line 37)
    lines.insert(lines.begin() + 34, lines[32]);  // a copy of the onClose enter as line 34
    renumber(lines);
    auto findings = check(lines);
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].ref, eventOfLine(34));
    EXPECT_NE(findings[0].message.find("second time (first at event " +
                                       std::to_string(eventOfLine(32)) + ")"),
              std::string::npos)
        << findings[0].message;
    EXPECT_NE(findings[1].message.find("reactor_write for session 1 after its close"),
              std::string::npos)
        << findings[1].message;
}

TEST(ModelFindings, CountBeforeFollowsTheCursor)
{
    auto lines = articleLines();
    replaceIn(lines, 22, R"("worker":2)", R"("worker":1)");
    std::filesystem::path path = std::filesystem::temp_directory_path() / "rscope-count.jsonl";
    {
        std::ofstream out(path);
        for (size_t i = 1; i < lines.size(); ++i) out << lines[i] << '\n';
    }
    TraceStore store;
    TraceReader reader(path.string());
    ASSERT_TRUE(reader.loadAll(store));
    std::filesystem::remove(path);
    ModelFindings findings;
    findings.extend(store);  // without reset: shaped by the store's header on first use
    EXPECT_EQ(findings.countBefore(eventOfLine(22)), 0u);
    EXPECT_EQ(findings.countBefore(eventOfLine(22) + 1), 1u);
    EXPECT_EQ(findings.countBefore(store.size()), 1u);
}

}  // namespace
}  // namespace rscope::viewer
