// Fuzzes the lesson loader (loadLessonText: nesting check, JSON, every rule of
// tutorials/README.md). Checks that it never throws and that a loaded lesson keeps the rules the
// tutorial runner relies on. The seeds are tutorials/*.json with their id set to "fuzz".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/tutorial/lesson.h"

namespace
{
void check(bool ok)
{
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace rscope::tutorial;
    Lesson lesson;
    std::string error;
    bool ok = loadLessonText(std::string_view(reinterpret_cast<const char*>(data), size),
                             "tutorials/fuzz.json", lesson, error);
    check(ok == error.empty());
    if (!ok)
    {
        check(error.rfind("tutorials/fuzz.json: ", 0) == 0);
        return 0;
    }
    check(lesson.id == "fuzz");
    check(!lesson.title.en.empty() && !lesson.title.zh.empty());
    for (const Step& step : lesson.steps)
    {
        check(!step.text.en.empty() && !step.text.zh.empty());
        if (step.checkpoint)
            for (const Matcher& m : step.checkpoint->events)
                check(!m.kinds.empty() && m.count >= 1);
    }
    return 0;
}
