// FlowTable against std::unordered_map under random inserts, lookups, erases and sweeps, with
// keys shaped like the server's flow ids (issuing thread in the high bits, a counter below).
#include "engine/format/flow_table.h"

#include <random>
#include <set>
#include <unordered_map>

#include <gtest/gtest.h>

namespace rscope::trace
{
namespace
{

TEST(FlowTable, BehavesLikeAMapUnderRandomOperations)
{
    std::mt19937_64 rng(42);
    FlowTable<int64_t> table;
    std::unordered_map<uint64_t, int64_t> ref;
    uint64_t counter = 0;
    auto key = [&]() -> uint64_t
    {
        // Mostly recent flows of a few threads, sometimes an old or unknown one.
        uint64_t thread = 1 + rng() % 6;
        uint64_t low = counter > 50 && rng() % 4 ? counter - rng() % 50 : counter + rng() % 5;
        return (thread << 40) | (low + 1);
    };
    for (int step = 0; step < 200000; ++step)
    {
        int op = static_cast<int>(rng() % 10);
        uint64_t k = key();
        if (op < 4)
        {
            ++counter;
            auto [v, inserted] = table.insert(k);
            bool refInserted = ref.try_emplace(k, 0).second;
            ASSERT_EQ(inserted, refInserted);
            *v += 1;
            ref[k] += 1;
        }
        else if (op < 7)
        {
            table.erase(k);
            ref.erase(k);
        }
        else
        {
            int64_t* v = table.find(k);
            auto it = ref.find(k);
            ASSERT_EQ(v != nullptr, it != ref.end()) << k;
            if (v)
            {
                ASSERT_EQ(*v, it->second);
            }
        }
        if (step % 50000 == 49999)
        {
            table.eraseIf([](uint64_t k2, int64_t v) { return (k2 + v) % 3 == 0; });
            std::erase_if(ref, [](const auto& kv) { return (kv.first + kv.second) % 3 == 0; });
        }
        ASSERT_EQ(table.size(), ref.size());
    }
    for (const auto& [k, v] : ref)
    {
        ASSERT_NE(table.find(k), nullptr);
        EXPECT_EQ(*table.find(k), v);
    }
    EXPECT_GT(ref.size(), 10u);
}

TEST(FlowTable, EraseKeepsCollidingEntriesReachable)
{
    FlowTable<int> table;
    // Enough keys that some share probe runs, then erase every other one.
    for (uint64_t k = 1; k <= 1000; ++k) *table.insert(k).first = static_cast<int>(k);
    for (uint64_t k = 1; k <= 1000; k += 2) table.erase(k);
    EXPECT_EQ(table.size(), 500u);
    for (uint64_t k = 1; k <= 1000; ++k)
    {
        int* v = table.find(k);
        if (k % 2)
            EXPECT_EQ(v, nullptr) << k;
        else
            ASSERT_TRUE(v && *v == static_cast<int>(k)) << k;
    }
    table.clear();
    EXPECT_EQ(table.find(2), nullptr);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_TRUE(table.insert(2).second) << "usable again after clear";
}

TEST(FlowTable, FlowZeroIsNeverFound)
{
    FlowTable<int> table;
    EXPECT_EQ(table.find(0), nullptr);
    table.insert(7);
    EXPECT_EQ(table.find(0), nullptr) << "0 marks the empty slots";
    EXPECT_FALSE(table.erase(0));
    EXPECT_EQ(table.size(), 1u);
}

TEST(FlowTable, AsASetItTakesOnlyTheKeyAndListsEveryEntry)
{
    struct Seen
    {
    };
    FlowTable<Seen> set;
    // Ids that differ only in their high bits (the issuing thread) must not pile up in one run.
    std::set<uint64_t> ref;
    for (uint64_t thread = 1; thread <= 64; ++thread)
        for (uint64_t n = 1; n <= 100; ++n)
        {
            set.insert((thread << 40) | n);
            ref.insert((thread << 40) | n);
        }
    EXPECT_EQ(set.size(), ref.size());
    std::set<uint64_t> listed;
    set.forEach([&](uint64_t k, const Seen&) { listed.insert(k); });
    EXPECT_EQ(listed, ref);
    for (uint64_t k : ref) ASSERT_TRUE(set.erase(k)) << k;
    EXPECT_TRUE(set.empty());
}

}  // namespace
}  // namespace rscope::trace
