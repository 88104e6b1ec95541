//===- AlignedBuffer.h - 64-byte aligned float/double arrays ----*- C++ -*-===//
//
// Generated code may use aligned vector loads on params, state and
// workspace, so those buffers start on a cache line (AVX-512 width).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_ALIGNEDBUFFER_H
#define NETC_ALIGNEDBUFFER_H

#include "netc/Abi.h"
#include "netc/Device.h"
#include "netc/MemoryEstimate.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace netc::rt {

/// std::bad_alloc that says how much was asked for.
class AllocationError : public std::bad_alloc {
public:
  explicit AllocationError(int64_t floats)
      : message("cannot allocate " +
                (floats < 0 ? std::string("a negative size")
                            : memory::formatBytes(
                                  memory::mul(floats, memory::kFloatBytes))) +
                " (" + std::to_string(floats) + " floats)") {}
  const char *what() const noexcept override { return message.c_str(); }

private:
  std::string message;
};

/// The MLIR rank-1 memref descriptor the ABI passes for elements of type T.
template <typename T> struct BufDescriptor;
template <> struct BufDescriptor<float> { using type = netc_buf; };
template <> struct BufDescriptor<double> { using type = netc_buf_f64; };

template <typename T> class AlignedArray {
public:
  AlignedArray() = default;
  explicit AlignedArray(int64_t count) : count(count) {
    // A size whose byte count overflows would wrap to a small buffer.
    if (count < 0 || count > (INT64_MAX - 128) / int64_t(sizeof(T)))
      throw AllocationError(count);
    // Round up: aligned_alloc wants a multiple of the alignment; never 0.
    const size_t bytes =
        (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64 + 64;
    // Plain aligned host memory, or the active device backend's (managed
    // memory in a cuda program: netc/Device.h).
    data.reset(static_cast<T *>(device::allocateAligned(64, bytes)));
    if (!data)
      throw AllocationError(count);
    std::memset(data.get(), 0, bytes);
  }
  T *get() const { return data.get(); }
  int64_t size() const { return count; }
  T &operator[](int64_t i) const { return data.get()[i]; }
  /// The MLIR rank-1 memref descriptor the ABI passes.
  typename BufDescriptor<T>::type descriptor() const {
    return {get(), get(), 0, count, 1};
  }

private:
  struct Free {
    void operator()(T *p) const { device::releaseAligned(p); }
  };
  std::unique_ptr<T, Free> data;
  int64_t count = 0;
};

using AlignedBuffer = AlignedArray<float>;

} // namespace netc::rt

#endif // NETC_ALIGNEDBUFFER_H
