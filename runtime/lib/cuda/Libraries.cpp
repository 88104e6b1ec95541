//===- Libraries.cpp - cuDNN and cuBLAS for the cuda kernels --------------===//
#include "Libraries.h"

#include <array>
#include <cstdlib>
#include <cstring>

namespace netc::rt::cuda {
namespace {

struct Handles {
  cudnnHandle_t dnn = nullptr;
  cublasHandle_t blas = nullptr;
};
Handles handles;

struct Buffer {
  CUdeviceptr p = 0;
  size_t bytes = 0;
};
std::array<Buffer, size_t(Scratch::Count)> buffers;
std::mutex kernels;

} // namespace

bool allowTf32() {
  static const bool allowed = [] {
    const char *v = std::getenv("NETC_ALLOW_TF32");
    return v && std::strcmp(v, "1") == 0;
  }();
  return allowed;
}

namespace {

/// The handles made so far destroyed: a failed init keeps nothing.
bool initFailed(Handles &made, std::string &reason, const std::string &what) {
  if (made.blas)
    cublasDestroy(made.blas);
  if (made.dnn)
    cudnnDestroy(made.dnn);
  reason = what;
  return false;
}

} // namespace

bool initLibraries(std::string &reason) {
  if (handles.dnn && handles.blas)
    return true;
  makeCurrent();
  CUstream stream = driver().stream;
  Handles made;
  if (cudnnStatus_t s = cudnnCreate(&made.dnn); s != CUDNN_STATUS_SUCCESS) {
    made.dnn = nullptr;
    return initFailed(made, reason,
                      std::string("cudnnCreate failed: ") +
                          cudnnGetErrorString(s));
  }
  if (cublasStatus_t s = cublasCreate(&made.blas); s != CUBLAS_STATUS_SUCCESS) {
    made.blas = nullptr;
    return initFailed(made, reason,
                      std::string("cublasCreate failed: ") +
                          cublasGetStatusString(s));
  }
  // CUstream and cudaStream_t are the same type (CUstream_st *).
  // Without TF32, cuBLAS's default math uses plain FP32 FMA; pedantic would
  // also forbid reduced-precision reductions, which FP32 gemm never uses.
  const cublasMath_t math =
      allowTf32() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH;
  if (cudnnStatus_t s = cudnnSetStream(made.dnn, stream);
      s != CUDNN_STATUS_SUCCESS)
    return initFailed(made, reason,
                      std::string("cudnnSetStream failed: ") +
                          cudnnGetErrorString(s));
  cublasStatus_t s = cublasSetStream(made.blas, stream);
  if (s == CUBLAS_STATUS_SUCCESS)
    s = cublasSetMathMode(made.blas, math);
  if (s != CUBLAS_STATUS_SUCCESS)
    return initFailed(made, reason,
                      std::string("cublasSetStream/SetMathMode failed: ") +
                          cublasGetStatusString(s));
  handles = made;
  return true;
}

cudnnHandle_t dnn() { return handles.dnn; }
cublasHandle_t blas() { return handles.blas; }

void checkDnn(cudnnStatus_t status, const char *call) {
  if (status != CUDNN_STATUS_SUCCESS)
    fatal(std::string("cuDNN error: ") + call + ": " +
          cudnnGetErrorString(status) + lastLaunchNote());
}

void checkBlas(cublasStatus_t status, const char *call) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fatal(std::string("cuBLAS error: ") + call + ": " +
          cublasGetStatusName(status) + " (" + cublasGetStatusString(status) +
          ")" + lastLaunchNote());
}

void *scratch(Scratch which, size_t bytes) {
  Buffer &b = buffers[size_t(which)];
  if (bytes > b.bytes) {
    DriverApi &api = driver().api;
    if (b.p) // the previous kernel synchronized: nothing uses it
      NETC_CU(api.cuMemFree(b.p));
    b.p = 0;
    b.bytes = 0;
    const size_t grown = bytes + bytes / 4; // fewer regrowths
    NETC_CU(api.cuMemAlloc(&b.p, grown));
    b.bytes = grown;
  }
  return reinterpret_cast<void *>(b.p);
}

std::unique_lock<std::mutex> kernelLock(const char *kernel) {
  std::unique_lock<std::mutex> lock(kernels);
  makeCurrent();
  if (kernel)
    noteLaunch(kernel);
  return lock;
}

void synchronize() {
  NETC_CU(driver().api.cuStreamSynchronize(driver().stream));
}

void fill(void *p, size_t count, unsigned bits) {
  NETC_CU(driver().api.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(p), bits,
                                        count, driver().stream));
}

cudnnTensorDescriptor_t nhwcWindow(int64_t n, int64_t c, int64_t h, int64_t w,
                                   int64_t rowStride, int64_t imageStride) {
  cudnnTensorDescriptor_t d = nullptr;
  NETC_DNN(cudnnCreateTensorDescriptor(&d));
  NETC_DNN(cudnnSetTensor4dDescriptorEx(d, CUDNN_DATA_FLOAT, int(n), int(c),
                                        int(h), int(w), int(imageStride), 1,
                                        int(rowStride), int(c)));
  return d;
}

cudnnTensorDescriptor_t nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
  return nhwcWindow(n, c, h, w, w * c, h * w * c);
}

void PadDescriptors::make(const PadShape &s) {
  plain = nhwc(s.n, s.c, s.h, s.w);
  window = nhwcWindow(s.n, s.c, s.h, s.w, s.paddedW() * s.c,
                      s.paddedH() * s.paddedW() * s.c);
  padded = nhwc(s.n, s.c, s.paddedH(), s.paddedW());
}

void padInto(const PadShape &s, const PadDescriptors &d, const float *x,
             float *padded, unsigned bits) {
  fill(padded, s.paddedFloats(), bits);
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnTransformTensor(dnn(), &one, d.plain, x, &zero, d.window,
                                padded + s.windowOffset()));
}

void cropFrom(const PadShape &s, const PadDescriptors &d, const float *padded,
              float *out) {
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnTransformTensor(
      dnn(), &one, d.window, padded + s.windowOffset(), &zero, d.plain, out));
}

cudnnTensorDescriptor_t inputDescriptor(const PadShape &s, PadDescriptors &d) {
  if (s.pt == s.pb && s.pl == s.pr)
    return nhwc(s.n, s.c, s.h, s.w);
  d.make(s);
  return d.padded;
}

} // namespace netc::rt::cuda
