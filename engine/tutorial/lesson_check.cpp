// runLesson (lesson_check.h): the events of the current window are kept so that each step's
// tracker sees all of them, including those read while an earlier step of the window waited.
#include "engine/tutorial/lesson_check.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/tutorial/checkpoint_tracker.h"
#include "engine/tutorial/lesson_runner.h"
#include "engine/tutorial/trace_stream.h"

namespace rscope::tutorial
{

namespace
{
constexpr int kConnectTimeoutMs = 3000;
constexpr int kPollSliceMs = 20;
constexpr int kHelpersGraceMs = 3000;
constexpr int kDrainMs = 2000;
constexpr size_t kLogLines = 20;

std::string lastLines(const std::string& text, size_t n)
{
    size_t at = text.size();
    if (at > 0 && text[at - 1] == '\n') --at;  // the final newline ends the last line
    for (size_t i = 0; i < n; ++i)
    {
        size_t nl = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
        if (nl == std::string::npos) return text;
        at = nl;
    }
    return text.substr(at + 1);
}

std::string waitingFor(const Checkpoint& cp, const CheckpointTracker& tracker)
{
    size_t i = tracker.pending();
    if (i >= cp.events.size()) return "";
    return describeMatcher(cp.events[i], tracker.bindings());
}

bool startsServer(const Step& step)
{
    return step.action &&
           (step.action->kind == "start_server" || step.action->kind == "restart_server");
}

class LessonRun
{
  public:
    LessonRun(const Lesson& lesson, const std::string& binary, Lang lang, const LessonHooks& hooks)
        : lesson_(lesson), lang_(lang), hooks_(hooks), server_(binary), actions_(server_, binary)
    {
    }

    LessonOutcome run()
    {
        LessonOutcome outcome;
        outcome.ok = true;
        for (size_t i = 0; i < lesson_.steps.size() && outcome.ok; ++i)
        {
            StepReport report = runStep(i, outcome);
            ++outcome.stepsRun;
            if (hooks_.onStep) hooks_.onStep(report);
            outcome.ok = outcome.ok && report.ok;
        }
        if (!outcome.ok) outcome.serverLog = lastLines(server_.log(), kLogLines);
        // Traffic still in flight finishes (bounded), then everything stops in order.
        actions_.waitIdle(kHelpersGraceMs);
        actions_.stopAll();
        server_.stop();
        drain();
        return outcome;
    }

  private:
    StepReport runStep(size_t i, LessonOutcome& outcome)
    {
        const Step& step = lesson_.steps[i];
        StepReport report;
        report.step = i;
        report.steps = lesson_.steps.size();
        report.hasCheckpoint = step.checkpoint.has_value();
        if (!everStarted_ && !startsServer(step))
        {
            // The lesson's server starts on entry; its startup belongs to this first window.
            newWindow();
            std::string error;
            if (!server_.start(lesson_.server, error) || !connect(error))
            {
                outcome.error = error;
                report.failure = error;
                return report;
            }
        }
        if (step.action)
        {
            pump(0);  // what already came belongs to the previous window
            newWindow();
            std::string error;
            Action action;
            bool ok = resolveAction(*step.action, bindings_, action, error) &&
                      actions_.run(
                          action, lesson_, [this](int w) { return stream_.workerPid(w); }, error);
            if (ok && startsServer(step)) ok = connect(error);
            if (!ok)
            {
                report.failure = fmt::format("action {}: {}", step.action->kind, error);
                return report;
            }
        }
        if (!step.checkpoint)
        {
            report.ok = true;
            return report;
        }
        const Checkpoint& cp = *step.checkpoint;
        CheckpointTracker tracker(cp, windowStartNs_);
        for (const StreamEvent& e : window_) tracker.observe(e.facts());
        int64_t startMs = base::monotonicMs();
        int64_t deadlineMs = startMs + cp.timeoutMs;
        while (!tracker.met())
        {
            int64_t left = deadlineMs - base::monotonicMs();
            if (left <= 0) break;
            if (!pump(static_cast<int>(std::min<int64_t>(left, kPollSliceMs)), &tracker)) break;
        }
        report.elapsedMs = base::monotonicMs() - startMs;
        report.matched = tracker.satisfied();
        report.total = tracker.total();
        report.ok = tracker.met();
        // A later action may name what this checkpoint bound ("worker": "$w"); later steps win.
        if (report.ok)
            for (const auto& [name, value] : tracker.bindings()) bindings_[name] = value;
        if (!report.ok)
        {
            report.failure = cp.hint.in(lang_);
            report.waitingFor = waitingFor(cp, tracker);
        }
        return report;
    }

    void newWindow()
    {
        windowStartNs_ = base::monotonicNs();
        window_.clear();
    }

    // After the server stopped, its last events (the shutdown) are still in our socket: read them
    // to the end, so that a recorder gets a whole run.
    void drain()
    {
        int64_t endMs = base::monotonicMs() + kDrainMs;
        while (stream_.open() && base::monotonicMs() < endMs && pump(kPollSliceMs))
        {
        }
        stream_.close();
    }

    bool connect(std::string& error)
    {
        if (stream_.open()) drain();  // a restart: the previous server has stopped by now
        everStarted_ = true;
        stream_.setLineSink(hooks_.onTraceLine);
        if (!stream_.connect(server_.traceAddress(), kConnectTimeoutMs, error)) return false;
        if (hooks_.onServerStarted) hooks_.onServerStarted(server_);
        return true;
    }

