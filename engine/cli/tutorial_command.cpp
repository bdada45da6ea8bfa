// `rscope tutorial list|check|record`: the lessons of tutorials/ (tutorials/README.md). check and
// record run each lesson headless against a live server (engine/tutorial/lesson_check.h);
// record also saves the server's trace stream with the recorder of `rscope record`.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "engine/tracefile/trace_recorder.h"
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
    std::vector<std::string> names;
    std::string name;
    std::string out;
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

// Runs one lesson, printing a line per step; true when every checkpoint was met in order.
bool checkOne(const Lesson& lesson, tutorial::Lang lang, const tutorial::LessonHooks& extra)
{
    tutorial::LessonHooks hooks = extra;
    hooks.onStep = [&](const tutorial::StepReport& r)
    {
        std::printf("%s\n", tutorial::formatStepReport(lesson, r).c_str());
        std::fflush(stdout);
    };
    tutorial::LessonOutcome outcome =
        tutorial::runLesson(lesson, tutorial::findRscopeBinary(), lang, hooks);
    if (!outcome.error.empty())
        std::fprintf(stderr, "rscope tutorial: %s: %s\n", lesson.id.c_str(), outcome.error.c_str());
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
        if (loadOrReport(path, lesson) && checkOne(lesson, langOf(o.lang), {})) ++passed;
    }
    std::printf("tutorial check: %zu of %zu lessons passed\n", passed, paths.size());
    return passed == paths.size() ? 0 : 1;
}

int recordLesson(const TutorialOptions& o)
{
    Lesson lesson;
    if (!loadOrReport(lessonPath(o.dir, o.name), lesson)) return 1;
    std::string out = o.out.empty() ? "traces/lesson-" + lesson.id + ".jsonl" : o.out;
    // The recorder runs on its own thread and connection, from the first server start until
    // that server closes its trace socket (a restart_server ends the recording).
    std::atomic<bool> stop{false};
    std::atomic<bool> done{false};
    std::thread recorder;
    tracefile::RecordResult result;
    tutorial::LessonHooks hooks;
    hooks.onServerStarted = [&](const tutorial::LessonServer& server)
    {
        if (recorder.joinable()) return;
        tracefile::RecordOptions options;
        options.from = server.traceAddress();
        options.outPath = out;
        options.onNote = [](const std::string& text)
        { std::fprintf(stderr, "rscope tutorial record: %s\n", text.c_str()); };
        recorder = std::thread(
            [&, options]
            {
                result = tracefile::recordTrace(options, stop);
                done = true;
            });
        // The recorder's connection must be up before the first action, or a late join could
        // miss live events; the replayed startup is complete either way.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    };
    bool ok = checkOne(lesson, tutorial::Lang::En, hooks);
    if (!recorder.joinable())
    {
        std::fprintf(stderr, "rscope tutorial record: %s: the server never started\n",
                     lesson.id.c_str());
        return 1;
    }
    // The server is stopped by now: the recorder reads to the end of the stream and returns.
    for (int i = 0; i < 500 && !done; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    recorder.join();
    if (!result.ok)
    {
        std::fprintf(stderr, "rscope tutorial record: %s\n", result.error.c_str());
        return 1;
    }
    std::fprintf(stderr, "rscope tutorial record: %llu events (%llu dropped) to %s; %s\n",
                 static_cast<unsigned long long>(result.events),
                 static_cast<unsigned long long>(result.dropped), out.c_str(),
                 result.stopReason.c_str());
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
