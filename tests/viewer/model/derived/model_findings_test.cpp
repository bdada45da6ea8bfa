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

// The article with two task workers (ids 4, 5) in its header and, before its trace_end, a task
// in the request's flow: worker 2 dispatches it to task worker `target`, whose `taskCallback`
// runs and whose result goes to worker `answerTo`, where it is read and onFinish runs. Returns
// the lines; the task's events are lines n-5 .. n-1 (n = the trace_end's line).
std::vector<std::string> articleWithATask(int target, int answerTo,
                                          const std::string& taskCallback = "onTask")
{
    auto lines = articleLines();
    replaceIn(lines, 1, R"("worker_num":4)", R"("worker_num":4,"task_worker_num":2)");
    std::string end = lines.back();
    lines.pop_back();
    int64_t ts = 1747552165251;
    auto add = [&](const std::string& kind, const std::string& fn, const std::string& role,
                   int index, int worker, const std::string& args)
    {
        std::string pid = std::to_string(20780 + index);
        lines.push_back(R"({"seq":0,"ts":)" + std::to_string(++ts) + R"(,"kind":")" + kind +
                        R"(","fn":")" + fn + R"(","actor":{"role":")" + role + R"(","index":)" +
                        std::to_string(index) + R"(,"pid":)" + pid + R"(,"tid":)" + pid +
                        R"(},"session":1,"worker":)" + std::to_string(worker) +
                        R"(,"flow":1099511627778,"args":)" + args + "}");
    };
    std::string t = std::to_string(target), to = std::to_string(answerTo);
    add("task_dispatch", "swProcessPool_dispatch", "worker", 2, target,
        R"({"task_id":0,"target":)" + t + R"(,"len":20,"idle":true})");
    add("callback_enter", "swTaskWorker_onTask", "task_worker", 4, 4,
        R"({"callback":")" + taskCallback + R"("})");
    add("task_finish", "swTaskWorker_finish", "task_worker", 4, answerTo,
        R"({"task_id":0,"to_worker":)" + to + R"(,"len":20})");
    add("worker_receive", "swWorker_onPipeReceive", "worker", answerTo, answerTo,
        R"({"type":"FINISH","len":20,"chunks":1})");
    add("callback_enter", "swWorker_onTask", "worker", answerTo, answerTo,
        R"({"callback":"onFinish"})");
    lines.push_back(end);
    renumber(lines);
    return lines;
}

// The task rules run on the viewer's events as on the file's (model_rules_test.cpp has a case
// for each; here, that the viewer hands them what they read: roles, flows, task args).
TEST(ModelFindings, TaskRulesSeeTheViewersEvents)
{
    for (size_t slice : {0, 2})
        for (const trace::ModelFinding& f : check(articleWithATask(4, 2), slice))
            ADD_FAILURE() << "event " << f.ref << ": " << f.message;

    auto lines = articleWithATask(4, 1);  // the result goes to worker 1, not the caller
    size_t n = lines.size() - 1;
    auto findings = check(lines);
    ASSERT_EQ(findings.size(), 3u);
    EXPECT_EQ(findings[0].ref, eventOfLine(n - 3));
    EXPECT_NE(findings[0].message.find("task_finish of task 0 of flow 1099511627778 reaches "
                                       "worker 1, but worker 2 called task()"),
              std::string::npos)
        << findings[0].message;
    EXPECT_EQ(findings[1].ref, eventOfLine(n - 2));  // worker_receive FINISH
    EXPECT_EQ(findings[2].ref, eventOfLine(n - 1));  // onFinish

    findings = check(articleWithATask(3, 2));  // worker 3 is an event worker
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].ref, eventOfLine(lines.size() - 6));
    EXPECT_NE(findings[0].message.find("which is no task worker (ids 4..5)"), std::string::npos);

    findings = check(articleWithATask(4, 2, "onReceive"));
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_NE(findings[0].message.find("onReceive runs in task worker 4"), std::string::npos);
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
