//===- Mgpu.cpp - MLIR's GPU runtime entry points over the driver ---------===//
//
// MLIR 19's gpu-to-llvm lowering and gpu.binary translation call these
// `mgpu*` functions (llvm-project release/19.x, mlir/lib/ExecutionEngine/
// CudaRuntimeWrappers.cpp, is the reference for names and C signatures;
// Debian ships no libmlir_cuda_runtime). Differences from the reference,
// all inside the contract (docs/design.md, "The cuda target (runtime)"):
//  - mgpuStreamCreate returns the process's one compute stream and
//    mgpuStreamDestroy of it does nothing;
//  - modules are loaded once per blob and kept: LLVM 19 emits a load and an
//    unload around every launch, and JIT-compiling PTX each time would cost
//    more than the kernel; mgpuModuleUnload is a no-op;
//  - mgpuMemAlloc always returns managed memory (host code may read it);
//  - a failed call aborts with its name instead of printing and going on;
//    launch and execution errors name the kernel (the last one launched:
//    its error may show only at the next synchronization).
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

using namespace netc::rt::cuda;

namespace {

/// The driver, initialized, with its context current on this thread.
DriverApi &api() {
  makeCurrent();
  return driver().api;
}

struct ModuleCache {
  std::mutex mutex;
  std::unordered_map<const void *, CUmodule> modules;
};

ModuleCache &moduleCache() {
  static ModuleCache *c = new ModuleCache; // kept until exit
  return *c;
}

/// The module of the blob at `data` (cubin, fatbin or NUL-terminated PTX),
/// loaded on first use with `load`.
template <typename Load> CUmodule cachedModule(const void *data, Load load) {
  ModuleCache &c = moduleCache();
  std::lock_guard<std::mutex> lock(c.mutex);
  CUmodule &m = c.modules[data];
  if (!m)
    m = load();
  return m;
}

/// The kernel name of every CUfunction mgpuModuleGetFunction returned (the
/// strings stay where they are: error messages point at them).
struct KernelNames {
  std::mutex mutex;
  std::unordered_map<CUfunction, std::string> names;
};

KernelNames &kernelNames() {
  static KernelNames *k = new KernelNames; // kept until exit
  return *k;
}

const char *rememberName(CUfunction f, const char *name) {
  KernelNames &k = kernelNames();
  std::lock_guard<std::mutex> lock(k.mutex);
  std::string &s = k.names[f];
  if (s.empty())
    s = name;
  return s.c_str();
}

const char *nameOf(CUfunction f) {
  KernelNames &k = kernelNames();
  std::lock_guard<std::mutex> lock(k.mutex);
  auto it = k.names.find(f);
  return it == k.names.end() ? "an unnamed kernel" : it->second.c_str();
}

/// MLIR's memref descriptor of any rank: sizes then strides follow offset.
struct MemRefHeader {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes[1]; // [rank] sizes, then [rank] strides
};

uint64_t denseBytes(int64_t rank, const MemRefHeader *d, int64_t elemBytes) {
  uint64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= static_cast<uint64_t>(d->sizes[i]);
  return count * static_cast<uint64_t>(elemBytes);
}

} // namespace

extern "C" {

CUmodule mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  return cachedModule(data, [&] {
    CUmodule m = nullptr;
    NETC_CU(api().cuModuleLoadData(&m, data));
    return m;
  });
}

CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  return cachedModule(data, [&] {
    CUmodule m = nullptr;
    char log[4096] = {0};
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                              CU_JIT_OPTIMIZATION_LEVEL};
    void *values[] = {
        log, reinterpret_cast<void *>(sizeof(log)),
        reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
    CUresult r = api().cuModuleLoadDataEx(&m, data, 3, options, values);
    if (r != CUDA_SUCCESS)
      fatal("CUDA error: cuModuleLoadDataEx (JIT of the program's PTX): " +
            describe(r) + "\n" + log);
    return m;
  });
}

