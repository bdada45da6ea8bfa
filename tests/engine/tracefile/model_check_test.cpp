// ModelChecker on traces/article.jsonl: the recorded trace is clean, and each violation planted
// by editing one of its lines yields exactly one finding at that line.
#include "engine/tracefile/model_check.h"

#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/engine/tracefile/trace_builder.h"

namespace rscope::tracefile
{
namespace
{
using testing::readFile;
using testing::writeTrace;

// The article's lines, 1-based: lines[0] is empty so that lines[n] is line n.
std::vector<std::string> articleLines()
{
    std::vector<std::string> lines{""};
    std::istringstream in(readFile(RSCOPE_ARTICLE));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string join(const std::vector<std::string>& lines)
{
    std::string text;
    for (size_t i = 1; i < lines.size(); ++i) text += lines[i] + "\n";
    return text;
}

// Replaces the one occurrence of from in line n; fails the test when it is not there.
void edit(std::vector<std::string>& lines, size_t n, const std::string& from, const std::string& to)
{
    size_t at = lines.at(n).find(from);
    ASSERT_NE(at, std::string::npos) << "line " << n << " has no " << from;
    lines[n].replace(at, from.size(), to);
}

std::vector<ModelFinding> check(const std::vector<std::string>& lines)
{
    return checkModel(writeTrace(join(lines)));
}

TEST(ModelCheck, ArticleIsClean)
{
    std::vector<ModelFinding> findings = checkModel(RSCOPE_ARTICLE);
    for (const ModelFinding& f : findings) ADD_FAILURE() << f.line << ": " << f.message;
}

TEST(ModelCheck, ReadOnAnotherReactorIsReported)
{
    std::vector<std::string> lines = articleLines();
    edit(lines, 21, "\"index\":0", "\"index\":1");  // fd 30 belongs to reactor 30 % 2 = 0
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 21u);
    EXPECT_EQ(findings[0].seq, 20u);
    EXPECT_NE(findings[0].message.find("on reactor 1, but fd % reactor_num (2) = 0"),
              std::string::npos)
        << findings[0].message;
}

TEST(ModelCheck, DispatchToTheWrongWorkerIsReported)
{
    std::vector<std::string> lines = articleLines();
    edit(lines, 22, "\"worker\":2", "\"worker\":1");  // fd 30 % 4 workers = 2
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 22u);
    EXPECT_EQ(findings[0].seq, 21u);
    EXPECT_NE(findings[0].message.find("to worker 1"), std::string::npos) << findings[0].message;
}

TEST(ModelCheck, IpModeUsesThePeerAddressInHostOrder)
{
    std::vector<std::string> lines = articleLines();
    // 127.0.0.1 = 0x7f000001, % 4 = 1; the trace sent connect and data to worker 2.
    edit(lines, 1, "\"dispatch_mode\":2", "\"dispatch_mode\":4");
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].line, 19u);  // connect_notify
    EXPECT_EQ(findings[1].line, 22u);  // dispatch
    EXPECT_NE(findings[1].message.find("% worker_num 4 = 1"), std::string::npos)
        << findings[1].message;
    EXPECT_EQ(trace::parseIpv4("127.0.0.1"), 0x7f000001u);
    EXPECT_EQ(trace::parseIpv4("127.0.0"), std::nullopt);
}

TEST(ModelCheck, ReplyThroughANonOwnerReactorIsReported)
{
    std::vector<std::string> lines = articleLines();
    edit(lines, 36, "\"reactor\":0", "\"reactor\":1");
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 36u);
    EXPECT_NE(findings[0].message.find("through reactor 1, but reactor 0 owns it"),
              std::string::npos)
        << findings[0].message;
}

TEST(ModelCheck, SecondOnCloseIsReported)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(lines.begin() + 34, lines[32]);  // a copy of the onClose enter as line 34
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 34u);
    EXPECT_NE(findings[0].message.find("second time (first at line 32)"), std::string::npos)
        << findings[0].message;
}

TEST(ModelCheck, ReplyAfterCloseIsReported)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(lines.begin() + 38, lines[36]);  // the reply again, after the close at line 37
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 38u);
    EXPECT_NE(findings[0].message.find("after its close (line 37)"), std::string::npos)
        << findings[0].message;
}

TEST(ModelCheck, RequestDeliveredAfterCloseIsReported)
{
    std::vector<std::string> lines = articleLines();
    lines.insert(lines.begin() + 38, lines[27]);  // worker_receive RECV_DATA after the close
    std::vector<ModelFinding> findings = check(lines);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].line, 38u);
    EXPECT_NE(findings[0].message.find("worker_receive RECV_DATA"), std::string::npos)
        << findings[0].message;
}

TEST(ModelCheck, CliPrintsFindingsAndExitsOne)
{
    std::vector<std::string> lines = articleLines();
    edit(lines, 22, "\"worker\":2", "\"worker\":1");
    std::string path = writeTrace(join(lines));
    auto run = [](const std::string& args, std::string* output)
    {
        FILE* pipe = ::popen((std::string(RSCOPE_BIN) + " " + args + " 2>&1").c_str(), "r");
        if (pipe == nullptr) return -1;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
        int status = ::pclose(pipe);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    std::string output;
    EXPECT_EQ(run("trace check --model " + path, &output), 1) << output;
    EXPECT_NE(output.find(path + ":22: model: dispatch of session 1 to worker 1"),
              std::string::npos)
        << output;
    std::string plain;
    EXPECT_EQ(run("trace check " + path, &plain), 0) << plain;  // unchanged without --model
    std::string clean;
    EXPECT_EQ(run(std::string("trace check --model ") + RSCOPE_ARTICLE, &clean), 0) << clean;
    EXPECT_NE(clean.find(": 0 model findings"), std::string::npos) << clean;
}

}  // namespace
}  // namespace rscope::tracefile
