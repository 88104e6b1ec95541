//===- DataParallel.cpp - One run trained by every rank together ----------===//
//
// Shards, the gradient reduction that the compiled train step calls
// (netc_grad_allreduce), synchronized batchnorm statistics
// (netc_sync_moments), and the combined metrics. docs/design.md,
// "Data-parallel steps".
//
//===----------------------------------------------------------------------===//

#include "netc/DataParallel.h"

#include "netc/Abi.h"
#include "netc/Driver.h"
#include "netc/Mpi.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace netc::rt::dp {

Shard shardOf(int64_t global, int ranks, int rank) {
  const int64_t base = global / ranks, extra = global % ranks;
  return {rank * base + std::min<int64_t>(rank, extra),
          base + (rank < extra ? 1 : 0)};
}

LocalBatch localBatch(int64_t global, int ranks, int rank) {
  const Shard s = shardOf(global, ranks, rank);
  if (s.size == 0)
    return {0, 1, 0.0, false};
  return {s.begin, s.size,
          static_cast<double>(s.size) / static_cast<double>(global), true};
}

std::vector<int64_t> localOrder(const std::vector<int64_t> &order, int64_t cap,
                                int ranks, int rank,
                                std::vector<int64_t> &starts) {
  std::vector<int64_t> local;
  starts.assign(1, 0);
  const int64_t count = static_cast<int64_t>(order.size());
  for (int64_t at = 0; at < count; at += cap) {
    const LocalBatch b = localBatch(std::min(cap, count - at), ranks, rank);
    local.insert(local.end(), order.begin() + at + b.begin,
                 order.begin() + at + b.begin + b.records);
    starts.push_back(static_cast<int64_t>(local.size()));
  }
  return local;
}

uint64_t maskSeed(uint64_t seed, int rank) {
  return (seed + static_cast<uint64_t>(rank) * 0x9E3779u) & 0xFFFFFFu;
}

bool active(const Options &options) {
  return options.dataParallel && mpi::distributed();
}

void checkShards(const Options &options, int64_t batch) {
  const int ranks = mpi::world().size;
  if (active(options) && batch < ranks)
    throw std::invalid_argument(
        "--data-parallel: batch_size " + std::to_string(batch) +
        " is smaller than the " + std::to_string(ranks) +
        " ranks; each rank needs a shard of every batch");
}

bool follower(const Options &options) {
  return options.dataParallel && mpi::world().rank != 0;
}

namespace {
bool followerProcess = false;
} // namespace

bool writesFiles() { return !followerProcess; }

void markFollower(bool follower) { followerProcess = follower; }

FILE *nullSink() {
  static FILE *sink = std::fopen("/dev/null", "w");
  return sink ? sink : stderr;
}

namespace {

/// The reduction the compiled step drives, one gradient at a time: each is
/// scaled by this rank's weight into one fused buffer at the next offset;
/// the last one allreduces the buffer and every gradient gets its average
/// back.
template <typename T> struct Reduction {
  std::vector<T> fused;
  std::vector<std::pair<T *, int64_t>> grads;
  int64_t used = 0;

  void add(T *g, int64_t count, int64_t index, int64_t total, T weight) {
    if (index == 0) {
      grads.clear();
      used = 0;
    }
    grads.emplace_back(g, count);
    if (static_cast<int64_t>(fused.size()) < used + count)
      fused.resize(static_cast<size_t>(used + count));
    T *to = fused.data() + used;
    for (int64_t i = 0; i < count; ++i)
      to[i] = g[i] * weight;
    used += count;
    if (index + 1 < total)
      return;
    mpi::allreduceSum(fused.data(), used);
    int64_t at = 0;
    for (auto [grad, n] : grads) {
      std::memcpy(grad, fused.data() + at, sizeof(T) * static_cast<size_t>(n));
      at += n;
    }
  }
};

bool reducing = false, syncing = false;
double shardWeight = 1;
Reduction<float> reduction32;
Reduction<double> reduction64;

template <typename T>
void shareOf(const T *v, int64_t count, double weight, double *share) {
  for (int64_t i = 0; i < count; ++i)
    share[i] = weight * static_cast<double>(v[i]);
}

/// v <- the sum over the ranks of their shares, in place.
template <typename T> void syncStatistic(T *v, int64_t count) {
  if (!syncing)
    return;
  static std::vector<double> sum;
  sum.resize(static_cast<size_t>(count));
  shareOf(v, count, shardWeight, sum.data());
  mpi::allreduceSum(sum.data(), count);
  for (int64_t i = 0; i < count; ++i)
    v[i] = static_cast<T>(sum[static_cast<size_t>(i)]);
}

} // namespace

void reduceGradients(double weight, bool syncBatchNorm) {
  reducing = mpi::distributed();
  syncing = reducing && syncBatchNorm;
  shardWeight = weight;
}

void off() { reducing = syncing = false; }

void statisticShare(const float *v, int64_t count, double weight,
                    double *share) {
  shareOf(v, count, weight, share);
}

void statisticShare(const double *v, int64_t count, double weight,
                    double *share) {
  shareOf(v, count, weight, share);
}

void combineMetrics(float *metrics, int64_t count, double weight,
                    bool counted) {
  if (!mpi::distributed())
    return;
  std::vector<double> m(static_cast<size_t>(count), 0.0);
  if (counted) {
    m[0] = static_cast<double>(metrics[0]) * weight;
    for (int64_t i = 1; i < count; ++i)
      m[i] = metrics[i];
  }
  mpi::allreduceSum(m.data(), count);
  for (int64_t i = 0; i < count; ++i)
    metrics[i] = static_cast<float>(m[i]);
}

void fromRankZero(float *data, int64_t floats) {
  mpi::broadcast(data, floats, 0);
}

void fromRankZero(EpochRecord &epoch) {
  std::vector<double> figures{epoch.loss, epoch.metric, epoch.valLoss,
                              epoch.valMetric};
  figures.insert(figures.end(), epoch.more.begin(), epoch.more.end());
  figures.insert(figures.end(), epoch.valMore.begin(), epoch.valMore.end());
  mpi::broadcast(figures.data(), static_cast<int64_t>(figures.size()), 0);
  epoch.loss = figures[0];
  epoch.metric = figures[1];
  epoch.valLoss = figures[2];
  epoch.valMetric = figures[3];
  auto at = figures.begin() + 4;
  std::copy(at, at + epoch.more.size(), epoch.more.begin());
  at += static_cast<std::ptrdiff_t>(epoch.more.size());
  std::copy(at, at + epoch.valMore.size(), epoch.valMore.begin());
}

} // namespace netc::rt::dp

using namespace netc::rt::dp;

extern "C" void netc_grad_allreduce(float *g, int64_t count, int64_t index,
                                    int64_t total) {
  if (reducing)
    reduction32.add(g, count, index, total, static_cast<float>(shardWeight));
}

extern "C" void netc_grad_allreduce_f64(double *g, int64_t count, int64_t index,
                                        int64_t total) {
  if (reducing)
    reduction64.add(g, count, index, total, shardWeight);
}

extern "C" void netc_sync_moments(float *v, int64_t count) {
  syncStatistic(v, count);
}

extern "C" void netc_sync_moments_f64(double *v, int64_t count) {
  syncStatistic(v, count);
}
