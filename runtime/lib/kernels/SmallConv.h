//===- SmallConv.h - Direct convolutions for few channels -------*- C++ -*-===//
//
// oneDNN 2.x has no good kernel for NHWC convolutions with few channels (it
// falls back to gemm:jit, 10x slower than the arithmetic needs on LeNet's
// convolutions) and runs every call over its OpenMP team, whose fork/join
// costs more than such a call's work. These kernels are implicit GEMMs with
// the HWIO weights, which already are the [K, oc] matrix of the product; they
// split large calls over the OpenMP team (netc_parallel_for) and run small
// ones on the calling thread. Every element's summation order is fixed, so
// results are the same bit for bit for any thread count.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNTIME_KERNELS_SMALLCONV_H
#define NETC_RUNTIME_KERNELS_SMALLCONV_H

#include <cstdint>

namespace netc::rt::kernels {

/// The 15 conv dims of the ABI: n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl,
/// pr, oh, ow.
struct ConvDims {
  int64_t n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow;
};

/// NETC_CONV=onednn in the environment (read once): every convolution goes
/// to oneDNN, neither to the direct kernels nor to GemmConv's products, for
/// comparisons.
bool oneDnnOnly();

/// Whether the direct kernels should take this convolution rather than
/// oneDNN: few input and output channels.
bool smallConv(const ConvDims &d);

void smallConvFwd(const float *x, const float *w, float *y, const ConvDims &d);
void smallConvBwdData(const float *dy, const float *w, float *dx,
                      const ConvDims &d);
void smallConvBwdWeights(const float *x, const float *dy, float *dw,
                         const ConvDims &d);

} // namespace netc::rt::kernels

#endif
