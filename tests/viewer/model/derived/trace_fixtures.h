// Traces for the derived-state tests: the article trace, hand-made events, a synthetic trace of
// many interleaved connections, and a field-by-field comparison of two architecture states.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "viewer/model/architecture_state.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer::test
{

std::string articlePath();
// traces/article.jsonl into `store`: header topology and its 36 events.
void loadArticle(TraceStore& store);
// Index of the event with this seq (the article's seqs start at 1); fails the test if absent.
size_t indexOfSeq(const TraceStore& store, uint64_t seq);

// A process-mode topology: `reactors` reactor threads, `workers` workers, worker w's pipe read
// by reactor w % reactors; master pid 100, manager 101, worker w pid 300 + w, reactor tid 200 + r.
Topology makeTopology(int reactors, int workers);

// One hand-made event: kind, emitting actor, the ids it carries and its decoded args.
struct Ev
{
    Ev(EventKind kind, Role role, int index = -1);
    Ev& session(int64_t s)
    {
        e.session = s;
        return *this;
    }
    Ev& fd(int f)
    {
        e.fd = f;
        return *this;
    }
    Ev& reactor(int r)
    {
        e.reactor = static_cast<int16_t>(r);
        return *this;
    }
    Ev& worker(int w)
    {
        e.worker = static_cast<int16_t>(w);
        return *this;
    }
    Ev& bytes(int b)
    {
        e.bytes = b;
        return *this;
    }
    Ev& queued(int q)
    {
        e.queued = q;
        return *this;
    }
    Ev& direction(Direction d)
    {
        e.direction = d;
        return *this;
    }
    Ev& type(PipeType t)
    {
        e.pipeType = t;
        return *this;
    }
    Ev& callback(CallbackId c)
    {
        e.callback = c;
        return *this;
    }
    Ev& pid(int p)
    {
        actor.pid = p;
        return *this;
    }
    Ev& generation(int g)
    {
        e.generation = static_cast<int16_t>(g);
        return *this;
    }
    Ev& cause(trace::Cause c)
    {
        e.cause = static_cast<uint8_t>(c);
        return *this;
    }

    Event e;
    Actor actor;
};

// Appends `ev` at `tsNs` with the next seq, interning its actor.
void append(TraceStore& store, const Ev& ev, int64_t tsNs);

// `events` events of interleaved connects, requests, server and client closes (onClose nested in
// onReceive), worker restarts, pipe and buffer pressure, reloads and stray ids, from `seed`.
// Two reactors, four workers; ts grows by 0..4 us per event (equal timestamps included).
void makeSyntheticTrace(TraceStore& store, size_t events, uint32_t seed = 1);

// Every field of the two states, with the first differences in the failure message.
testing::AssertionResult sameState(const ArchitectureState& a, const ArchitectureState& b);

// The state after events [0, n) applied one by one from the header: the reference.
ArchitectureState applyFromScratch(const TraceStore& store, size_t n);

}  // namespace rscope::viewer::test
