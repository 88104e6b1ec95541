//===- GemmConv.h - Convolutions as one GEMM over the batch -----*- C++ -*-===//
//
// oneDNN 2.6's gemm:jit convolution makes one product per image and, for the
// weight gradient, reduces the per-image results: with a small output image
// (ResNet's late stages: 1x1 and 2x2 pixels) every product has an inner
// dimension of a few pixels and the whole pass is memory bound. These kernels
// make one product over the whole batch instead (rows = n*oh*ow), on an
// im2col restricted to the taps that can read a real pixel; 1x1 stride-1
// convolutions need no copy at all. See GemmConv.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNTIME_KERNELS_GEMMCONV_H
#define NETC_RUNTIME_KERNELS_GEMMCONV_H

#include "SmallConv.h"

#include <cstdint>

namespace netc::rt::kernels {

/// Whether the batch-wide products should take this convolution (all three
/// passes), rather than the direct kernels or oneDNN: a fixed rule of the
/// shape (never of timings), so a program sums in the same order on every
/// run. Checked before smallConv().
bool gemmConv(const ConvDims &d);

void gemmConvFwd(const float *x, const float *w, float *y, const ConvDims &d);
void gemmConvBwdData(const float *dy, const float *w, float *dx,
                     const ConvDims &d);
void gemmConvBwdWeights(const float *x, const float *dy, float *dw,
                        const ConvDims &d);

/// Row-major C[m, n] = op(A)[m, k] * op(B)[k, n] with leading dimensions
/// (the stored row lengths), over oneDNN's sgemm; small products run on the
/// calling thread alone. Defined in Matmul.cpp (netc_matmul uses it too).
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
           int64_t ldc);

} // namespace netc::rt::kernels

#endif
