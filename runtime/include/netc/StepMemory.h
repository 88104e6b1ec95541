//===- StepMemory.h - The compiled steps' caching allocator -----*- C++ -*-===//
//
// Compiled train and evaluate steps allocate their temporaries with
// memref.alloc, which the compiler lowers to calls of MLIR's generic
// allocation functions (finalize-memref-to-llvm with use-generic-functions
// and use-aligned-alloc). The runtime defines them here as a caching
// allocator: a freed block goes to a free list of its exact size and
// alignment and serves the next request of that size, so from the second
// step of a kernel on, a step takes every temporary from the cache and
// neither calls the system allocator nor touches fresh pages.
// docs/design.md, "Step memory", explains the design.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_STEPMEMORY_H
#define NETC_STEPMEMORY_H

#include <cstddef>
#include <cstdint>

extern "C" {
/// memref.alloc without an alignment (MLIR's generic name).
void *_mlir_memref_to_llvm_alloc(size_t size);
/// memref.alloc with an alignment, a power of two (MLIR's generic name).
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
/// memref.dealloc of either (MLIR's generic name); null is ignored.
void _mlir_memref_to_llvm_free(void *ptr);
/// How many blocks the allocator has taken from the system so far (the
/// cache missed); --bench-steps prints its increase per timed step.
int64_t netc_step_system_allocs(void);
}

namespace netc::rt::stepmem {

/// Every block's payload is aligned to at least this (a cache line, the
/// widest vector).
constexpr size_t kMinAlign = 64;

struct Stats {
  int64_t systemAllocs = 0; ///< blocks taken from the system (cache misses)
  int64_t reuses = 0;       ///< requests served from a free list
  int64_t liveBlocks = 0;   ///< allocated and not yet freed
  int64_t idleBlocks = 0;   ///< in the free lists
  int64_t idleBytes = 0;    ///< payload bytes in the free lists
};

Stats stats();

/// Returns every idle block to the system (the next allocation of each size
/// misses again). Blocks in use are untouched.
void trim();

} // namespace netc::rt::stepmem

#endif // NETC_STEPMEMORY_H
