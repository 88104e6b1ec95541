//===- Libraries.h - cuDNN and cuBLAS for the cuda kernels ------*- C++ -*-===//
//
// One cuDNN and one cuBLAS handle per process, bound to the compute stream;
// device scratch buffers that grow and are kept (workspaces, transposed
// filters, padded activations); status checks that abort naming the call.
// Every netc_cuda_* kernel holds KernelLock for its duration and
// synchronizes the stream before it returns (the contract), so a scratch
// buffer is free again when the next kernel starts.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CUDA_LIBRARIES_H
#define NETC_CUDA_LIBRARIES_H

#include "Driver.h"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstddef>
#include <mutex>
#include <string>

namespace netc::rt::cuda {

/// Creates the handles on the compute stream and sets their math modes
/// (TF32 only with NETC_ALLOW_TF32=1). False with the reason on failure,
/// and then no handle is kept (a later call starts again).
bool initLibraries(std::string &reason);

cudnnHandle_t dnn();
cublasHandle_t blas();

/// NETC_ALLOW_TF32=1 in the environment: tensor cores may round inputs to
/// TF32 (PyTorch's allow_tf32). Off by default.
bool allowTf32();

void checkDnn(cudnnStatus_t status, const char *call);
void checkBlas(cublasStatus_t status, const char *call);

/// The scratch buffers; a kernel uses each for one purpose at a time.
enum class Scratch { Workspace, Filter, Padded, Pooled, GradPadded, Count };
/// At least `bytes` of device memory in buffer `which` (grown when needed).
void *scratch(Scratch which, size_t bytes);

/// Serializes the kernels (their scratch buffers and cached descriptors);
/// `kernel` (__func__ of a netc_cuda_* kernel) becomes the last kernel
/// launched that CUDA errors name (Driver.h, noteLaunch).
std::unique_lock<std::mutex> kernelLock(const char *kernel = nullptr);

/// Waits for the compute stream.
void synchronize();

/// `count` floats at p set to the bit pattern `bits`, on the stream.
void fill(void *p, size_t count, unsigned bits);

/// An NHWC tensor descriptor (cuDNN's dims are N, C, H, W) whose rows are
/// `rowStride` floats apart and images `imageStride` (a window into a
/// larger, padded tensor when they exceed the plain strides).
cudnnTensorDescriptor_t nhwcWindow(int64_t n, int64_t c, int64_t h, int64_t w,
                                   int64_t rowStride, int64_t imageStride);
/// A plain NHWC tensor descriptor.
cudnnTensorDescriptor_t nhwc(int64_t n, int64_t c, int64_t h, int64_t w);

/// Copies NHWC x [n, h, w, c] into the middle of a padded [n, h + pt + pb,
/// w + pl + pr, c] buffer filled with `bits` around it (zero, or -inf for
/// max pooling). Both descriptors are the caller's, cached.
struct PadShape {
  int64_t n, h, w, c, pt, pb, pl, pr;
  int64_t paddedH() const { return h + pt + pb; }
  int64_t paddedW() const { return w + pl + pr; }
  size_t paddedFloats() const {
    return size_t(n) * size_t(paddedH()) * size_t(paddedW()) * size_t(c);
  }
  /// Floats before the first element of the window.
  size_t windowOffset() const { return size_t((pt * paddedW() + pl) * c); }
};
struct PadDescriptors {
  cudnnTensorDescriptor_t plain = nullptr;  ///< x as it is
  cudnnTensorDescriptor_t window = nullptr; ///< x's place in the padded one
  cudnnTensorDescriptor_t padded = nullptr; ///< the whole padded tensor
  void make(const PadShape &s);
};
/// What cuDNN reads for an input of shape `s`: the plain NHWC tensor when
/// the padding is symmetric (the descriptor pads), else the explicitly
/// padded one (`d` made; the caller pads into a scratch copy).
cudnnTensorDescriptor_t inputDescriptor(const PadShape &s, PadDescriptors &d);
void padInto(const PadShape &s, const PadDescriptors &d, const float *x,
             float *padded, unsigned bits);
/// The inverse: the window of `padded` into plain x-shaped `out`.
void cropFrom(const PadShape &s, const PadDescriptors &d, const float *padded,
              float *out);

} // namespace netc::rt::cuda

#define NETC_DNN(call) ::netc::rt::cuda::checkDnn(call, #call)
#define NETC_BLAS(call) ::netc::rt::cuda::checkBlas(call, #call)

#endif // NETC_CUDA_LIBRARIES_H