    // Reads for at most timeoutMs; false when the stream is closed.
    bool pump(int timeoutMs, CheckpointTracker* tracker = nullptr)
    {
        return stream_.poll(timeoutMs,
                            [&](const StreamEvent& e)
                            {
                                window_.push_back(e);
                                if (tracker) tracker->observe(window_.back().facts());
                            });
    }

    const Lesson& lesson_;
    Lang lang_;
    const LessonHooks& hooks_;
    LessonServer server_;
    ActionRunner actions_;
    TraceStream stream_;
    bool everStarted_ = false;
    int64_t windowStartNs_ = 0;
    std::vector<StreamEvent> window_;              // events since the window began
    std::map<std::string, std::string> bindings_;  // of every checkpoint met so far
};
}  // namespace

LessonOutcome runLesson(const Lesson& lesson, const std::string& rscopeBinary, Lang lang,
                        const LessonHooks& hooks)
{
    LessonRun run(lesson, rscopeBinary, lang, hooks);
    return run.run();
}

LessonOutcome checkLessonOnRecording(const Lesson& lesson, const std::string& tracePath, Lang lang,
                                     const LessonHooks& hooks)
{
    LessonOutcome outcome;
    std::ifstream in(tracePath);
    if (!in)
    {
        outcome.error = tracePath + ": cannot open the recording";
        return outcome;
    }
    std::vector<StreamEvent> events;
    tracefile::LineParser parser;
    auto readRun = [&](std::ifstream& file)
    {
        events.clear();
        std::string line;
        while (std::getline(file, line))
        {
            StreamEvent e;
            if (parseEventLine(parser, line, e)) events.push_back(std::move(e));
        }
    };
    readRun(in);
    int run = 1;
    outcome.ok = true;
    size_t windowBegin = 0;  // index of the current window's first event
    size_t lastMet = 0;      // index just after the event that met the latest checkpoint
    for (size_t i = 0; i < lesson.steps.size() && outcome.ok; ++i)
    {
        const Step& step = lesson.steps[i];
        StepReport report;
        report.step = i;
        report.steps = lesson.steps.size();
        report.hasCheckpoint = step.checkpoint.has_value();
        if (step.action) windowBegin = lastMet;
        if (startsServer(step) && i > 0)
        {
            // The server's next run is in the next file (recordingPathForRun).
            std::string next = recordingPathForRun(tracePath, ++run);
            std::ifstream file(next);
            if (!file)
            {
                outcome.ok = false;
                outcome.error = next + ": cannot open the recording of run " + std::to_string(run);
                report.failure = outcome.error;
                if (hooks.onStep) hooks.onStep(report);
                ++outcome.stepsRun;
                break;
            }
            readRun(file);
            windowBegin = lastMet = 0;
        }
        report.ok = true;
        if (step.checkpoint)
        {
            CheckpointTracker tracker(*step.checkpoint);
            size_t at = windowBegin;
            while (at < events.size() && !tracker.met()) tracker.observe(events[at++].facts());
            report.ok = tracker.met();
            report.matched = tracker.satisfied();
            report.total = tracker.total();
            if (report.ok)
            {
                lastMet = at;
                if (windowBegin < events.size())
                    report.elapsedMs = (events[at - 1].tsNs - events[windowBegin].tsNs) / 1'000'000;
            }
            else
            {
                report.failure = step.checkpoint->hint.in(lang);
                report.waitingFor = waitingFor(*step.checkpoint, tracker);
            }
        }
        ++outcome.stepsRun;
        if (hooks.onStep) hooks.onStep(report);
        outcome.ok = report.ok;
    }
    return outcome;
}

std::string describeMatcher(const Matcher& m, const std::map<std::string, std::string>& bindings)
{
    std::string text;
    for (const std::string& k : m.kinds) text += (text.empty() ? "" : "|") + k;
    if (!m.actorRole.empty())
        text += " actor=" + m.actorRole +
                (m.actorIndex >= 0 ? "[" + std::to_string(m.actorIndex) + "]" : "");
    auto value = [&](const MatchValue& v)
    {
        if (!v.isVariable()) return v.text;
        auto it = bindings.find(v.variable);
        return it == bindings.end() ? v.variable : v.variable + "(=" + it->second + ")";
    };
    for (const auto& [key, v] : m.ids) text += " " + key + "=" + value(v);
    for (const auto& [key, v] : m.args) text += " args." + key + "=" + value(v);
    if (m.count > 1) text += " x" + std::to_string(m.count);
    return text;
}

std::string recordingPathForRun(const std::string& firstRunPath, int run)
{
    if (run <= 1) return firstRunPath;
    std::string stem = firstRunPath;
    std::string ext;
    if (size_t dot = stem.rfind(".jsonl"); dot != std::string::npos && dot + 6 == stem.size())
    {
        stem.resize(dot);
        ext = ".jsonl";
    }
    return stem + "-run" + std::to_string(run) + ext;
}

std::string formatStepReport(const Lesson& lesson, const StepReport& r)
{
    std::string head = fmt::format("{} step {}/{}", lesson.id, r.step + 1, r.steps);
    if (r.ok)
        return r.hasCheckpoint ? fmt::format("{}: ok ({} ms)", head, r.elapsedMs)
                               : fmt::format("{}: ok (no checkpoint)", head);
    if (r.total == 0) return fmt::format("{}: FAILED: {}", head, r.failure);
    return fmt::format("{}: FAILED: {}; matched {} of {}", head, r.failure, r.matched, r.total);
}

}  // namespace rscope::tutorial