void mgpuModuleUnload(CUmodule /*module*/) {}

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  CUfunction f = nullptr;
  CUresult r = api().cuModuleGetFunction(&f, module, name);
  if (r != CUDA_SUCCESS)
    fatal(std::string("CUDA error: cuModuleGetFunction(") + name +
          "): " + describe(r));
  rememberName(f, name);
  return f;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, CUstream stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  noteLaunch(nameOf(function));
  CUresult r =
      api().cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                           blockZ, smem, stream, params, extra);
  if (r != CUDA_SUCCESS)
    fatal("CUDA error: cuLaunchKernel(" + std::string(nameOf(function)) +
          ", grid " + std::to_string(gridX) + "x" + std::to_string(gridY) +
          "x" + std::to_string(gridZ) + ", block " + std::to_string(blockX) +
          "x" + std::to_string(blockY) + "x" + std::to_string(blockZ) +
          "): " + describe(r));
}

CUstream mgpuStreamCreate() {
  makeCurrent();
  return driver().stream;
}

void mgpuStreamDestroy(CUstream /*stream*/) {}

void mgpuStreamSynchronize(CUstream stream) {
  NETC_CU(api().cuStreamSynchronize(stream));
}

void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  NETC_CU(api().cuStreamWaitEvent(stream, event, 0));
}

CUevent mgpuEventCreate() {
  CUevent event = nullptr;
  NETC_CU(api().cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  return event;
}

void mgpuEventDestroy(CUevent event) { NETC_CU(api().cuEventDestroy(event)); }

void mgpuEventSynchronize(CUevent event) {
  NETC_CU(api().cuEventSynchronize(event));
}

void mgpuEventRecord(CUevent event, CUstream stream) {
  NETC_CU(api().cuEventRecord(event, stream));
}

void *mgpuMemAlloc(uint64_t sizeBytes, CUstream /*stream*/,
                   bool /*isHostShared*/) {
  CUdeviceptr p = 0;
  NETC_CU(api().cuMemAllocManaged(&p, sizeBytes ? sizeBytes : 1,
                                  CU_MEM_ATTACH_GLOBAL));
  return reinterpret_cast<void *>(p);
}

void mgpuMemFree(void *ptr, CUstream stream) {
  // Work enqueued before the free may still use the memory.
  NETC_CU(api().cuStreamSynchronize(stream ? stream : driver().stream));
  NETC_CU(api().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)));
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, CUstream stream) {
  NETC_CU(api().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                              reinterpret_cast<CUdeviceptr>(src), sizeBytes,
                              stream));
}

void mgpuMemset32(void *dst, unsigned int value, size_t count,
                  CUstream stream) {
  NETC_CU(api().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                 count, stream));
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  CUstream stream) {
  NETC_CU(api().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                 count, stream));
}

void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  NETC_CU(api().cuMemHostRegister(ptr, sizeBytes, 0));
}

void mgpuMemHostRegisterMemRef(int64_t rank, MemRefHeader *descriptor,
                               int64_t elementSizeBytes) {
  mgpuMemHostRegister(descriptor->aligned +
                          descriptor->offset * elementSizeBytes,
                      denseBytes(rank, descriptor, elementSizeBytes));
}

void mgpuMemHostUnregister(void *ptr) {
  NETC_CU(api().cuMemHostUnregister(ptr));
}

void mgpuMemHostUnregisterMemRef(int64_t /*rank*/, MemRefHeader *descriptor,
                                 int64_t elementSizeBytes) {
  mgpuMemHostUnregister(descriptor->aligned +
                        descriptor->offset * elementSizeBytes);
}

void mgpuSetDefaultDevice(int32_t device) {
  if (device != 0)
    fatal("mgpuSetDefaultDevice(" + std::to_string(device) +
          "): a netc program uses one device (select it with "
          "CUDA_VISIBLE_DEVICES)");
}

} // extern "C"
