//===- Parallel.cpp - The compiled loop nests' parallel for ---------------===//
//
// Built on libgomp's ABI (GOMP_parallel), the OpenMP runtime that oneDNN
// links: the compiled nests share oneDNN's thread team, whose threads are
// still spinning from the previous primitive, instead of a second pool. The
// runtime is compiled by clang without OpenMP (clang's -fopenmp would mean
// LLVM's libomp, and two OpenMP runtimes in one process oversubscribe).
//
//===----------------------------------------------------------------------===//
#include "netc/Parallel.h"

#include <algorithm>
#include <cstdlib>

extern "C" {
void GOMP_parallel(void (*fn)(void *), void *data, unsigned numThreads,
                   unsigned flags);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_in_parallel(void);
}

using namespace netc::rt;

int netc::rt::parallelChunks(int64_t iterations, int64_t work, int maxThreads,
                             int64_t minWork) {
  if (iterations <= 1 || maxThreads <= 1)
    return 1;
  work = std::max<int64_t>(work, 1);
  // total / minWork without overflow: compare per-iteration shares.
  int64_t byWork = minWork <= 0 ? iterations
                   : work >= minWork
                       ? iterations
                       : iterations / ((minWork + work - 1) / work);
  int64_t chunks = std::min<int64_t>({byWork, iterations, maxThreads});
  return static_cast<int>(std::max<int64_t>(chunks, 1));
}

void netc::rt::chunkRange(int64_t begin, int64_t end, int index, int chunks,
                          int64_t &lo, int64_t &hi) {
  int64_t n = end - begin;
  int64_t base = n / chunks, extra = n % chunks;
  lo = begin + index * base + std::min<int64_t>(index, extra);
  hi = lo + base + (index < extra ? 1 : 0);
}

namespace {

struct Loop {
  netc_loop_body body;
  void *ctx;
  int64_t begin, end;
};

/// Each thread of the team runs its own chunk; a team smaller than asked
/// for (OMP_THREAD_LIMIT, nesting) still covers the range.
void runChunk(void *data) {
  const Loop &loop = *static_cast<const Loop *>(data);
  int chunks = omp_get_num_threads(), index = omp_get_thread_num();
  int64_t lo, hi;
  chunkRange(loop.begin, loop.end, index, chunks, lo, hi);
  if (lo < hi)
    loop.body(loop.ctx, lo, hi);
}

int64_t minParallelWork() {
  static const int64_t value = [] {
    const char *text = std::getenv("NETC_PARALLEL_MIN_WORK");
    char *end = nullptr;
    long long parsed = text ? std::strtoll(text, &end, 10) : -1;
    return text && *text && !*end && parsed >= 0 ? int64_t(parsed)
                                                 : kMinParallelWork;
  }();
  return value;
}

} // namespace

extern "C" void netc_parallel_for(netc_loop_body body, void *ctx, int64_t begin,
                                  int64_t end, int64_t work) {
  if (end <= begin)
    return;
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  int chunks = parallelChunks(end - begin, work, threads, minParallelWork());
  if (chunks <= 1) {
    body(ctx, begin, end);
    return;
  }
  Loop loop{body, ctx, begin, end};
  GOMP_parallel(runChunk, &loop, static_cast<unsigned>(chunks), 0);
}
