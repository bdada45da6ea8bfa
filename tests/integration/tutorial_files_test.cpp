// Every lesson in tutorials/ loads (complete en and zh texts, valid matchers and actions), and
// every sample trace in traces/lesson-*.jsonl passes `rscope trace check --model`.
#include <sys/wait.h>

#include <cstdio>
#include <set>

#include <gtest/gtest.h>

#include "engine/tutorial/lesson.h"
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

}  // namespace
}  // namespace rscope::tutorial
