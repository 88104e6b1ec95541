// A stand-in for libcuda.so.1 on a machine with a driver and no GPU
// (CudaTest): cuInit says CUDA_ERROR_NO_DEVICE, as NVIDIA's driver does when
// it finds no device; every other entry point the runtime resolves exists
// (an alias of a stub that fails) so that loading succeeds.
#include <cuda.h>

extern "C" {

CUresult CUDAAPI cuInit(unsigned int) { return CUDA_ERROR_NO_DEVICE; }

CUresult CUDAAPI cuGetErrorName(CUresult error, const char **name) {
  *name = error == CUDA_ERROR_NO_DEVICE ? "CUDA_ERROR_NO_DEVICE"
                                        : "CUDA_ERROR_NOT_SUPPORTED";
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGetErrorString(CUresult error, const char **text) {
  *text = error == CUDA_ERROR_NO_DEVICE ? "no CUDA-capable device is detected"
                                        : "operation not supported";
  return CUDA_SUCCESS;
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
NETC_FAKE(cuDeviceGetCount)
NETC_FAKE(cuDeviceGet)
NETC_FAKE(cuDeviceGetName)
NETC_FAKE(cuDevicePrimaryCtxRetain)
NETC_FAKE(cuCtxSetCurrent)
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
NETC_FAKE(cuStreamCreate)
NETC_FAKE(cuStreamSynchronize)
NETC_FAKE(cuStreamWaitEvent)
NETC_FAKE(cuEventCreate)
NETC_FAKE(cuEventDestroy)
NETC_FAKE(cuEventRecord)
NETC_FAKE(cuEventSynchronize)
NETC_FAKE(cuModuleLoadData)
NETC_FAKE(cuModuleLoadDataEx)
NETC_FAKE(cuModuleUnload)
NETC_FAKE(cuModuleGetFunction)
NETC_FAKE(cuLaunchKernel)
