// `rscope tutorial list|check|record`: the lessons of tutorials/ (tutorials/README.md). check and
// record run each lesson headless against a live server (engine/tutorial/lesson_check.h);
// record also saves the lesson's trace stream to a file (engine/cli/lesson_recorder.h).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "engine/cli/lesson_recorder.h"
#include "engine/tutorial/lesson.h"
#include "engine/tutorial/lesson_check.h"
#include "engine/tutorial/lesson_runner.h"

namespace rscope::cli
{

namespace
{
using tutorial::Lesson;

struct TutorialOptions
{
    std::string dir = "tutorials";
    std::string lang = "en";
    bool all = false;
    bool replay = false;
    std::vector<std::string> names;
    std::string name;
    std::string out;
    std::string root = ".";
};

// NAME is a lesson id in --dir, or a path to a .json file.
std::string lessonPath(const std::string& dir, const std::string& name)
{
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) return name;
    return dir + "/" + name + ".json";
}

bool loadOrReport(const std::string& path, Lesson& lesson)
{
    std::string error;
    if (tutorial::loadLesson(path, lesson, error)) return true;
    std::fprintf(stderr, "rscope tutorial: %s\n", error.c_str());
    return false;
}

tutorial::Lang langOf(const std::string& name)
{
    tutorial::Lang lang = tutorial::Lang::En;
    tutorial::langByName(name, lang);
    return lang;
}

int listLessons(const TutorialOptions& o)
{
    std::vector<std::string> files = tutorial::lessonFiles(o.dir);
    if (files.empty())
    {
        std::fprintf(stderr, "rscope tutorial: no lessons (*.json) in %s\n", o.dir.c_str());
        return 1;
    }
    int bad = 0;
    for (const std::string& path : files)
    {
        Lesson lesson;
        if (!loadOrReport(path, lesson))
        {
            ++bad;
            continue;
        }
        const tutorial::Text& title = lesson.title;
        std::printf("%-24s %2zu steps  %s\n", lesson.id.c_str(), lesson.steps.size(),
                    title.in(langOf(o.lang)).c_str());
    }
    return bad == 0 ? 0 : 1;
}

// Runs one lesson (live, or over its `replay` recording), printing a line per step; true when
// every checkpoint was met in order.
bool checkOne(const Lesson& lesson, tutorial::Lang lang, const tutorial::LessonHooks& extra,
              const std::string& replayPath = "")
{
    tutorial::LessonHooks hooks = extra;
    hooks.onStep = [&](const tutorial::StepReport& r)
    {
        std::printf("%s\n", tutorial::formatStepReport(lesson, r).c_str());
        std::fflush(stdout);
        if (!r.waitingFor.empty())
            std::fprintf(stderr, "rscope tutorial: %s step %zu: waiting for %s\n",
                         lesson.id.c_str(), r.step + 1, r.waitingFor.c_str());
    };
    tutorial::LessonOutcome outcome =
        replayPath.empty() ? tutorial::runLesson(lesson, tutorial::findRscopeBinary(), lang, hooks)
                           : tutorial::checkLessonOnRecording(lesson, replayPath, lang, hooks);
    if (!outcome.error.empty())
        std::fprintf(stderr, "rscope tutorial: %s: %s\n", lesson.id.c_str(), outcome.error.c_str());
    if (!outcome.serverLog.empty())
        std::fprintf(stderr, "rscope tutorial: %s: the server's last output:\n%s",
                     lesson.id.c_str(), outcome.serverLog.c_str());
    if (!outcome.ok && outcome.stepsRun < lesson.steps.size())
        std::printf("%s: stopped after step %zu/%zu\n", lesson.id.c_str(), outcome.stepsRun,
                    lesson.steps.size());
    return outcome.ok;
}

int checkLessons(const TutorialOptions& o)
{
    std::vector<std::string> paths;
    if (o.all)
        paths = tutorial::lessonFiles(o.dir);
    else
        for (const std::string& name : o.names) paths.push_back(lessonPath(o.dir, name));
    if (paths.empty())
    {
        std::fprintf(stderr, "rscope tutorial check: name lessons or pass --all (none in %s)\n",
                     o.dir.c_str());
        return 2;
    }
    size_t passed = 0;
    for (const std::string& path : paths)
    {
        Lesson lesson;
        if (!loadOrReport(path, lesson)) continue;
        std::string replay;
        if (o.replay)
        {
            if (lesson.replay.empty())
            {
                std::printf("%s: FAILED: no \"replay\" recording to check against\n",
                            lesson.id.c_str());
                continue;
            }
            replay = o.root + "/" + lesson.replay;
        }
        if (checkOne(lesson, langOf(o.lang), {}, replay)) ++passed;
    }
    std::printf("tutorial check: %zu of %zu lessons passed\n", passed, paths.size());
    return passed == paths.size() ? 0 : 1;
}

int recordLesson(const TutorialOptions& o)
{
    Lesson lesson;
    if (!loadOrReport(lessonPath(o.dir, o.name), lesson)) return 1;
    std::string out = o.out.empty() ? "traces/lesson-" + lesson.id + ".jsonl" : o.out;
    LessonRecorder recorder(out);
    // The recording is the lesson's own trace connection: the files hold exactly what the
    // checkpoints saw, from each header (which replays the startup) to that server's shutdown.
    tutorial::LessonHooks hooks;
    hooks.onTraceLine = [&](std::string_view line) { recorder.line(line); };
    bool ok = checkOne(lesson, tutorial::Lang::En, hooks);
    if (!recorder.finish())
    {
        std::fprintf(stderr, "rscope tutorial record: %s: %s\n", lesson.id.c_str(),
                     recorder.error().c_str());
        return 1;
    }
    std::string files;
    for (const std::string& f : recorder.files()) files += (files.empty() ? "" : ", ") + f;
    std::fprintf(
        stderr, "rscope tutorial record: %llu events (%llu dropped, %zu flows cut) to %s\n",
        static_cast<unsigned long long>(recorder.events()),
        static_cast<unsigned long long>(recorder.dropped()), recorder.cutFlows(), files.c_str());
    if (!ok)
        std::fprintf(stderr, "rscope tutorial record: the lesson failed; the trace is partial\n");
    return ok ? 0 : 1;
}
}  // namespace

