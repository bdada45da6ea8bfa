// The viewer's HopTracker: trace::HopTracker's hops (tests/engine/format/hops_test.cpp) as samples
// that name the event that completed them and leave step mode's held time out.
#include "viewer/model/hop_tracker.h"

#include <vector>

#include <gtest/gtest.h>

namespace rscope::viewer::test
{
namespace
{

using K = EventKind;

Event event(EventKind kind, int64_t tsNs, uint64_t flow)
{
    Event e;
    e.kind = kind;
    e.tsNs = tsNs;
    e.flow = flow;
    return e;
}

TEST(HopTracker, SamplesNameTheCompletingEventAndItsHop)
{
    HopTracker t;
    std::vector<Event> events = {event(K::Read, 100, 1), event(K::Dispatch, 200, 1),
                                 event(K::WorkerReceive, 500, 1), event(K::SendRequest, 700, 1),
                                 event(K::ReactorWrite, 900, 1)};
    std::vector<HopSample> samples;
    for (size_t i = 0; i < events.size(); ++i)
    {
        HopSample s[HopTracker::kMaxSamplesPerEvent];
        int n = t.apply(events[i], static_cast<uint32_t>(i + 10), s);
        samples.insert(samples.end(), s, s + n);
    }
    ASSERT_EQ(samples.size(), 5u);
    EXPECT_EQ(samples[0].hop, RequestHop::ReadToDispatch);
    EXPECT_EQ(samples[0].event, 11u);
    EXPECT_EQ(samples[0].ns, 100);
    EXPECT_EQ(samples[3].hop, RequestHop::SendToWrite);
    EXPECT_EQ(samples[4].hop, RequestHop::Total);
    EXPECT_EQ(samples[4].event, 14u);
    EXPECT_EQ(samples[4].ns, 800);
    EXPECT_EQ(t.openFlows(), 0u);
}

TEST(HopTracker, HeldTimeIsLeftOut)
{
    HeldTime held;
    held.apply(K::GateHold, 150);
    held.apply(K::GateRelease, 190);  // held 40 ns between the read and the dispatch
    HopTracker t;
    HopSample s[HopTracker::kMaxSamplesPerEvent];
    EXPECT_EQ(t.apply(event(K::Read, 100, 1), 0, s, &held), 0);
    ASSERT_EQ(t.apply(event(K::Dispatch, 200, 1), 1, s, &held), 1);
    EXPECT_EQ(s[0].ns, 60);
}

}  // namespace
}  // namespace rscope::viewer::test
