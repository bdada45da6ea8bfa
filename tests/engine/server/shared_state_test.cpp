// The shared session table: growing ids, slot reuse, stale-id rejection (model 3.9, 8.2).
#include "engine/server/shared_state.h"

#include <gtest/gtest.h>

namespace rscope::server
{
namespace
{

TEST(SharedState, SessionIdsGrowAndVerifyOnlyOncePublished)
{
    SharedState shared(2, 16);
    int64_t a = shared.allocateSession();
    int64_t b = shared.allocateSession();
    EXPECT_GT(b, a);
    EXPECT_EQ(shared.verify(a), nullptr) << "a claimed but unpublished slot must not verify";
    shared.publishSession(a);
    ASSERT_NE(shared.verify(a), nullptr);
    EXPECT_EQ(shared.verify(0), nullptr);
    EXPECT_EQ(shared.verify(-a), nullptr);
}

TEST(SharedState, StaleSessionIsRejectedAfterItsSlotIsReused)
{
    SharedState shared(2, 16);
    const int64_t capacity = shared.sessionCapacity();
    int64_t first = shared.allocateSession();
    shared.slotOf(first).fd.store(9);
    shared.publishSession(first);
    shared.releaseSession(first);
    EXPECT_EQ(shared.verify(first), nullptr);
    // Walk the ids around the table until the same slot is handed out again.
    int64_t reused = 0;
    for (int64_t i = 0; i < capacity + 1; ++i)
    {
        int64_t id = shared.allocateSession();
        shared.publishSession(id);
        if (&shared.slotOf(id) == &shared.slotOf(first))
        {
            reused = id;
            break;
        }
        shared.releaseSession(id);
    }
    ASSERT_NE(reused, 0);
    EXPECT_NE(reused, first);
    EXPECT_EQ(shared.verify(first), nullptr) << "a reply for the old session must not land";
    EXPECT_NE(shared.verify(reused), nullptr);
    EXPECT_EQ(shared.slotOf(reused).closed.load(), 0) << "flags are cleared on reuse";
}

TEST(SharedState, FullTableRefusesNewSessions)
{
    SharedState shared(1, 16);  // capacity 1024
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < shared.sessionCapacity(); ++i)
    {
        int64_t id = shared.allocateSession();
        ASSERT_NE(id, 0);
        shared.publishSession(id);
        ids.push_back(id);
    }
    EXPECT_EQ(shared.allocateSession(), 0);
    shared.releaseSession(ids[5]);
    EXPECT_NE(shared.allocateSession(), 0);
}

}  // namespace
}  // namespace rscope::server
