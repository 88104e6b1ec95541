//===- ParallelTest.cpp - netc_parallel_for -------------------------------===//
#include "netc/Parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

extern "C" int omp_get_thread_num(void);
extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads(void);

using namespace netc::rt;

namespace {

/// What the loop body saw: how often each iteration ran, and the chunks.
struct Record {
  int64_t begin = 0;
  std::vector<std::atomic<int>> hits;
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::vector<int> threads;
  explicit Record(int64_t begin, int64_t end)
      : begin(begin), hits(end > begin ? end - begin : 0) {}
};

void recordBody(void *ctx, int64_t lo, int64_t hi) {
  auto &r = *static_cast<Record *>(ctx);
  for (int64_t i = lo; i < hi; ++i)
    ++r.hits[i - r.begin];
  std::lock_guard<std::mutex> lock(r.mutex);
  r.chunks.push_back({lo, hi});
  r.threads.push_back(omp_get_thread_num());
}

/// Sets the team size for one test and restores it.
struct Threads {
  int saved = omp_get_max_threads();
  explicit Threads(int n) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(saved); }
};

void expectEachOnce(Record &r) {
  for (size_t i = 0; i < r.hits.size(); ++i)
    EXPECT_EQ(r.hits[i].load(), 1) << "iteration " << r.begin + int64_t(i);
}

} // namespace

TEST(ParallelTest, ChunksFollowWorkThreadsAndIterations) {
  EXPECT_EQ(parallelChunks(1000, 1, 4, 32768), 1);   // tiny nest: serial
  EXPECT_EQ(parallelChunks(1000, 100, 4, 32768), 3); // 100000 ops: 3 chunks
  EXPECT_EQ(parallelChunks(1000, 1000, 4, 32768), 4);
  EXPECT_EQ(parallelChunks(2, 1 << 20, 4, 32768), 2); // no more than trips
  EXPECT_EQ(parallelChunks(1, 1 << 20, 4, 32768), 1);
  EXPECT_EQ(parallelChunks(1000, 1000, 1, 32768), 1); // one thread
  EXPECT_EQ(parallelChunks(3, 0, 8, 0), 3);           // min work 0: all
  EXPECT_EQ(parallelChunks(int64_t(1) << 62, int64_t(1) << 40, 2, 32768), 2);
}

TEST(ParallelTest, ChunkRangesCoverInOrder) {
  for (int chunks : {1, 2, 3, 7})
    for (int64_t n : {0, 1, 5, 7, 100}) {
      int64_t next = -3;
      for (int i = 0; i < chunks; ++i) {
        int64_t lo, hi;
        chunkRange(-3, -3 + n, i, chunks, lo, hi);
        EXPECT_EQ(lo, next);
        EXPECT_LE(hi - lo, n / chunks + 1);
        EXPECT_GE(hi - lo, n / chunks);
        next = hi;
      }
      EXPECT_EQ(next, -3 + n);
    }
}

TEST(ParallelTest, SplitsLargeRangesAcrossTheTeam) {
  Threads team(2);
  Record r(5, 1005);
  netc_parallel_for(recordBody, &r, 5, 1005, 1 << 20);
  expectEachOnce(r);
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_NE(r.threads[0], r.threads[1]);
}

TEST(ParallelTest, SmallWorkRunsOnTheCallingThread) {
  Threads team(2);
  Record r(0, 64);
  netc_parallel_for(recordBody, &r, 0, 64, 4);
  expectEachOnce(r);
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.chunks[0], std::make_pair(int64_t(0), int64_t(64)));
  EXPECT_EQ(r.threads[0], 0);
}

TEST(ParallelTest, OneThreadRunsOneChunk) {
  Threads team(1);
  Record r(0, 1000);
  netc_parallel_for(recordBody, &r, 0, 1000, 1 << 20);
  expectEachOnce(r);
  EXPECT_EQ(r.chunks.size(), 1u);
}

TEST(ParallelTest, EmptyRangeRunsNothing) {
  Record r(10, 10);
  netc_parallel_for(recordBody, &r, 10, 10, 1 << 20);
  netc_parallel_for(recordBody, &r, 10, 4, 1 << 20);
  EXPECT_TRUE(r.chunks.empty());
}
