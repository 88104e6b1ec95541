//===- Pool.cpp - Max and average pooling on cuDNN ------------------------===//
//
// NHWC throughout. Symmetric padding goes to cuDNN's pooling descriptor:
// max pooling never picks its padding, average pooling excludes it from the
// count (CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING), as netc_pool_* do.
// Asymmetric padding (TensorFlow 'same' with stride) is made explicit: x is
// copied into a scratch tensor padded with -inf for max pooling (never a
// window's maximum) or zero for average pooling, pooled without padding,
// and the gradient cropped from the padded one. Average pooling of the
// zero-padded tensor counts the padding (cuDNN cannot know it is padding),
// so its output is multiplied by the per-position factor kh*kw / (the
// number of real elements in the window), a [1, 1, oh, ow] tensor made once
// per shape and broadcast by cudnnOpTensor; its backward pass multiplies dy
// by the same factor first.
// cuDNN's backward pass needs the forward output y, which netc_pool_bwd
// does not get: it is recomputed from x into scratch.
//
//===----------------------------------------------------------------------===//
#include "Libraries.h"
#include "netc/CudaAbi.h"
#include "netc/ShapeKey.h"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

using namespace netc::rt::cuda;

namespace {

// kind, n, h, w, c, kh, kw, sh, sw, pt, pb, pl, pr, oh, ow
using PoolKey = netc::rt::ShapeKey<15>;

constexpr unsigned kMinusInfinity = 0xff800000u;

struct PoolPlan {
  bool max = true, explicitPad = false;
  PadShape pad{};
  PadDescriptors padDesc;
  cudnnTensorDescriptor_t x = nullptr; ///< what cuDNN pools (padded?)
  cudnnTensorDescriptor_t y = nullptr;
  cudnnPoolingDescriptor_t pool = nullptr;
  cudnnTensorDescriptor_t factorDesc = nullptr; ///< average, explicit pad
  float *factor = nullptr;                      ///< managed, [oh, ow]
  size_t yFloats = 0;
};

/// kh*kw / the real elements of each window, for average pooling made
/// explicit (managed memory, written here on the host).
void makeFactor(PoolPlan &p, const PoolKey &k) {
  const int64_t h = k[2], w = k[3], kh = k[5], kw = k[6], sh = k[7], sw = k[8],
                pt = k[9], pl = k[11], oh = k[13], ow = k[14];
  CUdeviceptr mem = 0;
  NETC_CU(driver().api.cuMemAllocManaged(&mem, sizeof(float) * size_t(oh * ow),
                                         CU_MEM_ATTACH_GLOBAL));
  p.factor = reinterpret_cast<float *>(mem);
  for (int64_t r = 0; r < oh; ++r)
    for (int64_t q = 0; q < ow; ++q) {
      const int64_t top = r * sh - pt, left = q * sw - pl;
      const int64_t rows = std::min(top + kh, h) - std::max<int64_t>(top, 0);
      const int64_t cols = std::min(left + kw, w) - std::max<int64_t>(left, 0);
      const int64_t count = std::max<int64_t>(rows * cols, 1);
      p.factor[r * ow + q] = float(kh * kw) / float(count);
    }
  NETC_DNN(cudnnCreateTensorDescriptor(&p.factorDesc));
  NETC_DNN(cudnnSetTensor4dDescriptor(p.factorDesc, CUDNN_TENSOR_NCHW,
                                      CUDNN_DATA_FLOAT, 1, 1, int(oh),
                                      int(ow)));
}

void describePool(PoolPlan &p, const PoolKey &k) {
  const int64_t n = k[1], h = k[2], w = k[3], c = k[4], kh = k[5], kw = k[6],
                sh = k[7], sw = k[8], pt = k[9], pb = k[10], pl = k[11],
                pr = k[12], oh = k[13], ow = k[14];
  p.max = k[0] == 0;
  p.pad = {n, h, w, c, pt, pb, pl, pr};
  p.explicitPad = pt != pb || pl != pr;
  p.x = inputDescriptor(p.pad, p.padDesc);
  p.y = nhwc(n, c, oh, ow);
  p.yFloats = size_t(n * oh * ow * c);
  cudnnPoolingMode_t mode = CUDNN_POOLING_MAX_DETERMINISTIC;
  if (!p.max)
    mode = p.explicitPad ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                         : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
  NETC_DNN(cudnnCreatePoolingDescriptor(&p.pool));
  NETC_DNN(cudnnSetPooling2dDescriptor(
      p.pool, mode, CUDNN_PROPAGATE_NAN, int(kh), int(kw),
      int(p.explicitPad ? 0 : pt), int(p.explicitPad ? 0 : pl), int(sh),
      int(sw)));
  int dims[4] = {0, 0, 0, 0};
  NETC_DNN(cudnnGetPooling2dForwardOutputDim(p.pool, p.x, &dims[0], &dims[1],
                                             &dims[2], &dims[3]));
  if (dims[0] != n || dims[1] != c || dims[2] != oh || dims[3] != ow)
    fatal("internal error in netc_cuda_pool: the output size does not match "
          "input, window, stride and padding");
  if (!p.max && p.explicitPad)
    makeFactor(p, k);
}

PoolPlan &plan(const PoolKey &k) {
  static auto *cache = new netc::rt::ShapeCache<15, std::unique_ptr<PoolPlan>>;
  std::unique_ptr<PoolPlan> &p = (*cache)[k];
  if (!p) {
    p = std::make_unique<PoolPlan>();
    describePool(*p, k);
  }
  return *p;
}

/// x itself, or x in the padded scratch tensor.
const float *poolInput(const PoolPlan &p, const float *x) {
  if (!p.explicitPad)
    return x;
  auto *padded = static_cast<float *>(
      scratch(Scratch::Padded, sizeof(float) * p.pad.paddedFloats()));
  padInto(p.pad, p.padDesc, x, padded, p.max ? kMinusInfinity : 0u);
  return padded;
}

/// out = in * factor, the factor broadcast over images and channels.
void multiplyByFactor(const PoolPlan &p, const float *in, float *out) {
  static cudnnOpTensorDescriptor_t mul = [] {
    cudnnOpTensorDescriptor_t d = nullptr;
    NETC_DNN(cudnnCreateOpTensorDescriptor(&d));
    NETC_DNN(cudnnSetOpTensorDescriptor(d, CUDNN_OP_TENSOR_MUL,
                                        CUDNN_DATA_FLOAT, CUDNN_PROPAGATE_NAN));
    return d;
  }();
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnOpTensor(dnn(), mul, &one, p.y, in, &one, p.factorDesc,
                         p.factor, &zero, p.y, out));
}

