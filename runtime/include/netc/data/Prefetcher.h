//===- Prefetcher.h - Gathering the next batch while one trains -*- C++ -*-===//
//
// Copying a shuffled batch out of a large split (strided gathers from
// hundreds of MB for image sets) would otherwise sit between train steps. A
// worker thread fills the next batch into one of two fixed buffers while the
// compiled step runs on the other: memory stays at two batches whatever the
// split size, and the batches are the same as without prefetching, since
// the order is fixed before the epoch starts.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DATA_PREFETCHER_H
#define NETC_DATA_PREFETCHER_H

#include "netc/AlignedBuffer.h"
#include "netc/data/Dataset.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace netc::rt {

class Prefetcher {
public:
  /// Batches of up to `cap` records of `split`, taken in `order` (indices
  /// into the split). The worker starts at once.
  Prefetcher(const Split &split, std::vector<int64_t> order, int64_t cap);
  /// Batch b is order[starts[b], starts[b + 1]) (at most `cap` records):
  /// a data-parallel rank's shards (netc/DataParallel.h).
  Prefetcher(const Split &split, std::vector<int64_t> order, int64_t cap,
             std::vector<int64_t> starts);
  ~Prefetcher();
  Prefetcher(const Prefetcher &) = delete;
  Prefetcher &operator=(const Prefetcher &) = delete;

  struct Batch {
    const AlignedBuffer *x = nullptr, *y = nullptr;
    int64_t n = 0; // 0: no more batches
  };
  /// The next batch; valid until the following call to next().
  Batch next();
  int64_t batches() const { return total; }

private:
  void work();

  const Split &split;
  const std::vector<int64_t> order;
  const int64_t cap, total;
  std::vector<int64_t> starts; // empty: batches of cap
  AlignedBuffer xs[2], ys[2];
  int64_t counts[2] = {0, 0};
  // Batch b lives in buffer b % 2. `filled` batches are ready; the consumer
  // has taken `taken` (the last one taken is still in use until next()).
  int64_t filled = 0, taken = 0;
  bool stop = false;
  std::mutex mutex;
  std::condition_variable changed;
  std::thread worker;
};

} // namespace netc::rt

#endif // NETC_DATA_PREFETCHER_H
