//===- DataParallelTest.cpp - Shards and weights of --data-parallel -------===//

#include "netc/DataParallel.h"
#include "netc/Abi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

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

TEST(DataParallel, AloneSyncedStatisticsStayAsTheyAre) {
  reduceGradients(0.5, /*syncBatchNorm=*/true);
  float v[2] = {1.5f, -2};
  netc_sync_moments(v, 2);
  double d[1] = {3};
  netc_sync_moments_f64(d, 1);
  off();
  EXPECT_EQ(v[0], 1.5f);
  EXPECT_EQ(v[1], -2);
  EXPECT_EQ(d[0], 3);
}

namespace {

/// Synchronized batchnorm over `ranks` simulated ranks, as the lowering
/// computes it (docs/design.md, "Data-parallel steps"): every rank divides
/// by its own count, and the allreduce sums the ranks' statisticShare()s.
/// The global batch is `n` records of `hw` values per channel, one channel.
struct SyncedBatchNorm {
  int64_t n, hw;
  int ranks;
  std::vector<double> x, g; // the global batch, the global loss's gradient

  /// Sum over the ranks of statisticShare(perRank(r)) (the allreduce).
  template <typename F> double allreduce(F perRank) const {
    double total = 0;
    for (int r = 0; r < ranks; ++r) {
      const LocalBatch b = localBatch(n, ranks, r);
      const double v = perRank(b);
      double share = 0;
      statisticShare(&v, 1, b.weight, &share);
      total += share;
    }
    return total;
  }
  /// Rank r's records' values (hw per record).
  std::vector<double> local(const std::vector<double> &all,
                            const LocalBatch &b) const {
    return {all.begin() + b.begin * hw,
            all.begin() + (b.begin + b.records) * hw};
  }
};

} // namespace

TEST(DataParallel, SyncedStatisticsAreTheGlobalBatchs) {
  // 7 records over 3 ranks (3, 2, 2) and 2 records over 3 ranks (1, 1, and
  // an empty shard that computes on the first record with weight 0).
  for (int64_t n : {7, 2}) {
    SyncedBatchNorm bn{n, 3, 3, {}, {}};
    for (int64_t i = 0; i < n * bn.hw; ++i) {
      bn.x.push_back(0.5 + std::sin(1.3 * double(i)) * (1 + double(i % 4)));
      bn.g.push_back(std::cos(0.7 * double(i)) - 0.1);
    }
    const double total = double(n * bn.hw), gamma = 1.7, eps = 1e-3;
    double mean = 0, var = 0;
    for (double v : bn.x)
      mean += v / total;
    for (double v : bn.x)
      var += (v - mean) * (v - mean) / total;
    const double rstd = 1 / std::sqrt(var + eps);

    // Forward: the shard means, then the variances around the global mean.
    const double syncedMean = bn.allreduce([&](const LocalBatch &b) {
      double s = 0;
      for (double v : bn.local(bn.x, b))
        s += v;
      return s / double(b.records * bn.hw);
    });
    EXPECT_NEAR(syncedMean, mean, 1e-12) << n;
    const double syncedVar = bn.allreduce([&](const LocalBatch &b) {
      double s = 0;
      for (double v : bn.local(bn.x, b))
        s += (v - syncedMean) * (v - syncedMean);
      return s / double(b.records * bn.hw);
    });
    EXPECT_NEAR(syncedVar, var, 1e-12) << n;

    // Backward: rank r's dy is its shard-mean loss's, N / n_r times the
    // global loss's g (an empty shard's is anything: it weighs nothing).
    auto dyOf = [&](const LocalBatch &b) {
      std::vector<double> dy = bn.local(bn.g, b);
      for (double &v : dy)
        v *= b.counted ? double(n) / double(b.records) : 123.0;
      return dy;
    };
    auto xhat = [&](double v) { return (v - mean) * rstd; };
    const double sumDy = bn.allreduce([&](const LocalBatch &b) {
      double s = 0;
      for (double v : dyOf(b))
        s += v;
      return s;
    });
    const double sumDyX = bn.allreduce([&](const LocalBatch &b) {
      std::vector<double> dy = dyOf(b), x = bn.local(bn.x, b);
      double s = 0;
      for (size_t i = 0; i < dy.size(); ++i)
        s += dy[i] * xhat(x[i]);
      return s;
    });
    double meanG = 0, meanGX = 0;
    for (size_t i = 0; i < bn.g.size(); ++i) {
      meanG += bn.g[i] / total;
      meanGX += bn.g[i] * xhat(bn.x[i]) / total;
    }
    // The weighted sums are the global loss's dbeta and dgamma, which the
    // gradient allreduce also computes from the ranks' own sums.
    EXPECT_NEAR(sumDy, meanG * total, 1e-12) << n;
    EXPECT_NEAR(sumDyX, meanGX * total, 1e-12) << n;
    // Each rank's dx, divided by this rank's count, is N / n_r times the
    // global batch's dx.
    for (int r = 0; r < bn.ranks; ++r) {
      const LocalBatch b = localBatch(n, bn.ranks, r);
      if (!b.counted)
        continue;
      const double m = double(b.records * bn.hw);
      std::vector<double> dy = dyOf(b), x = bn.local(bn.x, b),
                          g = bn.local(bn.g, b);
      for (size_t i = 0; i < dy.size(); ++i) {
        const double dx =
            gamma * rstd * (dy[i] - sumDy / m - xhat(x[i]) * sumDyX / m);
        const double global =
            gamma * rstd * (g[i] - meanG - xhat(x[i]) * meanGX);
        EXPECT_NEAR(dx * b.weight, global, 1e-12) << n << " rank " << r;
      }
    }
  }
}
