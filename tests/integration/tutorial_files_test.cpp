// Every lesson in tutorials/ loads (complete en and zh texts, valid matchers and actions), and
// every sample trace in traces/lesson-*.jsonl passes `rscope trace check --model`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "engine/tutorial/lesson.h"
#include "engine/tutorial/lesson_check.h"
#include "tests/integration/test_support.h"

namespace rscope::tutorial
{
namespace
{

TEST(TutorialFiles, EveryLessonLoadsWithEnglishAndChinese)
{
    std::vector<std::string> files = lessonFiles(RSCOPE_SOURCE_DIR "/tutorials");
    ASSERT_GE(files.size(), 2u);
    std::set<std::string> ids;
    for (const std::string& path : files)
    {
        Lesson lesson;
        std::string error;
        ASSERT_TRUE(loadLesson(path, lesson, error)) << error;
        EXPECT_TRUE(ids.insert(lesson.id).second) << path;
        // The loader refuses a missing or empty text; a Chinese text that is a copy of the
        // English one is not a translation.
        EXPECT_NE(lesson.title.en, lesson.title.zh) << path;
        for (size_t i = 0; i < lesson.steps.size(); ++i)
        {
            const Step& s = lesson.steps[i];
            EXPECT_NE(s.text.en, s.text.zh) << path << " steps[" << i << "]";
            if (s.checkpoint)
            {
                EXPECT_NE(s.checkpoint->hint.en, s.checkpoint->hint.zh)
                    << path << " steps[" << i << "].checkpoint.hint";
            }
        }
    }
    EXPECT_TRUE(ids.count("01-startup"));
    EXPECT_TRUE(ids.count("02-one-request"));
}

// Highlight ids must name something the viewer draws (viewer/layout/architecture_*.cpp,
// viewer/model/startup_flow_tables.cpp, viewer/model/sequence_model.cpp,
// viewer/layout/statistics_layout.cpp): a typo would light nothing, silently. Numbers may be
// checkpoint variables ("worker[$w]").
TEST(TutorialFiles, EveryHighlightNamesSomethingTheViewerDraws)
{
    const std::string v = R"((\d+|\$\w+))";
    // Roles drawn with an index: task workers have their own boxes and lanes, and in the
    // sequence picture their pipes (task_pipe[N], read by no reactor thread) too.
    const std::string boxes = "(reactor|worker|client|task_worker)\\[" + v + "\\]";
    const std::string lanes = "(reactor|worker|client|task_worker|task_pipe)\\[" + v + "\\]";
    const std::map<std::string, std::regex> nodes = {
        {"architecture", std::regex("master|main_reactor|manager|clients|" + boxes)},
        {"startup",
         std::regex(
             "step\\.(master\\.(create|start|pipes|fork_manager|listen|reactor_threads|"
             "main_loop)|manager\\.(start|spawn_workers|spawn_task_workers|wait)|worker\\.(loop|"
             "pipe)|task_worker\\.loop|reactor\\.(init|register))|(handlers|lane)\\.(master|"
             "reactor|manager|worker)")},
        {"sequence",
         std::regex("main_reactor|manager|" + lanes + "|pipe\\[" + v + "->" + v + "\\]")},
        {"stats", std::regex("workers|plot:(requests|pipe_depth|bytes)|hist:(read->dispatch|"
                             "dispatch->worker|worker->send|send->write|read->write)")},
    };
    // task[w->t] carries tasks, finish[t->w] results, message[a->b] sendMessage between event
    // workers (viewer/layout/architecture_edges.cpp).
    const std::regex architectureEdges("accept|handoff\\[" + v +
                                       "\\]|(pipe|write|task|finish|message)\\[" + v + "->" + v +
                                       "\\]|manager->(task_)?worker\\[" + v + "\\]|(client\\[" + v +
                                       "\\]|clients)->reactor\\[" + v + "\\]");
    for (const std::string& path : lessonFiles(RSCOPE_SOURCE_DIR "/tutorials"))
    {
        Lesson lesson;
        std::string error;
        ASSERT_TRUE(loadLesson(path, lesson, error)) << error;
        std::string picture = "architecture";  // the viewer's first picture
        for (size_t i = 0; i < lesson.steps.size(); ++i)
        {
            const Highlight& h = lesson.steps[i].highlight;
            if (!h.picture.empty()) picture = h.picture;
            for (const std::string& id : h.nodes)
                EXPECT_TRUE(std::regex_match(id, nodes.at(picture)))
                    << path << " steps[" << i << "]: node \"" << id << "\" is not in the "
                    << picture << " picture";
            for (const std::string& id : h.edges)
                EXPECT_TRUE(picture == "architecture" && std::regex_match(id, architectureEdges))
                    << path << " steps[" << i << "]: edge \"" << id << "\" is not in the "
                    << picture << " picture";
        }
    }
}

TEST(TutorialFiles, EverySampleTracePassesTraceAndModelChecks)
{
    std::FILE* ls = ::popen("ls " RSCOPE_SOURCE_DIR "/traces/lesson-*.jsonl 2>/dev/null", "r");
    ASSERT_NE(ls, nullptr);
    char name[4096];
    int traces = 0;
    while (std::fgets(name, sizeof name, ls) != nullptr)
    {
        std::string path(name);
        path.pop_back();
        ++traces;
        std::string cmd = rscope::testing::rscopeBinary() + " trace check --quiet --model " + path;
        int st = std::system(cmd.c_str());
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << cmd;
    }
    ::pclose(ls);
    EXPECT_GE(traces, 2);
}

// The issue asks for one sample trace per lesson, recorded from the real engine; each must satisfy
// its own lesson, step by step (the replay rule of lesson_check.h).
TEST(TutorialFiles, EveryLessonPassesOnItsSampleTrace)
{
    for (const std::string& path : lessonFiles(RSCOPE_SOURCE_DIR "/tutorials"))
    {
        Lesson lesson;
        std::string error;
        ASSERT_TRUE(loadLesson(path, lesson, error)) << error;
        ASSERT_FALSE(lesson.replay.empty()) << path << ": no \"replay\"";
        std::string trace = RSCOPE_SOURCE_DIR "/" + lesson.replay;
        ASSERT_EQ(::access(trace.c_str(), R_OK), 0)
            << trace << " is missing: rscope tutorial record " << lesson.id;
        std::vector<std::string> failures;
        LessonHooks hooks;
        hooks.onStep = [&](const StepReport& r)
        {
            if (!r.ok) failures.push_back(formatStepReport(lesson, r));
        };
        LessonOutcome outcome = checkLessonOnRecording(lesson, trace, Lang::En, hooks);
        EXPECT_TRUE(outcome.ok) << lesson.id << ": " << outcome.error
                                << (failures.empty() ? "" : failures[0]);
        EXPECT_EQ(outcome.stepsRun, lesson.steps.size()) << lesson.id;
    }
}

}  // namespace
}  // namespace rscope::tutorial
