// ModelRules' task worker rules (docs/process-model.md section 10) on small hand-built event
// sequences: for each rule a sequence that keeps it (no finding) and one that breaks it (one
// finding, at the event that broke it). Two event workers (0, 1), two task workers (2, 3).
#include "engine/format/model_rules.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

constexpr uint64_t kFlow = 77;

ModelSettings taskSettings(int taskWorkerNum = 2)
{
    ModelSettings s;
    s.reactorNum = 2;
    s.workerNum = 2;
    s.taskWorkerNum = taskWorkerNum;
    s.dispatchMode = 2;
    return s;
}

// Events get refs 1, 2, ... in the order they are built.
class Sequence
{
  public:
    ModelEvent& add(EventKind kind, int actorWorker, bool taskWorker)
    {
        ModelEvent e;
        e.ref = e.seq = events_.size() + 1;
        e.kind = kind;
        e.session = 1;
        e.flow = kFlow;
        e.actorWorker = actorWorker;
        e.actorTaskWorker = taskWorker;
        events_.push_back(e);
        return events_.back();
    }
    // An event worker's task(): task_dispatch to `target`.
    ModelEvent& dispatch(int caller, int64_t target, int64_t taskId = 0, bool byTaskWorker = false)
    {
        ModelEvent& e = add(EventKind::TaskDispatch, caller, byTaskWorker);
        e.worker = target;
        e.taskId = taskId;
        e.taskTarget = target;
        return e;
    }
    // The task worker's onTask, in it.
    void runTask(int taskWorker)
    {
        ModelEvent& r = add(EventKind::WorkerReceive, taskWorker, true);
        r.worker = taskWorker;
        add(EventKind::CallbackEnter, taskWorker, true).callback = CallbackId::OnTask;
    }
    ModelEvent& finish(int taskWorker, int64_t to, int64_t taskId = 0)
    {
        ModelEvent& e = add(EventKind::TaskFinish, taskWorker, true);
        e.worker = to;
        e.taskId = taskId;
        e.taskToWorker = to;
        return e;
    }
    // The result read and onFinish run in event worker `in`.
    void onFinish(int in)
    {
        ModelEvent& r = add(EventKind::WorkerReceive, in, false);
        r.worker = in;
        r.finishData = true;
        add(EventKind::CallbackEnter, in, false).callback = CallbackId::OnFinish;
    }
    std::vector<ModelFinding> check(const ModelSettings& settings = taskSettings()) const
    {
        ModelRules rules(settings, "event");
        for (const ModelEvent& e : events_) rules.observe(e);
        return rules.findings();
    }
    size_t size() const { return events_.size(); }

  private:
    std::vector<ModelEvent> events_;
};

std::string messages(const std::vector<ModelFinding>& findings)
{
    std::string out;
    for (const ModelFinding& f : findings) out += std::to_string(f.ref) + ": " + f.message + "\n";
    return out;
}

TEST(ModelRulesTask, AResultBackToTheCallerIsClean)
{
    Sequence s;
    s.dispatch(1, 2);
    s.runTask(2);
    s.finish(2, 1);
    s.onFinish(1);
    std::vector<ModelFinding> findings = s.check();
    EXPECT_TRUE(findings.empty()) << messages(findings);
}

TEST(ModelRulesTask, TwoTasksOfOneRequestBothAnswerTheCaller)
{
    Sequence s;
    s.dispatch(0, 2, 0);
    s.dispatch(0, 3, 1);
    s.runTask(3);
    s.finish(3, 0, 1);
    s.onFinish(0);
    s.runTask(2);
    s.finish(2, 0, 0);
    s.onFinish(0);
    std::vector<ModelFinding> findings = s.check();
    EXPECT_TRUE(findings.empty()) << messages(findings);
}

TEST(ModelRulesTask, AFinishToAnotherWorkerIsReportedAtEachStep)
{
    Sequence s;
    s.dispatch(1, 2);
    s.runTask(2);
    s.finish(2, 0);  // event 4: worker 1 called task()
    s.onFinish(0);   // events 5 (worker_receive FINISH) and 6 (onFinish)
    std::vector<ModelFinding> findings = s.check();
    ASSERT_EQ(findings.size(), 3u) << messages(findings);
    EXPECT_EQ(findings[0].ref, 4u);
    EXPECT_EQ(findings[0].message,
              "task_finish of task 0 of flow 77 reaches worker 0, but worker 1 called task() "
              "(event 1)");
    EXPECT_EQ(findings[1].ref, 5u);
    EXPECT_NE(findings[1].message.find("worker_receive FINISH of flow 77 reaches worker 0"),
              std::string::npos);
    EXPECT_EQ(findings[2].ref, 6u);
    EXPECT_NE(findings[2].message.find("onFinish of flow 77 reaches worker 0"), std::string::npos);
}

