// A stand-in for libcuda.so.1 (CudaTest). By default it is a driver that
// finds no device: cuInit says CUDA_ERROR_NO_DEVICE, as NVIDIA's driver does
// when it finds none. With NETC_FAKE_CUDA=device it shows one device, "Fake
// GPU", whose managed-memory attributes (NETC_FAKE_CUDA_MANAGED,
// NETC_FAKE_CUDA_CONCURRENT: 0 or 1, default 1) and memory
// (NETC_FAKE_CUDA_MEMORY bytes, default 1 GiB) the environment sets; its
// kernels launch and every stream synchronization reports
// CUDA_ERROR_ILLEGAL_ADDRESS (an error of the kernel launched before).
// Every other entry point the runtime resolves exists (an alias of a stub
// that fails) so that loading succeeds.
#include <cuda.h>

#include <cstdlib>
#include <cstring>

namespace {

bool hasDevice() {
  const char *mode = std::getenv("NETC_FAKE_CUDA");
  return mode && std::strcmp(mode, "device") == 0;
}

long long envNumber(const char *name, long long fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

int fakeObject; // what the fake handles point at

} // namespace

extern "C" {

CUresult CUDAAPI cuInit(unsigned int) {
  return hasDevice() ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

CUresult CUDAAPI cuGetErrorName(CUresult error, const char **name) {
  *name = error == CUDA_ERROR_NO_DEVICE         ? "CUDA_ERROR_NO_DEVICE"
          : error == CUDA_ERROR_ILLEGAL_ADDRESS ? "CUDA_ERROR_ILLEGAL_ADDRESS"
                                                : "CUDA_ERROR_NOT_SUPPORTED";
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGetErrorString(CUresult error, const char **text) {
  *text = error == CUDA_ERROR_NO_DEVICE ? "no CUDA-capable device is detected"
          : error == CUDA_ERROR_ILLEGAL_ADDRESS
              ? "an illegal memory access was encountered"
              : "operation not supported";
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetCount(int *count) {
  *count = hasDevice() ? 1 : 0;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult CUDAAPI cuDeviceGetName(char *name, int len, CUdevice) {
  std::strncpy(name, "Fake GPU", size_t(len));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                                      CUdevice) {
  *value = 0;
  if (attribute == CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY)
    *value = int(envNumber("NETC_FAKE_CUDA_MANAGED", 1));
  else if (attribute == CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS)
    *value = int(envNumber("NETC_FAKE_CUDA_CONCURRENT", 1));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceTotalMem(size_t *bytes, CUdevice) {
  *bytes = size_t(envNumber("NETC_FAKE_CUDA_MEMORY", 1LL << 30));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  *context = reinterpret_cast<CUcontext>(&fakeObject);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }

CUresult CUDAAPI cuStreamCreate(CUstream *stream, unsigned int) {
  *stream = reinterpret_cast<CUstream>(&fakeObject);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleLoadData(CUmodule *module, const void *) {
  *module = reinterpret_cast<CUmodule>(&fakeObject);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleGetFunction(CUfunction *function, CUmodule,
                                     const char *) {
  *function = reinterpret_cast<CUfunction>(&fakeObject);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned,
                                unsigned, unsigned, unsigned, unsigned,
                                CUstream, void **, void **) {
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamSynchronize(CUstream) {
  return CUDA_ERROR_ILLEGAL_ADDRESS;
}

int netcFakeCudaStub() { return CUDA_ERROR_NOT_SUPPORTED; }

} // extern "C"

// The rest of runtime/lib/cuda/DriverFunctions.def, under the names cuda.h
// gives them (cuMemAlloc is cuMemAlloc_v2).
#define NETC_STR2(x) #x
#define NETC_STR(x) NETC_STR2(x)
#define NETC_FAKE(name)                                                        \
  asm(".globl " NETC_STR(name) "\n.type " NETC_STR(                            \
      name) ",@function\n.set " NETC_STR(name) ", netcFakeCudaStub\n");
NETC_FAKE(cuDriverGetVersion)
NETC_FAKE(cuCtxGetCurrent)
NETC_FAKE(cuCtxSynchronize)
NETC_FAKE(cuMemAlloc)
NETC_FAKE(cuMemAllocManaged)
NETC_FAKE(cuMemFree)
NETC_FAKE(cuMemcpyAsync)
NETC_FAKE(cuMemsetD32Async)
NETC_FAKE(cuMemsetD16Async)
NETC_FAKE(cuMemHostRegister)
NETC_FAKE(cuMemHostUnregister)
NETC_FAKE(cuStreamWaitEvent)
NETC_FAKE(cuEventCreate)
NETC_FAKE(cuEventDestroy)
NETC_FAKE(cuEventRecord)
NETC_FAKE(cuEventSynchronize)
NETC_FAKE(cuModuleLoadDataEx)
NETC_FAKE(cuModuleUnload)