/// y = pool(input), scaled by the factor for explicit average pooling
/// (through the Pooled scratch).
void forward(const PoolPlan &p, const float *input, float *y) {
  const float one = 1.0f, zero = 0.0f;
  const bool scale = p.factor != nullptr;
  float *out = scale ? static_cast<float *>(
                           scratch(Scratch::Pooled, sizeof(float) * p.yFloats))
                     : y;
  NETC_DNN(
      cudnnPoolingForward(dnn(), p.pool, &one, p.x, input, &zero, p.y, out));
  if (scale)
    multiplyByFactor(p, out, y);
}

PoolKey key(int64_t kind, int64_t n, int64_t h, int64_t wd, int64_t c,
            int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
            int64_t pb, int64_t pl, int64_t pr, int64_t oh, int64_t ow) {
  return {kind, n, h, wd, c, kh, kw, sh, sw, pt, pb, pl, pr, oh, ow};
}

} // namespace

extern "C" {

void netc_cuda_pool_fwd(int64_t kind, const float *x, float *y, int64_t n,
                        int64_t h, int64_t wd, int64_t c, int64_t kh,
                        int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                        int64_t pb, int64_t pl, int64_t pr, int64_t oh,
                        int64_t ow) {
  if (n == 0)
    return;
  auto lock = kernelLock(__func__);
  const PoolPlan &p =
      plan(key(kind, n, h, wd, c, kh, kw, sh, sw, pt, pb, pl, pr, oh, ow));
  forward(p, poolInput(p, x), y);
  synchronize();
}

void netc_cuda_pool_bwd(int64_t kind, const float *x, const float *dy,
                        float *dx, int64_t n, int64_t h, int64_t wd, int64_t c,
                        int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                        int64_t pt, int64_t pb, int64_t pl, int64_t pr,
                        int64_t oh, int64_t ow) {
  if (n == 0)
    return;
  auto lock = kernelLock(__func__);
  const PoolPlan &p =
      plan(key(kind, n, h, wd, c, kh, kw, sh, sw, pt, pb, pl, pr, oh, ow));
  const float *input = poolInput(p, x);
  // cuDNN reads y for max pooling (recomputed here) and not for average.
  auto *y =
      static_cast<float *>(scratch(Scratch::Pooled, sizeof(float) * p.yFloats));
  const float *grad = dy;
  if (p.factor) { // explicit average: dy scaled by the factor, into y's place
    multiplyByFactor(p, dy, y);
    grad = y;
  } else {
    forward(p, input, y);
  }
  float *target = dx;
  if (p.explicitPad)
    target = static_cast<float *>(
        scratch(Scratch::GradPadded, sizeof(float) * p.pad.paddedFloats()));
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnPoolingBackward(dnn(), p.pool, &one, p.y, y, p.y, grad, p.x,
                                input, &zero, p.x, target));
  if (p.explicitPad)
    cropFrom(p.pad, p.padDesc, target, dx);
  synchronize();
}

} // extern "C"