TEST(ModelRulesTask, AFinishWhoseEnvelopeNamesAnotherWorkerIsReported)
{
    Sequence s;
    s.dispatch(1, 2);
    s.runTask(2);
    s.finish(2, 1).worker = 0;  // to_worker right, the envelope's worker wrong
    std::vector<ModelFinding> findings = s.check();
    ASSERT_EQ(findings.size(), 1u) << messages(findings);
    EXPECT_EQ(findings[0].ref, 4u);
}

TEST(ModelRulesTask, AFinishOfAFlowWithoutItsDispatchIsNotJudged)
{
    // The trace began after task(): the caller is unknown.
    Sequence s;
    s.runTask(2);
    s.finish(2, 0);
    s.onFinish(0);
    EXPECT_TRUE(s.check().empty());
}

TEST(ModelRulesTask, ATaskWorkerRunsOnTaskButNoConnectionCallback)
{
    Sequence clean;
    clean.dispatch(0, 3);
    clean.runTask(3);
    clean.add(EventKind::CallbackEnter, 3, true).callback = CallbackId::OnPipeMessage;
    clean.add(EventKind::CallbackEnter, 0, false).callback = CallbackId::OnReceive;
    EXPECT_TRUE(clean.check().empty()) << messages(clean.check());

    for (CallbackId cb : {CallbackId::OnReceive, CallbackId::OnConnect, CallbackId::OnClose})
    {
        Sequence s;
        s.add(EventKind::CallbackEnter, 3, true).callback = cb;
        std::vector<ModelFinding> findings = s.check();
        ASSERT_EQ(findings.size(), 1u) << messages(findings);
        EXPECT_EQ(findings[0].message, std::string(callbackName(static_cast<uint8_t>(cb))) +
                                           " runs in task worker 3: a task worker runs onTask and "
                                           "onPipeMessage, never a connection's callbacks");
    }
}

TEST(ModelRulesTask, AWorkerIdPastWorkerNumIsATaskWorkerWhateverItsRole)
{
    // An actor spelled "worker" with id 2 when the header has task workers is one of them.
    Sequence s;
    s.add(EventKind::CallbackEnter, 2, false).callback = CallbackId::OnReceive;
    EXPECT_EQ(s.check().size(), 1u);
    // Without task workers in the header, worker 2 is an event worker (beyond worker_num, but
    // that is not this rule's business).
    EXPECT_TRUE(s.check(taskSettings(0)).empty());
}

TEST(ModelRulesTask, OnlyEventWorkersDispatchTasks)
{
    Sequence clean;
    clean.dispatch(1, 3);
    EXPECT_TRUE(clean.check().empty());

    Sequence s;
    s.dispatch(2, 3, 0, /*byTaskWorker=*/true);
    std::vector<ModelFinding> findings = s.check();
    ASSERT_EQ(findings.size(), 1u) << messages(findings);
    EXPECT_EQ(findings[0].message,
              "task_dispatch from task worker 2: only event workers call task()");
}

TEST(ModelRulesTask, ADispatchTargetMustBeATaskWorkerId)
{
    for (int64_t target : {2, 3})
    {
        Sequence s;
        s.dispatch(0, target);
        EXPECT_TRUE(s.check().empty()) << target;
    }
    for (int64_t target : {-1, 0, 1, 4})
    {
        Sequence s;
        s.dispatch(0, target);
        std::vector<ModelFinding> findings = s.check();
        ASSERT_EQ(findings.size(), 1u) << target << "\n" << messages(findings);
        EXPECT_EQ(findings[0].message, "task_dispatch to worker " + std::to_string(target) +
                                           ", which is no task worker (ids 2..3)");
    }
    Sequence none;
    none.dispatch(0, 2);
    std::vector<ModelFinding> findings = none.check(taskSettings(0));
    ASSERT_EQ(findings.size(), 1u) << messages(findings);
    EXPECT_EQ(findings[0].message, "task_dispatch to worker 2, but task_worker_num is 0");
}

TEST(ModelRulesTask, TaskEventsWithoutASessionAreStillChecked)
{
    Sequence s;
    s.dispatch(0, 1).session.reset();
    EXPECT_EQ(s.check().size(), 1u);
}

}  // namespace
}  // namespace rscope::trace
