#include "common/shard.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>

using namespace iterconf;

namespace {

std::vector<std::string> ids_of(size_t n) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < n; i++)
        ids.push_back("case" + std::to_string(i * 7919 % 1000) + "/prog" + std::to_string(i));
    return ids;
}

} // namespace

TEST(Shard, ParsesIOverN) {
    Shard s;
    EXPECT_EQ(parse_shard("2/4", s), "");
    EXPECT_EQ(s, (Shard{2, 4}));
    for (const char* bad : {"0/4", "5/4", "1/0", "4", "/4", "1/", "a/4", "1/4x", "-1/4", ""})
        EXPECT_NE(parse_shard(bad, s), "") << bad;
    EXPECT_EQ(s, (Shard{2, 4})); // unchanged by a bad text
}

// Every item in exactly one shard; shards within one item's weight of each
// other; the same split whatever order the items come in.
TEST(Shard, EveryItemOnceBalancedByWeightAnyOrder) {
    std::mt19937 rng(7);
    for (size_t n : {0, 1, 3, 10, 101, 1000})
        for (size_t count : {1, 2, 3, 4, 7}) {
            auto ids = ids_of(n);
            std::vector<uint64_t> w;
            for (size_t i = 0; i < n; i++)
                w.push_back(1 + rng() % 8);
            auto of = split_shards(ids, w, count);
            ASSERT_EQ(of.size(), n);
            std::vector<uint64_t> load(count, 0);
            std::vector<size_t> seen(n, 0);
            for (size_t s = 1; s <= count; s++)
                for (size_t i : shard_items(ids, w, Shard{s, count})) {
                    seen[i]++;
                    EXPECT_EQ(of[i], s - 1);
                    load[s - 1] += w[i];
                }
            EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](size_t c) { return c == 1; }));
            uint64_t wmax = n ? *std::max_element(w.begin(), w.end()) : 0;
            EXPECT_LE(*std::max_element(load.begin(), load.end()) -
                          *std::min_element(load.begin(), load.end()),
                      wmax)
                << n << " items in " << count;

            // Shuffled input: each id lands in the same shard.
            std::vector<size_t> perm(n);
            for (size_t i = 0; i < n; i++)
                perm[i] = i;
            std::shuffle(perm.begin(), perm.end(), rng);
            std::vector<std::string> ids2;
            std::vector<uint64_t> w2;
            for (size_t i : perm) {
                ids2.push_back(ids[i]);
                w2.push_back(w[i]);
            }
            auto of2 = split_shards(ids2, w2, count);
            for (size_t j = 0; j < n; j++)
                EXPECT_EQ(of2[j], of[perm[j]]);
        }
}

// Equal weights: the sorted ids dealt round-robin (a fixed answer, so a
// change of the split is a visible change of every sharded CI run).
TEST(Shard, EqualWeightsDealSortedIdsRoundRobin) {
    std::vector<std::string> ids = {"d", "a", "c", "b", "e"};
    auto of = split_shards(ids, std::vector<uint64_t>(5, 1), 2);
    EXPECT_EQ(of, (std::vector<size_t>{1, 0, 0, 1, 0})); // a0 b1 c0 d1 e0
    EXPECT_EQ(shard_items(ids, std::vector<uint64_t>(5, 1), Shard{2, 2}),
              (std::vector<size_t>{0, 3}));
}

// By weight, not by count: one program of weight 100 beside 100 of weight
// 1 in two shards gives 100 and 100, not 200 and 100.
TEST(Shard, HeavyItemBalancedByWeightNotCount) {
    auto ids = ids_of(101);
    std::vector<uint64_t> w(101, 1);
    w[57] = 100;
    auto one = shard_items(ids, w, Shard{1, 2}), two = shard_items(ids, w, Shard{2, 2});
    auto load = [&](const std::vector<size_t>& items) {
        uint64_t sum = 0;
        for (size_t i : items)
            sum += w[i];
        return sum;
    };
    EXPECT_EQ(load(one), 100u);
    EXPECT_EQ(load(two), 100u);
    EXPECT_EQ(one, std::vector<size_t>{57});
}

TEST(Shard, CorpusHashIsOrderFreeAndSalted) {
    EXPECT_EQ(corpus_hash({"a", "b"}, "x"), corpus_hash({"b", "a"}, "x"));
    EXPECT_NE(corpus_hash({"a", "b"}, "x"), corpus_hash({"a", "b"}, "y"));
    EXPECT_NE(corpus_hash({"a", "b"}, "x"), corpus_hash({"a", "c"}, "x"));
    EXPECT_EQ(corpus_hash({}, "").size(), 16u);
}
