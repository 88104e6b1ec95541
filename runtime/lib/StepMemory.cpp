//===- StepMemory.cpp - The compiled steps' caching allocator -------------===//
//
// Each block carries a header in the cache line (or alignment unit) just
// before its payload: its size class and, while idle, the next idle block of
// that class. Free lists are intrusive, keyed by (rounded size, alignment);
// the map's node for a class is made the first time a block of that class
// is freed and kept, so a step in steady state allocates nothing at all, not
// even in the allocator. One mutex guards the lists: the compiled step calls
// these functions from one thread (oneDNN and OpenMP workers never do), so
// the lock is uncontended and costs a few nanoseconds per call.
//
//===----------------------------------------------------------------------===//
#include "netc/StepMemory.h"
#include "netc/Device.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace netc::rt::stepmem {
namespace {

struct Header {
  size_t size;  ///< payload bytes, a multiple of kMinAlign
  size_t align; ///< payload alignment; the block starts `align` bytes before
  Header *next; ///< the next idle block of the class while idle
};
static_assert(sizeof(Header) <= kMinAlign, "the header fits its cache line");

Header *headerOf(void *payload) {
  return reinterpret_cast<Header *>(static_cast<char *>(payload) - kMinAlign);
}

void *payloadOf(Header *h) { return reinterpret_cast<char *>(h) + kMinAlign; }

/// size is a multiple of kMinAlign and align a power of two >= kMinAlign, so
/// the low six bits of the size are free for log2(align).
uint64_t classKey(size_t size, size_t align) {
  return static_cast<uint64_t>(size) |
         static_cast<uint64_t>(__builtin_ctzll(align));
}

struct Pool {
  std::mutex mutex;
  std::unordered_map<uint64_t, Header *> idle;
  std::atomic<int64_t> systemAllocs{0};
  int64_t reuses = 0, liveBlocks = 0, idleBlocks = 0, idleBytes = 0;
};

/// Never destroyed: a step may run while static destructors do (a worker
/// thread at exit), and freeing the cache at exit buys nothing.
Pool &pool() {
  static Pool *p = new Pool;
  return *p;
}

[[noreturn]] void outOfMemory(size_t size) {
  std::fprintf(stderr,
               "netc runtime: cannot allocate %zu bytes for a step's "
               "temporary\n",
               size);
  std::abort();
}

/// A new block from the system; the caller counts it.
Header *systemBlock(size_t size, size_t align) {
  // Plain host memory, or managed memory in a cuda program (netc/Device.h).
  void *raw = size > SIZE_MAX - 2 * align
                  ? nullptr
                  : netc::rt::device::allocateAligned(align, align + size);
  if (!raw)
    outOfMemory(size);
  Header *h = headerOf(static_cast<char *>(raw) + align);
  h->size = size;
  h->align = align;
  h->next = nullptr;
  return h;
}

void *allocate(size_t size, size_t align) {
  if (align < kMinAlign)
    align = kMinAlign;
  while (align & (align - 1)) // MLIR passes powers of two; be safe
    align += align & -align;
  if (size > SIZE_MAX - kMinAlign)
    outOfMemory(size);
  size = (size + kMinAlign - 1) & ~(kMinAlign - 1);
  if (size == 0)
    size = kMinAlign;
  Pool &p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    ++p.liveBlocks;
    auto it = p.idle.find(classKey(size, align));
    if (it != p.idle.end() && it->second) {
      Header *h = it->second;
      it->second = h->next;
      ++p.reuses;
      --p.idleBlocks;
      p.idleBytes -= static_cast<int64_t>(size);
      return payloadOf(h);
    }
  }
  p.systemAllocs.fetch_add(1, std::memory_order_relaxed);
  return payloadOf(systemBlock(size, align));
}

} // namespace

Stats stats() {
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  Stats s;
  s.systemAllocs = p.systemAllocs.load(std::memory_order_relaxed);
  s.reuses = p.reuses;
  s.liveBlocks = p.liveBlocks;
  s.idleBlocks = p.idleBlocks;
  s.idleBytes = p.idleBytes;
  return s;
}

void trim() {
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto &[key, head] : p.idle)
    while (Header *h = head) {
      head = h->next;
      netc::rt::device::releaseAligned(reinterpret_cast<char *>(payloadOf(h)) -
                                       h->align);
    }
  p.idle.clear();
  p.idleBlocks = 0;
  p.idleBytes = 0;
}

} // namespace netc::rt::stepmem

using namespace netc::rt::stepmem;

extern "C" {

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return allocate(size, kMinAlign);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return allocate(size, alignment);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header *h = headerOf(ptr);
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  Header *&head = p.idle[classKey(h->size, h->align)];
  h->next = head;
  head = h;
  --p.liveBlocks;
  ++p.idleBlocks;
  p.idleBytes += static_cast<int64_t>(h->size);
}

int64_t netc_step_system_allocs(void) {
  return pool().systemAllocs.load(std::memory_order_relaxed);
}

} // extern "C"
