//===- Driver.cpp - The CUDA driver API, loaded at run time ---------------===//
#include "Driver.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

#define NETC_STR2(x) #x
#define NETC_STR(x) NETC_STR2(x)

namespace netc::rt::cuda {
namespace {

Driver state;
bool ready = false;
std::mutex initMutex;
std::atomic<const char *> lastKernel{nullptr};

/// Resolves every entry point of DriverFunctions.def; false with the first
/// missing one's name in `missing`.
bool resolve(void *lib, DriverApi &api, std::string &missing) {
  auto load = [&](auto &fn, const char *symbol) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(lib, symbol));
    if (!fn && missing.empty())
      missing = symbol;
  };
#define NETC_CU_FN(name) load(api.name, NETC_STR(name));
#include "DriverFunctions.def"
  return missing.empty();
}

/// A failed call during init: its name and the driver's description.
bool failed(std::string &reason, const char *call, CUresult r) {
  reason = std::string(call) + " failed: " + describe(r);
  return false;
}

/// What the runtime needs of the device beyond running kernels: managed
/// memory (every buffer is managed), which host threads may touch while
/// kernels run (the data loader's prefetch thread writes the next batch
/// during a step), and its size for the start-up memory check.
bool checkDevice(std::string &reason) {
  DriverApi &api = state.api;
  const std::string device = "device 0 (" + state.deviceName + ")";
  int managed = 0, concurrent = 0;
  if (CUresult r = api.cuDeviceGetAttribute(
          &managed, CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, state.device);
      r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceGetAttribute(MANAGED_MEMORY)", r);
  if (!managed) {
    reason = device + " has no managed memory "
                      "(CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY is 0), which "
                      "every buffer of a netc program uses";
    return false;
  }
  if (CUresult r = api.cuDeviceGetAttribute(
          &concurrent, CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS,
          state.device);
      r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceGetAttribute(CONCURRENT_MANAGED_ACCESS)", r);
  if (!concurrent) {
    reason = device + " cannot share managed memory with the host while "
                      "kernels run (CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_"
                      "ACCESS is 0: Windows, WSL or a GPU older than "
                      "Pascal); the data loader writes the next batch "
                      "during a step";
    return false;
  }
  if (CUresult r = api.cuDeviceTotalMem(&state.totalMemory, state.device);
      r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceTotalMem", r);
  return true;
}

bool openDevice(std::string &reason) {
  DriverApi &api = state.api;
  // cuInit fails with CUDA_ERROR_NO_DEVICE when the driver sees no GPU
  // (none present, or CUDA_VISIBLE_DEVICES names none).
  if (CUresult r = api.cuInit(0); r != CUDA_SUCCESS) {
    reason = "no CUDA device (cuInit: " + describe(r) + ")";
    return false;
  }
  int count = 0;
  if (CUresult r = api.cuDeviceGetCount(&count); r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceGetCount", r);
  if (count < 1) {
    reason = "no CUDA device";
    return false;
  }
  if (CUresult r = api.cuDeviceGet(&state.device, 0); r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceGet", r);
  char name[256] = {0};
  if (CUresult r = api.cuDeviceGetName(name, sizeof(name) - 1, state.device);
      r != CUDA_SUCCESS)
    return failed(reason, "cuDeviceGetName", r);
  state.deviceName = name;
  if (!checkDevice(reason))
    return false;
  // The primary context: the one cuBLAS and cuDNN (through the CUDA
  // runtime) use too.
  if (CUresult r = api.cuDevicePrimaryCtxRetain(&state.context, state.device);
      r != CUDA_SUCCESS)
    return failed(reason, "cuDevicePrimaryCtxRetain", r);
  if (CUresult r = api.cuCtxSetCurrent(state.context); r != CUDA_SUCCESS)
    return failed(reason, "cuCtxSetCurrent", r);
  if (CUresult r = api.cuStreamCreate(&state.stream, CU_STREAM_NON_BLOCKING);
      r != CUDA_SUCCESS)
    return failed(reason, "cuStreamCreate", r);
  return true;
}

} // namespace

std::string describe(CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (state.api.cuGetErrorName)
    state.api.cuGetErrorName(result, &name);
  if (state.api.cuGetErrorString)
    state.api.cuGetErrorString(result, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(int(result));
  if (text)
    s += std::string(" (") + text + ")";
  return s;
}

bool initDriver(std::string &reason, const char *library) {
  std::lock_guard<std::mutex> lock(initMutex);
  if (ready)
    return true;
  void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    reason = "no CUDA driver (" + std::string(library) + ") on this machine";
    return false;
  }
  std::string missing;
  if (!resolve(lib, state.api, missing)) {
    reason = "the CUDA driver (" + std::string(library) + ") lacks " + missing +
             ": it is older than CUDA 13 needs";
    state.api = DriverApi{};
    dlclose(lib);
    return false;
  }
  if (!openDevice(reason))
    return false;
  ready = true;
  return true;
}

Driver &driver() {
  if (!ready)
    fatal("internal error: a CUDA call before the device was initialized");
  return state;
}

void makeCurrent() {
  thread_local bool current = false;
  if (current)
    return;
  Driver &d = driver();
  check(d.api.cuCtxSetCurrent(d.context), "cuCtxSetCurrent");
  current = true;
}

void check(CUresult result, const char *call) {
  if (result != CUDA_SUCCESS)
    fatal(std::string("CUDA error: ") + call + ": " + describe(result) +
          lastLaunchNote());
}

void noteLaunch(const char *kernel) {
  lastKernel.store(kernel, std::memory_order_relaxed);
}

std::string lastLaunchNote() {
  const char *kernel = lastKernel.load(std::memory_order_relaxed);
  return kernel ? std::string("; the last kernel launched was ") + kernel
                : std::string();
}

void resetDriverForTests() {
  std::lock_guard<std::mutex> lock(initMutex);
  state = Driver{};
  ready = false;
  lastKernel.store(nullptr);
}

void fatal(const std::string &what) {
  std::fprintf(stderr, "netc runtime: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace netc::rt::cuda
