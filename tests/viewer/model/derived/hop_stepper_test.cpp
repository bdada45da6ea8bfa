// "Next hop" in live step mode: each hop moves the cursor exactly one event; received events are
// shown before the server is stepped again; a step that let out nothing is repeated.
#include "viewer/model/hop_stepper.h"

#include <gtest/gtest.h>

#include "tests/viewer/model/derived/trace_fixtures.h"
#include "viewer/model/playback.h"
#include "viewer/model/trace_store.h"

namespace rscope::viewer
{
namespace
{

struct Live
{
    TraceStore full;
    TraceStore store;
    Playback playback;
    HopStepper stepper;
    Live()
    {
        test::loadArticle(full);
        store.setTopology(full.topology());
        feed(10);
        playback.goLive();
        playback.advance(store, 1.0 / 60);
    }
    void feed(size_t upTo)
    {
        for (size_t i = store.size(); i < upTo; ++i)
            store.append(full[i], full.args(full[i]), full.payload(full[i]));
    }
};

TEST(HopStepper, OneCursorEventPerHopStepsOnlyAtTheNewest)
{
    Live l;
    ASSERT_EQ(l.playback.position(), 10u);
    l.stepper.request(1);
    EXPECT_TRUE(l.stepper.update(l.store, l.playback, 0)) << "at the newest: step the server";
    EXPECT_FALSE(l.playback.live()) << "the cursor no longer slides with what arrives";
    EXPECT_FALSE(l.stepper.update(l.store, l.playback, 50)) << "its event is not in yet";
    l.feed(12);  // the step let out two events (a thread that was not paused answered too)
    EXPECT_FALSE(l.stepper.update(l.store, l.playback, 60));
    EXPECT_EQ(l.playback.position(), 11u) << "exactly one event further";
    EXPECT_EQ(l.stepper.pending(), 0);
    l.playback.advance(l.store, 1.0);
    EXPECT_EQ(l.playback.position(), 11u) << "and it stays there";

    l.stepper.request(1);
    EXPECT_FALSE(l.stepper.update(l.store, l.playback, 70)) << "the received event comes first";
    EXPECT_EQ(l.playback.position(), 12u);

    l.stepper.request(1);
    EXPECT_TRUE(l.stepper.update(l.store, l.playback, 100));
    EXPECT_FALSE(l.stepper.update(l.store, l.playback, 100 + HopStepper::kRetryMs - 1));
    EXPECT_TRUE(l.stepper.update(l.store, l.playback, 100 + HopStepper::kRetryMs))
        << "the released thread went idle: step again";
    l.feed(13);
    EXPECT_FALSE(l.stepper.update(l.store, l.playback, 600));
    EXPECT_EQ(l.playback.position(), 13u);

    // Ten hops asked at once walk ten events, stepping as needed.
    l.stepper.request(10);
    int steps = 0;
    for (int64_t t = 1000; l.stepper.pending() > 0 && t < 100000; t += 10)
        if (l.stepper.update(l.store, l.playback, t))
        {
            ++steps;
            l.feed(l.store.size() + 1);
        }
    EXPECT_EQ(l.playback.position(), 23u);
    EXPECT_EQ(steps, 10);
}

}  // namespace
}  // namespace rscope::viewer