void addTutorialCommand(CLI::App& app)
{
    auto o = std::make_shared<TutorialOptions>();
    CLI::App* cmd = app.add_subcommand(
        "tutorial",
        "Lessons (tutorials/*.json): list them, check them against a live server, "
        "record their sample traces");
    cmd->require_subcommand(1);

    CLI::App* list = cmd->add_subcommand("list", "Id, steps and title of every lesson");
    list->add_option("--dir", o->dir, "Lesson directory")->capture_default_str();
    list->add_option("--lang", o->lang, "en or zh")->check(CLI::IsMember({"en", "zh"}));
    list->callback([o] { std::exit(listLessons(*o)); });

    CLI::App* check =
        cmd->add_subcommand("check",
                            "Run lessons headless against a live server; exit 0 only when every "
                            "checkpoint of every lesson is met in order");
    check->add_option("names", o->names, "Lesson ids (file names without .json) or paths");
    check->add_flag("--all", o->all, "Every lesson in --dir");
    check->add_option("--dir", o->dir, "Lesson directory")->capture_default_str();
    check->add_flag("--replay", o->replay,
                    "Check each lesson against its \"replay\" recording instead of a live server "
                    "(actions are not run)");
    check->add_option("--root", o->root, "Source tree that \"replay\" paths are relative to")
        ->capture_default_str();
    check->add_option("--lang", o->lang, "Language of the hints: en or zh")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    check->callback([o] { std::exit(checkLessons(*o)); });

    CLI::App* record = cmd->add_subcommand(
        "record", "Run a lesson as check does while recording the server's trace stream");
    record->add_option("name", o->name, "Lesson id or path")->required();
    record->add_option("--out,-o", o->out, "Output file (default traces/lesson-NAME.jsonl)");
    record->add_option("--dir", o->dir, "Lesson directory")->capture_default_str();
    record->callback([o] { std::exit(recordLesson(*o)); });
}

}  // namespace rscope::cli
