//===- Parallel.h - The compiled loop nests' parallel for -------*- C++ -*-===//
//
// The pass netc-parallelize-loops (compiler/lib/Transforms/ParallelLoops.cpp)
// outlines the body of every top-level scf.parallel of the compiled steps
// into a function `body(ctx, lo, hi)` that runs the outermost parallel
// dimension's iterations [lo, hi), and calls netc_parallel_for in its place.
// The loop runs on the OpenMP team that oneDNN uses (GCC's libgomp, through
// its ABI: the runtime is compiled without -fopenmp), in one contiguous
// chunk per thread; nests with too little work run on the calling thread,
// without a fork/join. Every iteration runs exactly once, on one thread, with
// its operations in their order: results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_PARALLEL_H
#define NETC_PARALLEL_H

#include <cstdint>

extern "C" {
/// The outlined body of a nest: runs iterations [lo, hi) of its outermost
/// parallel dimension (in iteration numbers, 0-based) with the captured
/// values in `ctx`.
typedef void (*netc_loop_body)(void *ctx, int64_t lo, int64_t hi);

/// Runs body(ctx, lo, hi) over chunks covering [begin, end). `work` is the
/// compiler's estimate of the operations one iteration executes.
void netc_parallel_for(netc_loop_body body, void *ctx, int64_t begin,
                       int64_t end, int64_t work);
}

namespace netc::rt {

/// Estimated operations below which a nest runs on one thread. Measured on a
/// 2-core VM: under a load of 10 (other builds), at 32768 every small nest
/// paid a fork/join whose barrier waited for a scheduler time slice (LeNet
/// 15 -> 200 ms/step); at 2^20 only the large nests fork. On the same VM
/// quiet, 65536 was a little faster than 2^20 in 5 of 6 alternated pairs
/// (LeNet, AlexNet): the conservative value stays until a quiet sweep. The
/// environment variable NETC_PARALLEL_MIN_WORK (read once) overrides it; 0
/// parallelizes every nest.
constexpr int64_t kMinParallelWork = int64_t(1) << 20;

/// The number of threads (chunks) for `iterations` iterations of `work`
/// operations each, given `maxThreads` and at least `minWork` operations per
/// thread: 1 (run serially) when the total is small, never more than the
/// iterations.
int parallelChunks(int64_t iterations, int64_t work, int maxThreads,
                   int64_t minWork);

/// Chunk `index` of `chunks` of [begin, end): contiguous, in order, sizes
/// differing by at most one.
void chunkRange(int64_t begin, int64_t end, int index, int chunks, int64_t &lo,
                int64_t &hi);

} // namespace netc::rt

#endif
