//===- DataParallel.h - One run trained by every rank together --*- C++ -*-===//
//
// `--data-parallel` under mpirun -np R: every rank executes every run; each
// global batch (the plan's batch_size, in the run's shuffled order, equal on
// every rank) is cut into R contiguous shards; each rank runs the compiled
// step on its shard, and the step's call netc_grad_allreduce (Kernels.def)
// between the backward pass and the optimizer updates averages the
// gradients over the global batch in one allreduce of one fused buffer, so
// every rank applies the same update (docs/design.md, "Data-parallel
// steps"). With --sync-batchnorm the step's netc_sync_moments calls also
// make its batchnorm statistics the global batch's. Alone, or without the
// flag, nothing here is active and the step is a single process's.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DATAPARALLEL_H
#define NETC_DATAPARALLEL_H

#include "netc/Results.h"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace netc::rt {
struct Options;
} // namespace netc::rt

namespace netc::rt::dp {

/// A rank's part of a global batch: records [begin, begin + size) of it.
struct Shard {
  int64_t begin = 0, size = 0;
};

/// Rank `rank`'s contiguous shard of a global batch of `global` records over
/// `ranks` ranks: sizes differ by at most one, the first global % ranks
/// ranks take one more.
Shard shardOf(int64_t global, int ranks, int rank);

/// What one rank computes of a global batch: `records` (at least one) and
/// the weight of its shard-mean gradient and loss in the global mean
/// (shard size / global size). A rank whose shard is empty (a last batch
/// smaller than the rank count) still runs the step, on the batch's first
/// record, with weight 0 and `counted` false: every rank must take part in
/// the allreduce.
struct LocalBatch {
  int64_t begin = 0, records = 1;
  double weight = 0;
  bool counted = false;
};
LocalBatch localBatch(int64_t global, int ranks, int rank);

/// The order rank `rank` trains in: its local batch of each global batch of
/// `cap` records of `order`, one after another; `starts` gets each local
/// batch's first position (and the end), for the Prefetcher.
std::vector<int64_t> localOrder(const std::vector<int64_t> &order, int64_t cap,
                                int ranks, int rank,
                                std::vector<int64_t> &starts);

/// The dropout seed (24 bits) that rank `rank` masks its shard with, from
/// the step's `seed` that every rank draws alike: rank 0 keeps it (a
/// single process's masks for the batch's first records), rank r adds r
/// times 0x9E3779 modulo 2^24. Fixed by the run's seed and the rank count.
uint64_t maskSeed(uint64_t seed, int rank);

/// Whether this process trains data-parallel with other ranks.
bool active(const Options &options);

/// Every rank needs a shard of every batch: throws std::invalid_argument
/// when `batch` is smaller than the ranks of an active data-parallel run.
/// Checked at start-up (ExperimentRunner::prepare, agreed over the ranks)
/// and by training.
void checkShards(const Options &options, int64_t batch);
/// Whether this is a rank other than 0 under --data-parallel: it neither
/// writes files nor prints tables or progress (rank 0 does).
bool follower(const Options &options);

/// Whether this process writes files (results, report, weights, `save`):
/// not a follower. runExperiments sets it (markFollower); writeResults and
/// saveSafetensors check it, so a follower runs the same code and writes
/// nothing.
bool writesFiles();
void markFollower(bool follower);

/// Where a follower's progress lines go: /dev/null.
FILE *nullSink();

/// Makes the next compiled steps' gradients averaged over the ranks, this
/// rank's shard mean weighted by `weight`; with `syncBatchNorm`
/// (--sync-batchnorm) also their batchnorm statistics (netc_sync_moments);
/// off(): the single-process step.
void reduceGradients(double weight, bool syncBatchNorm = false);
void off();

/// What a rank adds to a synchronized batchnorm statistic (a per-channel
/// value `v` of its shard: a mean, a variance, a sum of dy): `weight`
/// (shard size / global batch size, 0 for an empty shard) times v, in
/// double. netc_sync_moments sums the shares over the ranks, so a mean over
/// each shard becomes the mean over the global batch.
void statisticShare(const float *v, int64_t count, double weight,
                    double *share);
void statisticShare(const double *v, int64_t count, double weight,
                    double *share);

/// The combined metrics of a step (the ABI's metrics buffer): the loss as
/// the weighted mean of the ranks' shard losses, the metric sums summed
/// (a rank whose records are not `counted` adds nothing). In place.
void combineMetrics(float *metrics, int64_t count, double weight, bool counted);

/// Rank 0's values of `floats` floats at `data` to every rank.
void fromRankZero(float *data, int64_t floats);

/// Rank 0's figures of an epoch (loss, metrics, validation) to every rank:
/// they decide divergence and the callbacks (early stopping, the learning
/// rate on a plateau), which must decide alike on every rank, even where
/// ranks compute with different thread counts and so round differently.
void fromRankZero(EpochRecord &epoch);

} // namespace netc::rt::dp

#endif // NETC_DATAPARALLEL_H
