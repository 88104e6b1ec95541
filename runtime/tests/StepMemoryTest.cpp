// The compiled steps' caching allocator (runtime/lib/StepMemory.cpp): freed
// blocks serve later requests of their size, payloads are aligned, system
// allocations are counted, idle blocks can be handed back, and a repeated
// sequence of allocations (a step) misses only the first time.
#include "netc/StepMemory.h"

#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

using namespace netc::rt;

namespace {

bool alignedTo(void *p, size_t align) {
  return reinterpret_cast<uintptr_t>(p) % align == 0;
}

/// Allocations made by one test are freed by it; start each from an empty
/// cache so the counts are the test's own.
struct StepMemory : ::testing::Test {
  void SetUp() override { stepmem::trim(); }
  void TearDown() override { stepmem::trim(); }
};

} // namespace

TEST_F(StepMemory, FreedBlockIsReusedForTheSameSize) {
  const int64_t before = netc_step_system_allocs();
  void *a = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  EXPECT_EQ(netc_step_system_allocs(), before + 1);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  EXPECT_EQ(b, a);
  EXPECT_EQ(netc_step_system_allocs(), before + 1);
  // Another size misses; so does the same size while its block is in use.
  void *c = _mlir_memref_to_llvm_aligned_alloc(64, 8192);
  void *d = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  EXPECT_NE(d, b);
  EXPECT_EQ(netc_step_system_allocs(), before + 3);
  for (void *p : {b, c, d})
    _mlir_memref_to_llvm_free(p);
  EXPECT_EQ(stepmem::stats().idleBlocks, 3);
  EXPECT_EQ(stepmem::stats().idleBytes, 4096 + 8192 + 4096);
  EXPECT_EQ(stepmem::stats().liveBlocks, 0);
}

TEST_F(StepMemory, PayloadsAreAlignedAndUsable) {
  std::vector<void *> blocks;
  for (size_t align : {1, 8, 16, 64, 128, 4096})
    for (size_t size : {0, 1, 63, 64, 100, 65536}) {
      void *p = _mlir_memref_to_llvm_aligned_alloc(align, size);
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE(alignedTo(p, align < 64 ? 64 : align))
          << align << " " << size;
      std::memset(p, 0xab, size); // the whole payload is ours
      blocks.push_back(p);
    }
  void *plain = _mlir_memref_to_llvm_alloc(10);
  EXPECT_TRUE(alignedTo(plain, stepmem::kMinAlign));
  blocks.push_back(plain);
  for (void *p : blocks)
    _mlir_memref_to_llvm_free(p);
  _mlir_memref_to_llvm_free(nullptr);
  EXPECT_EQ(stepmem::stats().liveBlocks, 0);
}

TEST_F(StepMemory, AlignmentsDoNotShareBlocks) {
  void *a = _mlir_memref_to_llvm_aligned_alloc(4096, 4096);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  EXPECT_NE(b, a);
  void *c = _mlir_memref_to_llvm_aligned_alloc(4096, 4096);
  EXPECT_EQ(c, a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
}

TEST_F(StepMemory, RepeatedStepsMissOnlyTheFirstTime) {
  // A step's pattern: overlapping lifetimes, sizes repeated.
  auto step = [] {
    void *x = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
    void *y = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
    void *z = _mlir_memref_to_llvm_aligned_alloc(64, 3000);
    _mlir_memref_to_llvm_free(x);
    void *w = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
    _mlir_memref_to_llvm_free(z);
    _mlir_memref_to_llvm_free(y);
    _mlir_memref_to_llvm_free(w);
  };
  const int64_t before = netc_step_system_allocs();
  const int64_t reusedBefore = stepmem::stats().reuses;
  step();
  const int64_t first = netc_step_system_allocs() - before;
  EXPECT_EQ(first, 3); // w reuses x's block
  for (int i = 0; i < 5; ++i)
    step();
  EXPECT_EQ(netc_step_system_allocs() - before, first);
  EXPECT_EQ(stepmem::stats().reuses - reusedBefore, 1 + 5 * 4);
}

TEST_F(StepMemory, TrimReturnsIdleBlocksOnly) {
  void *live = _mlir_memref_to_llvm_aligned_alloc(64, 256);
  void *idle = _mlir_memref_to_llvm_aligned_alloc(64, 512);
  _mlir_memref_to_llvm_free(idle);
  stepmem::trim();
  EXPECT_EQ(stepmem::stats().idleBlocks, 0);
  EXPECT_EQ(stepmem::stats().liveBlocks, 1);
  const int64_t before = netc_step_system_allocs();
  void *again = _mlir_memref_to_llvm_aligned_alloc(64, 512);
  EXPECT_EQ(netc_step_system_allocs(), before + 1);
  std::memset(live, 1, 256); // still ours after the trim
  _mlir_memref_to_llvm_free(again);
  _mlir_memref_to_llvm_free(live);
}

TEST_F(StepMemory, ThreadsShareTheCacheSafely) {
  auto work = [] {
    for (int i = 0; i < 2000; ++i) {
      void *a = _mlir_memref_to_llvm_aligned_alloc(64, 64 * (1 + i % 7));
      void *b = _mlir_memref_to_llvm_aligned_alloc(64, 64 * (1 + i % 5));
      std::memset(a, i & 0xff, 64);
      std::memset(b, i & 0xff, 64);
      _mlir_memref_to_llvm_free(b);
      _mlir_memref_to_llvm_free(a);
    }
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  EXPECT_EQ(stepmem::stats().liveBlocks, 0);
  // Two threads hold at most two blocks of each of the 7 sizes at a time.
  EXPECT_LE(stepmem::stats().idleBlocks, 4 * 7);
}
