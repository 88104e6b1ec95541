//===- DataParallelTest.cpp - Shards and weights of --data-parallel -------===//

#include "netc/DataParallel.h"
#include "netc/Abi.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace netc::rt::dp;

TEST(DataParallel, ShardsCoverTheBatchContiguously) {
  for (int64_t global : {1, 2, 7, 64, 127, 128}) {
    for (int ranks : {1, 2, 3, 4}) {
      int64_t next = 0, smallest = global, largest = 0;
      for (int r = 0; r < ranks; ++r) {
        const Shard s = shardOf(global, ranks, r);
        EXPECT_EQ(s.begin, next) << global << " over " << ranks;
        next += s.size;
        smallest = std::min(smallest, s.size);
        largest = std::max(largest, s.size);
      }
      EXPECT_EQ(next, global);
      EXPECT_LE(largest - smallest, 1);
    }
  }
  EXPECT_EQ(shardOf(7, 3, 0).size, 3); // the first 7 % 3 ranks take one more
  EXPECT_EQ(shardOf(7, 3, 1).begin, 3);
  EXPECT_EQ(shardOf(7, 3, 2).begin, 5);
  EXPECT_EQ(shardOf(7, 3, 2).size, 2);
}

TEST(DataParallel, WeightsAreShareOfTheGlobalBatch) {
  for (int64_t global : {1, 5, 128}) {
    double total = 0;
    for (int r = 0; r < 3; ++r) {
      const LocalBatch b = localBatch(global, 3, r);
      const Shard s = shardOf(global, 3, r);
      EXPECT_GE(b.records, 1);
      if (s.size == 0) {
        // An empty shard computes on one record that counts for nothing.
        EXPECT_FALSE(b.counted);
        EXPECT_EQ(b.weight, 0.0);
        EXPECT_EQ(b.begin, 0);
        EXPECT_EQ(b.records, 1);
      } else {
        EXPECT_TRUE(b.counted);
        EXPECT_EQ(b.records, s.size);
        EXPECT_DOUBLE_EQ(b.weight, double(s.size) / double(global));
      }
      total += b.weight;
    }
    EXPECT_DOUBLE_EQ(total, 1.0);
  }
  EXPECT_EQ(localBatch(128, 2, 1).weight, 0.5);
}

TEST(DataParallel, LocalOrderTakesEachGlobalBatchsShard) {
  std::vector<int64_t> order(10);
  std::iota(order.begin(), order.end(), 100);
  std::vector<int64_t> starts;
  // Global batches of 4: [100..103], [104..107], [108, 109].
  EXPECT_EQ(localOrder(order, 4, 2, 0, starts),
            (std::vector<int64_t>{100, 101, 104, 105, 108}));
  EXPECT_EQ(starts, (std::vector<int64_t>{0, 2, 4, 5}));
  EXPECT_EQ(localOrder(order, 4, 2, 1, starts),
            (std::vector<int64_t>{102, 103, 106, 107, 109}));
  EXPECT_EQ(starts, (std::vector<int64_t>{0, 2, 4, 5}));
  // Three ranks: the last batch of 2 leaves rank 2 an empty shard, which
  // computes on the batch's first record (weight 0).
  EXPECT_EQ(localOrder(order, 4, 3, 2, starts),
            (std::vector<int64_t>{103, 107, 108}));
  EXPECT_EQ(starts, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(DataParallel, MaskSeedsDifferPerRankAndKeepRankZero) {
  EXPECT_EQ(maskSeed(12345, 0), 12345u);
  EXPECT_NE(maskSeed(12345, 1), maskSeed(12345, 0));
  EXPECT_NE(maskSeed(12345, 1), maskSeed(12345, 2));
  EXPECT_LT(maskSeed(0xFFFFFF, 3), 1u << 24);
}

TEST(DataParallel, AloneTheReductionLeavesGradientsAsTheyAre) {
  // Without a launcher there are no other ranks: the step's call changes
  // nothing even when asked to reduce.
  reduceGradients(0.5);
  float g[3] = {1, 2, 3};
  netc_grad_allreduce(g, 3, 0, 1);
  off();
  EXPECT_EQ(g[0], 1);
  EXPECT_EQ(g[2], 3);
  float m[2] = {0.25f, 7};
  combineMetrics(m, 2, 0.5, true);
  EXPECT_EQ(m[0], 0.25f);
  EXPECT_EQ(m[1], 7);
}
