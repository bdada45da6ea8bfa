// Trace rings: many threads and processes emit at once and nothing is lost while rings have
// room; a full ring drops and counts; the kind table and JSON lines are well formed.
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/format/open_flows.h"
#include "engine/format/trace_json.h"
#include "engine/trace/trace_buffers.h"
#include "engine/trace/trace_emitter.h"

namespace rscope::trace
{
namespace
{

constexpr int kPerProducer = 10000;  // below kRingSlots: nothing may be dropped

void emitMany(ActorRole role, int index)
{
    attachThread(role, index);
    for (int i = 0; i < kPerProducer; ++i)
    {
        auto r = makeRecord(EventKind::Dispatch);
        r.session = i + 1;
        r.worker = static_cast<int16_t>(index);
        emit(r);
    }
}

TEST(TraceRing, ManyThreadsAndProcessesLoseNothingWhileRingsHaveRoom)
{
    TraceBuffers buffers(2, 4);
    gBuffers = &buffers;
    std::vector<pid_t> children;
    for (int w = 0; w < 4; ++w)
    {
        pid_t pid = ::fork();
        if (pid == 0)
        {
            emitMany(ActorRole::Worker, w);
            ::_exit(0);
        }
        children.push_back(pid);
    }
    std::thread r0([] { emitMany(ActorRole::Reactor, 0); });
    std::thread r1([] { emitMany(ActorRole::Reactor, 1); });
    emitMany(ActorRole::Master, -1);
    r0.join();
    r1.join();
    for (pid_t pid : children)
    {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ASSERT_EQ(status, 0);
    }
    int producers = 0;
    for (int i = 0; i < buffers.ringCount(); ++i)
    {
        Ring& ring = buffers.ring(i);
        if (ring.header.generation.load() == 0) continue;  // the manager ring stays unused
        ++producers;
        EXPECT_EQ(ring.header.head.load(), static_cast<uint64_t>(kPerProducer)) << "ring " << i;
        EXPECT_EQ(ring.header.dropped.load(), 0u) << "ring " << i;
        // Records arrive in emission order with their payload intact.
        for (int k = 0; k < kPerProducer; ++k)
            ASSERT_EQ(ring.slots[k].session, k + 1) << "ring " << i;
    }
    EXPECT_EQ(producers, 7);
    tRing = nullptr;
    gBuffers = nullptr;
}

TEST(TraceRing, FullRingDropsAndCountsWithoutBlocking)
{
    TraceBuffers buffers(1, 1);
    gBuffers = &buffers;
    attachThread(ActorRole::Master, -1);
    const size_t extra = 123;
    for (size_t i = 0; i < kRingSlots + extra; ++i) emit(makeRecord(EventKind::Read));
    Ring& ring = buffers.ring(0);
    EXPECT_EQ(ring.header.head.load(), kRingSlots);
    EXPECT_EQ(ring.header.dropped.load(), extra);
    // Once the collector frees room, emitting resumes.
    ring.header.tail.store(10);
    emit(makeRecord(EventKind::Read));
    EXPECT_EQ(ring.header.head.load(), kRingSlots + 1);
    tRing = nullptr;
    gBuffers = nullptr;
}

TEST(TraceRing, TracingOffEmitsNothing)
{
    gBuffers = nullptr;
    attachThread(ActorRole::Master, -1);
    EXPECT_FALSE(on());
    emit(makeRecord(EventKind::Read));  // must not crash
}

TEST(TraceJson, EveryKindSerialisesToValidJsonWithItsArgs)
{
    ActorField actor = actorJson("reactor", 1, 100, 101);
    for (int k = 0; k < static_cast<int>(EventKind::Count); ++k)
    {
        auto r = makeRecord(static_cast<EventKind>(k));
        r.session = 7;
        r.fd = 12;
        r.flow = 99;
        r.a0 = 5;
        r.a2 = 0x7f000001;
        setPreview(r, "hi\n\x01\xff\"", 6);
        std::string line;
        appendEventLine(line, static_cast<uint64_t>(k + 1), r, actor, tPreview);
        ASSERT_EQ(line.back(), '\n');
        auto j = nlohmann::json::parse(line);
        const KindInfo& info = kindInfo(static_cast<EventKind>(k));
        EXPECT_EQ(j["kind"], info.name);
        EXPECT_EQ(j["fn"], info.historicFn);
        EXPECT_EQ(j["seq"], k + 1);
        EXPECT_EQ(j["session"], 7);
        EXPECT_EQ(j["actor"]["tid"], 101);
        EXPECT_EQ(kindByName(info.name), static_cast<EventKind>(k));
        for (int a = 0; a < 5 && info.args[a].name; ++a)
            EXPECT_TRUE(j["args"].contains(info.args[a].name))
                << info.name << " " << info.args[a].name;
        EXPECT_EQ(j["payload"].get<std::string>(), std::string("hi\n\x01\xc3\xbf\"", 7))
            << "bytes >= 0x80 are escaped as code points";
    }
    EXPECT_EQ(kindByName("no_such_kind"), EventKind::Count);
}

// Each pipe hop names the swoole 1.8 function of its sender (issue 13): the reactor thread's
// swReactorThread_send2worker only for reactor -> worker.
TEST(TraceJson, PipeKindsNameTheSendersFunctionByDirection)
{
    struct Want
    {
        EventKind kind;
        Direction direction;
        const char* fn;
    };
    const Want wants[] = {
        {EventKind::PipeWrite, Direction::ToWorker, "swReactorThread_send2worker"},
        {EventKind::PipeWrite, Direction::ToReactor, "swWorker_send2reactor"},
        {EventKind::PipeWrite, Direction::ToWorkerForward, "swWorker_send2worker"},
        {EventKind::PipeWrite, Direction::ToReactorThread, "swReactorEpoll_add"},
        {EventKind::PipeFull, Direction::ToWorker, "swReactorThread_send2worker"},
        {EventKind::PipeFull, Direction::ToReactor, "swReactor_write"},
        {EventKind::PipeDrain, Direction::ToWorker, "swReactorThread_onPipeWrite"},
        {EventKind::PipeDrain, Direction::ToReactor, "swReactor_onWrite"},
    };
    ActorField actor = actorJson("worker", 2, 300, 300);
    for (const Want& w : wants)
    {
        auto r = makeRecord(w.kind);
        r.a3 = static_cast<uint8_t>(w.direction);
        std::string line;
        appendEventLine(line, 1, r, actor, nullptr);
        auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["fn"], w.fn) << line;
        EXPECT_EQ(j["args"]["direction"], directionName(r.a3)) << line;
        EXPECT_STREQ(historicFn(r), w.fn);
        EXPECT_STREQ(historicFn(w.kind, r.a3), w.fn);
    }
    // Other kinds ignore the direction; an unknown direction falls back to the kind's own.
    EXPECT_STREQ(historicFn(EventKind::Read, 1), "swReactorThread_onRead");
    EXPECT_STREQ(historicFn(EventKind::PipeWrite, 0xff), "swReactorThread_send2worker");
}

}  // namespace
}  // namespace rscope::trace

namespace rscope::trace
{
namespace
{

TEST(OpenFlows, MatchesAReferenceSetUnderRandomInsertAndErase)
{
    OpenFlows flows;
    std::set<uint64_t> reference;
    std::mt19937_64 rng(42);
    for (int i = 0; i < 200000; ++i)
    {
        uint64_t flow = 1 + rng() % 5000;
        bool terminal = rng() % 2 == 0;
        flows.observe(flow, terminal);
        if (terminal)
            reference.erase(flow);
        else
            reference.insert(flow);
        ASSERT_EQ(flows.size(), reference.size()) << i;
    }
    std::vector<uint64_t> listed = flows.list();
    EXPECT_EQ(std::set<uint64_t>(listed.begin(), listed.end()), reference);
    flows.observe(0, false);  // no flow: ignored
    EXPECT_EQ(flows.size(), reference.size());
}

}  // namespace
}  // namespace rscope::trace
