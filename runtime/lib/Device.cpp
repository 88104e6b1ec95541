//===- Device.cpp - The device backend registry and its allocator ---------===//
//
// Backends register from static initializers, which run in no fixed order
// relative to ours: the registry is a function-local static. The allocator
// hooks cost one atomic load when no backend is active.
//
//===----------------------------------------------------------------------===//
#include "netc/Device.h"

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace netc::rt::device {

std::atomic<const Backend *> detail::activeBackend{nullptr};

namespace {

struct Registry {
  std::mutex mutex;
  std::deque<Backend> backends; // stable addresses; replaced in place
};

Registry &registry() {
  static Registry *r = new Registry; // outlives every static destructor
  return *r;
}

/// A backend block: `align` bytes more than asked, the payload rounded up
/// to `align` past the backend's pointer, which the word before the payload
/// keeps for releaseAligned.
void *backendAllocate(const Backend &b, size_t align, size_t bytes) {
  if (bytes > SIZE_MAX - align)
    return nullptr;
  char *raw = static_cast<char *>(b.allocate(bytes + align));
  if (!raw)
    return nullptr;
  const uintptr_t payload =
      (reinterpret_cast<uintptr_t>(raw) + sizeof(void *) + align - 1) &
      ~static_cast<uintptr_t>(align - 1);
  reinterpret_cast<void **>(payload)[-1] = raw;
  return reinterpret_cast<void *>(payload);
}

} // namespace

void registerBackend(const Backend &backend) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (Backend &b : r.backends)
    if (std::string(b.name) == backend.name) {
      b = backend;
      return;
    }
  r.backends.push_back(backend);
}

const Backend *findBackend(const std::string &name) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const Backend &b : r.backends)
    if (name == b.name)
      return &b;
  return nullptr;
}

bool activate(const std::string &name, std::string &reason) {
  const Backend *b = findBackend(name);
  if (!b) {
    reason = "the program has no '" + name + "' backend linked in";
    return false;
  }
  if (!b->init(reason))
    return false;
  detail::activeBackend.store(b, std::memory_order_release);
  return true;
}

void deactivate() {
  detail::activeBackend.store(nullptr, std::memory_order_release);
}

void *allocateAligned(size_t align, size_t bytes) {
  if (const Backend *b = active())
    return backendAllocate(*b, align, bytes);
  void *p = nullptr;
  return posix_memalign(&p, align, bytes) == 0 ? p : nullptr;
}

void releaseAligned(void *p) {
  if (!p)
    return;
  if (const Backend *b = active())
    return b->release(static_cast<void **>(p)[-1]);
  std::free(p);
}

} // namespace netc::rt::device
