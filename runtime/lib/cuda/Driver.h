//===- Driver.h - The CUDA driver API, loaded at run time -------*- C++ -*-===//
//
// The runtime links no libcuda: a program built for --target cuda must start
// (and say clearly that it cannot run) on a machine without NVIDIA's driver.
// Driver::load() dlopens libcuda.so.1 and resolves the few entry points the
// runtime uses; everything else of the cuda backend calls through it. One
// process, one device (its primary context), one compute stream.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CUDA_DRIVER_H
#define NETC_CUDA_DRIVER_H

#include <cuda.h>

#include <string>

namespace netc::rt::cuda {

/// Entry points of libcuda.so.1. The names are cuda.h's, so versioned ones
/// (cuMemAlloc -> cuMemAlloc_v2) resolve to the symbol cuda.h declares.
struct DriverApi {
#define NETC_CU_FN(name) decltype(&::name) name = nullptr;
#include "DriverFunctions.def"
};

/// The loaded driver, the device and its stream. Valid after init().
struct Driver {
  DriverApi api;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  std::string deviceName;
  size_t totalMemory = 0; ///< cuDeviceTotalMem: the device's memory
};

/// Loads libcuda.so.1 (from `library`, for tests), initializes it, retains
/// device 0's primary context (CUDA_VISIBLE_DEVICES selects the devices the
/// driver shows) and creates the compute stream. False with a one-line
/// reason on failure: "no CUDA driver (libcuda.so.1) on this machine", "no
/// CUDA device", a device without the managed memory the runtime needs
/// (CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY and _CONCURRENT_MANAGED_ACCESS), or
/// the call that failed. Idempotent after success.
bool initDriver(std::string &reason, const char *library = "libcuda.so.1");

/// The initialized driver (aborts if initDriver has not succeeded).
Driver &driver();

/// Makes the device's primary context current on the calling thread (once
/// per thread).
void makeCurrent();

/// Aborts with "netc runtime: CUDA error: <call>: <name> (<description>)"
/// unless `result` is CUDA_SUCCESS; once a kernel was launched, the message
/// names the last one (an error of an asynchronous launch shows in a later
/// call, typically cuStreamSynchronize).
void check(CUresult result, const char *call);

/// Remembers `kernel` (a string that lives as long as the process) as the
/// last kernel launched: the compiled program's kernels (mgpuLaunchKernel)
/// and the netc_cuda_* library kernels.
void noteLaunch(const char *kernel);
/// "; the last kernel launched was <name>", or "" before any launch.
std::string lastLaunchNote();

/// Tests only: forgets the initialized driver so that initDriver loads
/// another (a stand-in) one. Nothing of the old one may be in use.
void resetDriverForTests();

/// "CUDA_ERROR_X (description)" for a driver result.
std::string describe(CUresult result);

/// Prints "netc runtime: <what>" and aborts: a failed device call leaves
/// nothing a compiled step could recover from.
[[noreturn]] void fatal(const std::string &what);

} // namespace netc::rt::cuda

#define NETC_CU(call) ::netc::rt::cuda::check(call, #call)

#endif // NETC_CUDA_DRIVER_H
