// runLesson: one lesson headless against a live server, as `rscope tutorial check|record` do it:
// start the server, read its trace socket, run each step's action and wait for its checkpoint.
// A step's window (the events that count) begins when its action runs; a step without an action
// shares the window of the step before it (so several steps can explain one action's events).
// Owner: the calling thread, blocked until the lesson ends; everything it starts it stops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/tutorial/lesson.h"

namespace rscope::tutorial
{

class LessonServer;

struct StepReport
{
    size_t step = 0;   // 0-based
    size_t steps = 0;  // in the lesson
    bool ok = false;
    bool hasCheckpoint = false;
    int64_t elapsedMs = 0;  // from the step's start (after its action) to the checkpoint
    size_t matched = 0;     // matchers satisfied (CheckpointTracker::satisfied)
    size_t total = 0;
    std::string failure;  // the hint in the chosen language, or why the action failed
    // A failed checkpoint: the matcher still awaited, with the variables bound so far
    // ("worker_receive worker=$w(=2) args.type=RECV_DATA, 0 of 1 seen"), for lesson authors.
    std::string waitingFor;
};

struct LessonHooks
{
    // After every server start, once its trace socket is known (e.g. to start a recorder).
    std::function<void(const LessonServer&)> onServerStarted;
    // Every line of the trace socket as received, header first; a server restart starts again
    // with a new header. The stream is read to its end after the lesson stops the server.
    std::function<void(std::string_view line)> onTraceLine;
    std::function<void(const StepReport&)> onStep;
};

struct LessonOutcome
{
    bool ok = false;        // every checkpoint met, in order
    size_t stepsRun = 0;    // a lesson stops at its first failed step
    std::string error;      // a failure outside the steps (the server did not start ...)
    std::string serverLog;  // live runs that failed: the last lines the server printed
};

LessonOutcome runLesson(const Lesson& lesson, const std::string& rscopeBinary, Lang lang,
                        const LessonHooks& hooks);

// The same steps over a recording (the lesson's `replay` file) instead of a live server: actions
// are not run; a step with an action opens its window just after the event that met the previous
// checkpoint (the window of a step without an action is the previous step's, as live). A
// recording holds one server run: a start_server or restart_server step (after the first step)
// moves on to the next run's file, recordingPathForRun(tracePath, k), with a fresh window.
// elapsedMs is the trace time from the window's first event to the one that met the checkpoint.
LessonOutcome checkLessonOnRecording(const Lesson& lesson, const std::string& tracePath, Lang lang,
                                     const LessonHooks& hooks);

// Where `rscope tutorial record` puts the k-th server run of a lesson (k from 1): the lesson's
// `replay` file for the first, "NAME-runK.jsonl" next to it for the others.
std::string recordingPathForRun(const std::string& firstRunPath, int run);

// One matcher as text, its variables shown with their bound values.
std::string describeMatcher(const Matcher& m, const std::map<std::string, std::string>& bindings);

// "NAME step N/M: ok (X ms)" or "NAME step N/M: FAILED: <hint>; matched k of n".
std::string formatStepReport(const Lesson& lesson, const StepReport& report);

}  // namespace rscope::tutorial
