//===- Device.h - Device backends and the buffers they allocate -*- C++ -*-===//
//
// A program built for an accelerator (`netc build --target cuda`) links a
// backend library (runtime/lib/cuda) whose static initializer registers a
// Backend here. main() activates it when the program's netc_target_device
// names it; from then on every buffer the runtime hands to compiled code
// (AlignedArray, netc/AlignedBuffer.h) and every step temporary
// (netc/StepMemory.h) comes from the backend's allocator -- CUDA managed
// memory, valid on host and device. Without an active backend both use
// plain aligned host memory, exactly as before. docs/design.md, "The cuda
// target (runtime)", explains the design.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DEVICE_H
#define NETC_DEVICE_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace netc::rt::device {

/// One device backend. Every function is called only after `init` succeeded
/// (except `init` itself).
struct Backend {
  const char *name; ///< the target's name: "cuda"
  /// Loads the driver, picks the device; false with a one-line reason
  /// ("no CUDA device") when this machine cannot run the target.
  bool (*init)(std::string &reason);
  /// `bytes` of memory valid on host and device, aligned to at least 256
  /// bytes; null when the device is out of memory.
  void *(*allocate)(size_t bytes);
  void (*release)(void *p);
  /// Waits until all work enqueued on the device is complete.
  void (*synchronize)();
  /// The device's name ("NVIDIA H200") for results.json.
  std::string (*deviceName)();
  /// The device's memory in bytes (null or 0: unknown). The start-up memory
  /// check (netc/Memory.h) refuses a program whose estimate exceeds it:
  /// asking a GPU for more managed memory than it has can hang it.
  int64_t (*totalMemory)() = nullptr;
};

/// Adds a backend (called from a backend library's static initializer);
/// a second backend of the same name replaces the first.
void registerBackend(const Backend &backend);
/// The registered backend called `name`, or null.
const Backend *findBackend(const std::string &name);

/// Initializes the backend called `name` and makes it the active one. False
/// with the reason when none is registered or its init fails. Call it before
/// the runtime allocates any buffer: memory is freed by whichever allocator
/// is active when it is freed.
bool activate(const std::string &name, std::string &reason);
/// Back to plain host memory (tests; every buffer of the backend must be
/// freed first).
void deactivate();

namespace detail {
extern std::atomic<const Backend *> activeBackend;
}

/// The active backend, or null (plain host memory).
inline const Backend *active() {
  return detail::activeBackend.load(std::memory_order_acquire);
}

/// `bytes` aligned to `align` (a power of two, at least 16): posix_memalign
/// without an active backend, else from the backend. Null when out of
/// memory.
void *allocateAligned(size_t align, size_t bytes);
/// Frees what allocateAligned returned (null is ignored).
void releaseAligned(void *p);

} // namespace netc::rt::device

#endif // NETC_DEVICE_H
