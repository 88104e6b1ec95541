//===- Backend.cpp - The cuda device backend and its registration ---------===//
//
// Registered from a static initializer; programs link this library with
// --whole-archive so the linker keeps this object although nothing refers
// to it. main() activates the backend (netc/Device.h) when the program was
// built for --target cuda.
//
//===----------------------------------------------------------------------===//
#include "Backend.h"
#include "Libraries.h"

namespace netc::rt::cuda {
namespace {

bool init(std::string &reason) {
  return initDriver(reason) && initLibraries(reason);
}

void *allocate(size_t bytes) {
  makeCurrent();
  CUdeviceptr p = 0;
  // Global attach: valid on the host and on the device at any time.
  if (driver().api.cuMemAllocManaged(&p, bytes ? bytes : 1,
                                     CU_MEM_ATTACH_GLOBAL) != CUDA_SUCCESS)
    return nullptr;
  return reinterpret_cast<void *>(p);
}

void release(void *p) {
  makeCurrent();
  // Work still queued may read or write it.
  NETC_CU(driver().api.cuStreamSynchronize(driver().stream));
  NETC_CU(driver().api.cuMemFree(reinterpret_cast<CUdeviceptr>(p)));
}

void synchronizeDevice() {
  makeCurrent();
  synchronize();
}

std::string deviceName() { return driver().deviceName; }

int64_t totalMemory() { return int64_t(driver().totalMemory); }

const device::Backend theBackend{
    "cuda",     init,       allocate, release, synchronizeDevice,
    deviceName, totalMemory};

const bool registered = [] {
  device::registerBackend(theBackend);
  return true;
}();

} // namespace

const device::Backend &backend() {
  (void)registered;
  return theBackend;
}

} // namespace netc::rt::cuda
