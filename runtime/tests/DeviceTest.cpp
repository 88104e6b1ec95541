// The device backend registry (runtime/lib/Device.cpp) and its allocation
// hooks: with a backend active, AlignedArray and the step allocator take
// their memory from it (aligned as before) and give it back to it; without
// one they use plain host memory and never call it. A fake backend counts.
#include "netc/Device.h"
#include "netc/AlignedBuffer.h"
#include "netc/StepMemory.h"

#include <cstdint>
#include <cstdlib>
#include <gtest/gtest.h>
#include <set>

using namespace netc::rt;

namespace {

struct Counts {
  int inits = 0, allocations = 0, releases = 0;
  std::set<void *> live;
  bool failInit = false;
};
Counts counts;

bool fakeInit(std::string &reason) {
  ++counts.inits;
  if (counts.failInit)
    reason = "no fake device";
  return !counts.failInit;
}
void *fakeAllocate(size_t bytes) {
  ++counts.allocations;
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  counts.live.insert(p);
  return p;
}
void fakeRelease(void *p) {
  ++counts.releases;
  EXPECT_EQ(counts.live.erase(p), 1u) << "released what it did not allocate";
  std::free(p);
}
void fakeSynchronize() {}
std::string fakeName() { return "Fake Device 1"; }

const device::Backend fake{"fake",      fakeInit,        fakeAllocate,
                           fakeRelease, fakeSynchronize, fakeName};

bool alignedTo(const void *p, size_t align) {
  return reinterpret_cast<uintptr_t>(p) % align == 0;
}

/// Each test starts with the fake registered, nothing active, the step
/// cache empty (its idle blocks belong to whichever allocator made them).
struct Device : ::testing::Test {
  void SetUp() override {
    stepmem::trim();
    counts = Counts{};
    device::registerBackend(fake);
  }
  void TearDown() override {
    stepmem::trim();
    device::deactivate();
  }
};

} // namespace

TEST_F(Device, UnknownBackendIsRefusedWithTheReason) {
  std::string reason;
  EXPECT_FALSE(device::activate("tpu", reason));
  EXPECT_EQ(reason, "the program has no 'tpu' backend linked in");
  EXPECT_EQ(device::active(), nullptr);
  EXPECT_EQ(device::findBackend("tpu"), nullptr);
  ASSERT_NE(device::findBackend("fake"), nullptr);
  EXPECT_EQ(device::findBackend("fake")->deviceName(), "Fake Device 1");
}

TEST_F(Device, FailedInitLeavesHostMemory) {
  counts.failInit = true;
  std::string reason;
  EXPECT_FALSE(device::activate("fake", reason));
  EXPECT_EQ(reason, "no fake device");
  EXPECT_EQ(device::active(), nullptr);
  { AlignedBuffer b(1000); }
  EXPECT_EQ(counts.allocations, 0);
}

TEST_F(Device, NoBackendMeansPlainMemory) {
  {
    AlignedBuffer b(1000);
    AlignedArray<double> d(17);
    EXPECT_TRUE(alignedTo(b.get(), 64));
    EXPECT_EQ(b[999], 0.0f);
  }
  void *p = _mlir_memref_to_llvm_aligned_alloc(128, 777 * 64);
  EXPECT_TRUE(alignedTo(p, 128));
  _mlir_memref_to_llvm_free(p);
  EXPECT_EQ(counts.allocations, 0);
  EXPECT_EQ(counts.releases, 0);
}

TEST_F(Device, AlignedArraysUseTheActiveBackend) {
  std::string reason;
  ASSERT_TRUE(device::activate("fake", reason)) << reason;
  EXPECT_EQ(device::active(), device::findBackend("fake"));
  EXPECT_EQ(counts.inits, 1);
  {
    AlignedBuffer b(1001);
    AlignedArray<double> d(3);
    EXPECT_EQ(counts.allocations, 2);
    EXPECT_TRUE(alignedTo(b.get(), 64));
    EXPECT_TRUE(alignedTo(d.get(), 64));
    for (int64_t i = 0; i < b.size(); ++i) // zeroed, and all of it usable
      EXPECT_EQ(b[i], 0.0f);
    b[1000] = 1.0f;
    EXPECT_EQ(counts.releases, 0);
  }
  EXPECT_EQ(counts.releases, 2);
  EXPECT_TRUE(counts.live.empty());
}

TEST_F(Device, StepTemporariesUseTheActiveBackend) {
  std::string reason;
  ASSERT_TRUE(device::activate("fake", reason)) << reason;
  const int64_t before = netc_step_system_allocs();
  void *a = _mlir_memref_to_llvm_aligned_alloc(512, 5 * 64 + 3);
  void *b = _mlir_memref_to_llvm_alloc(100);
  EXPECT_TRUE(alignedTo(a, 512));
  EXPECT_TRUE(alignedTo(b, 64));
  EXPECT_EQ(counts.allocations, 2);
  EXPECT_EQ(netc_step_system_allocs(), before + 2);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  // Cached, not released; the next step of the same sizes reuses them.
  EXPECT_EQ(counts.releases, 0);
  void *again = _mlir_memref_to_llvm_aligned_alloc(512, 5 * 64 + 3);
  EXPECT_EQ(again, a);
  EXPECT_EQ(counts.allocations, 2);
  _mlir_memref_to_llvm_free(again);
  stepmem::trim(); // the idle blocks go back to the backend
  EXPECT_EQ(counts.releases, 2);
  EXPECT_TRUE(counts.live.empty());
}

TEST_F(Device, DeactivatedBackendIsNoLongerCalled) {
  std::string reason;
  ASSERT_TRUE(device::activate("fake", reason)) << reason;
  { AlignedBuffer b(10); }
  device::deactivate();
  EXPECT_EQ(device::active(), nullptr);
  { AlignedBuffer b(10); }
  EXPECT_EQ(counts.allocations, 1);
  EXPECT_EQ(counts.releases, 1);
}
