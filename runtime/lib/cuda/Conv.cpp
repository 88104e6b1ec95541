//===- Conv.cpp - 2-D convolutions on cuDNN -------------------------------===//
//
// NHWC activations as they are. The HWIO kernel is a row-major
// [KH*KW*C, OC] matrix; its transpose [OC, KH*KW*C] is cuDNN's NHWC filter
// layout (KRSC), made with cublasSgeam into a scratch buffer (and back for
// the weight gradient). Padding: a cuDNN convolution descriptor pads both
// sides alike, so symmetric padding (pt == pb, pl == pr) goes to cuDNN and
// asymmetric padding (TensorFlow 'same' with stride: one more row or column
// at the bottom or right) is made explicit -- x copied into a zeroed
// [n, h+pt+pb, w+pl+pr, c] scratch tensor convolved without padding, and the
// data gradient computed there and cropped. Algorithms come from cuDNN's
// heuristics (cudnnGet*Algorithm_v7), the first one that runs in the math
// mode allowed (FMA only, no TF32, unless NETC_ALLOW_TF32=1); everything is
// cached per shape. When cuDNN offers no FMA algorithm for a direction of a
// shape (possible for NHWC FP32 with few channels), the first algorithm it
// offers runs in its own math mode -- which may round inputs to TF32 -- and
// a one-line warning on stderr names the layer's shape and direction
// (docs/design.md, "The cuda target (runtime)").
//
//===----------------------------------------------------------------------===//
#include "Libraries.h"
#include "netc/CudaAbi.h"
#include "netc/ShapeKey.h"

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>

using namespace netc::rt::cuda;

namespace {

// n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow
using ConvKey = netc::rt::ShapeKey<15>;

constexpr int kNotChosen = -1;

struct ConvPlan {
  PadShape pad{};
  bool explicitPad = false;
  PadDescriptors padDesc;              ///< when explicitPad
  cudnnTensorDescriptor_t x = nullptr; ///< what cuDNN convolves (padded?)
  cudnnTensorDescriptor_t y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int fwdAlgo = kNotChosen, dataAlgo = kNotChosen, filterAlgo = kNotChosen;
  cudnnMathType_t fwdMath{}, dataMath{}, filterMath{};
  size_t fwdBytes = 0, dataBytes = 0, filterBytes = 0;
  int64_t filterRows = 0, oc = 0; ///< KH*KW*C and OC
  std::string shape;              ///< for messages: "x [n,h,w,c] ..."
};

/// The math mode a heuristic result runs in, or false when it would need
/// TF32 and that is not allowed.
bool usableMath(cudnnMathType_t resultMath, cudnnMathType_t &use) {
  if (allowTf32()) {
    use = resultMath;
    return true;
  }
  // CUDNN_DEFAULT_MATH permits TF32 on Ampere and later: ask for FMA.
  if (resultMath == CUDNN_FMA_MATH || resultMath == CUDNN_DEFAULT_MATH) {
    use = CUDNN_FMA_MATH;
    return true;
  }
  return false;
}

const char *mathName(cudnnMathType_t m) {
  switch (m) {
  case CUDNN_DEFAULT_MATH:
    return "CUDNN_DEFAULT_MATH";
  case CUDNN_TENSOR_OP_MATH:
    return "CUDNN_TENSOR_OP_MATH";
  case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION:
    return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
  default:
    return "CUDNN_FMA_MATH";
  }
}

/// The first heuristic result that runs in an allowed math mode (any mode
/// when `anyMath`): its algorithm, math and workspace size (queried in that
/// math mode). False when there is none.
template <typename Perf, typename Query, typename Size>
bool chooseIn(bool anyMath, const char *what, ConvPlan &p, Query query,
              Size workspaceSize, int &algo, cudnnMathType_t &math,
              size_t &bytes) {
  std::array<Perf, 16> results{};
  int returned = 0;
  checkDnn(query(int(results.size()), &returned, results.data()), what);
  for (int i = 0; i < returned; ++i) {
    const Perf &r = results[size_t(i)];
    cudnnMathType_t use = r.mathType;
    if (r.status != CUDNN_STATUS_SUCCESS ||
        (!anyMath && !usableMath(r.mathType, use)))
      continue;
    NETC_DNN(cudnnSetConvolutionMathType(p.conv, use));
    size_t size = 0;
    if (workspaceSize(r.algo, &size) != CUDNN_STATUS_SUCCESS)
      continue;
    algo = int(r.algo);
    math = use;
    bytes = size;
    return true;
  }
  return false;
}

/// chooseIn without TF32 when it is not allowed, else -- with the warning
/// -- in whatever math mode cuDNN's first usable algorithm runs.
template <typename Perf, typename Query, typename Size>
void choose(const char *what, ConvPlan &p, Query query, Size workspaceSize,
            int &algo, cudnnMathType_t &math, size_t &bytes) {
  if (chooseIn<Perf>(false, what, p, query, workspaceSize, algo, math, bytes))
    return;
  if (!chooseIn<Perf>(true, what, p, query, workspaceSize, algo, math, bytes))
    fatal(std::string("cuDNN offers no algorithm for ") + what + " of " +
          p.shape);
  std::fprintf(stderr,
               "netc runtime: warning: cuDNN offers no FP32 (FMA) algorithm "
               "for %s of %s; it runs in %s, which may round its inputs to "
               "TF32 (results differ from the cpu by about 1e-3)\n",
               what, p.shape.c_str(), mathName(math));
}

void describeConv(ConvPlan &p, const ConvKey &k) {
  const int64_t n = k[0], h = k[1], w = k[2], c = k[3], kh = k[4], kw = k[5],
                oc = k[6], sh = k[7], sw = k[8], pt = k[9], pb = k[10],
                pl = k[11], pr = k[12], oh = k[13], ow = k[14];
  p.pad = {n, h, w, c, pt, pb, pl, pr};
  p.explicitPad = pt != pb || pl != pr;
  p.x = inputDescriptor(p.pad, p.padDesc);
  p.y = nhwc(n, oc, oh, ow);
  NETC_DNN(cudnnCreateFilterDescriptor(&p.w));
  NETC_DNN(cudnnSetFilter4dDescriptor(p.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC,
                                      int(oc), int(c), int(kh), int(kw)));
  NETC_DNN(cudnnCreateConvolutionDescriptor(&p.conv));
  const int64_t padH = p.explicitPad ? 0 : pt, padW = p.explicitPad ? 0 : pl;
  NETC_DNN(cudnnSetConvolution2dDescriptor(
      p.conv, int(padH), int(padW), int(sh), int(sw), 1, 1,
      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  int dims[4] = {0, 0, 0, 0};
  NETC_DNN(cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.w, &dims[0],
                                                 &dims[1], &dims[2], &dims[3]));
  if (dims[0] != n || dims[1] != oc || dims[2] != oh || dims[3] != ow)
    fatal("internal error in netc_cuda_conv2d: the output size does not "
          "match input, kernel, stride and padding");
  p.filterRows = kh * kw * c;
  p.oc = oc;
  auto s = [](int64_t v) { return std::to_string(v); };
  p.shape = "the convolution of x [" + s(n) + "," + s(h) + "," + s(w) + "," +
            s(c) + "] with a " + s(kh) + "x" + s(kw) + "x" + s(c) + "x" +
            s(oc) + " kernel, stride " + s(sh) + "x" + s(sw) + ", padding " +
            s(pt) + "," + s(pb) + "," + s(pl) + "," + s(pr);
}

struct Cache {
  netc::rt::ShapeCache<15, std::unique_ptr<ConvPlan>> plans;
};

ConvPlan &plan(const ConvKey &k) {
  static Cache *cache = new Cache;
  std::unique_ptr<ConvPlan> &p = cache->plans[k];
  if (!p) {
    p = std::make_unique<ConvPlan>();
    describeConv(*p, k);
  }
  return *p;
}

/// The HWIO kernel w [R, OC] transposed into KRSC [OC, R] in scratch.
const float *filterKrsc(const ConvPlan &p, const float *w) {
  auto *t = static_cast<float *>(
      scratch(Scratch::Filter, sizeof(float) * size_t(p.filterRows * p.oc)));
  const float one = 1.0f, zero = 0.0f;
  // Column-major: w is OC x R (ld OC); t = w^T is R x OC (ld R).
  NETC_BLAS(cublasSgeam(blas(), CUBLAS_OP_T, CUBLAS_OP_N, int(p.filterRows),
                        int(p.oc), &one, w, int(p.oc), &zero, t,
                        int(p.filterRows), t, int(p.filterRows)));
  return t;
}

/// x itself, or x copied into the zero-padded scratch tensor.
const float *convInput(const ConvPlan &p, const float *x) {
  if (!p.explicitPad)
    return x;
  auto *padded = static_cast<float *>(
      scratch(Scratch::Padded, sizeof(float) * p.pad.paddedFloats()));
  padInto(p.pad, p.padDesc, x, padded, 0u);
  return padded;
}

ConvKey key(int64_t n, int64_t h, int64_t wd, int64_t c, int64_t kh, int64_t kw,
            int64_t oc, int64_t sh, int64_t sw, int64_t pt, int64_t pb,
            int64_t pl, int64_t pr, int64_t oh, int64_t ow) {
  return {n, h, wd, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow};
}

#define NETC_CONV_DIMS                                                         \
  int64_t n, int64_t h, int64_t wd, int64_t c, int64_t kh, int64_t kw,         \
      int64_t oc, int64_t sh, int64_t sw, int64_t pt, int64_t pb, int64_t pl,  \
      int64_t pr, int64_t oh, int64_t ow
#define NETC_CONV_KEY                                                          \
  key(n, h, wd, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow)

} // namespace

extern "C" {

void netc_cuda_conv2d_fwd(const float *x, const float *w, float *y,
                          NETC_CONV_DIMS) {
  if (n == 0)
    return;
  auto lock = kernelLock(__func__);
  ConvPlan &p = plan(NETC_CONV_KEY);
  if (p.fwdAlgo == kNotChosen)
    choose<cudnnConvolutionFwdAlgoPerf_t>(
        "cudnnGetConvolutionForwardAlgorithm_v7", p,
        [&](int want, int *got, cudnnConvolutionFwdAlgoPerf_t *r) {
          return cudnnGetConvolutionForwardAlgorithm_v7(dnn(), p.x, p.w, p.conv,
                                                        p.y, want, got, r);
        },
        [&](cudnnConvolutionFwdAlgo_t a, size_t *bytes) {
          return cudnnGetConvolutionForwardWorkspaceSize(dnn(), p.x, p.w,
                                                         p.conv, p.y, a, bytes);
        },
        p.fwdAlgo, p.fwdMath, p.fwdBytes);
  const float *krsc = filterKrsc(p, w);
  const float *input = convInput(p, x);
  void *ws = scratch(Scratch::Workspace, p.fwdBytes + 1);
  NETC_DNN(cudnnSetConvolutionMathType(p.conv, p.fwdMath));
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnConvolutionForward(dnn(), &one, p.x, input, p.w, krsc, p.conv,
                                   cudnnConvolutionFwdAlgo_t(p.fwdAlgo), ws,
                                   p.fwdBytes, &zero, p.y, y));
  synchronize();
}

void netc_cuda_conv2d_bwd_data(const float *dy, const float *w, float *dx,
                               NETC_CONV_DIMS) {
  if (n == 0)
    return;
  auto lock = kernelLock(__func__);
  ConvPlan &p = plan(NETC_CONV_KEY);
  if (p.dataAlgo == kNotChosen)
    choose<cudnnConvolutionBwdDataAlgoPerf_t>(
        "cudnnGetConvolutionBackwardDataAlgorithm_v7", p,
        [&](int want, int *got, cudnnConvolutionBwdDataAlgoPerf_t *r) {
          return cudnnGetConvolutionBackwardDataAlgorithm_v7(
              dnn(), p.w, p.y, p.conv, p.x, want, got, r);
        },
        [&](cudnnConvolutionBwdDataAlgo_t a, size_t *bytes) {
          return cudnnGetConvolutionBackwardDataWorkspaceSize(
              dnn(), p.w, p.y, p.conv, p.x, a, bytes);
        },
        p.dataAlgo, p.dataMath, p.dataBytes);
  const float *krsc = filterKrsc(p, w);
  float *target = dx;
  if (p.explicitPad)
    target = static_cast<float *>(
        scratch(Scratch::Padded, sizeof(float) * p.pad.paddedFloats()));
  void *ws = scratch(Scratch::Workspace, p.dataBytes + 1);
  NETC_DNN(cudnnSetConvolutionMathType(p.conv, p.dataMath));
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(
      cudnnConvolutionBackwardData(dnn(), &one, p.w, krsc, p.y, dy, p.conv,
                                   cudnnConvolutionBwdDataAlgo_t(p.dataAlgo),
                                   ws, p.dataBytes, &zero, p.x, target));
  if (p.explicitPad)
    cropFrom(p.pad, p.padDesc, target, dx);
  synchronize();
}

void netc_cuda_conv2d_bwd_weights(const float *x, const float *dy, float *dw,
                                  NETC_CONV_DIMS) {
  auto lock = kernelLock(__func__);
  if (n == 0) {
    fill(dw, size_t(kh * kw * c * oc), 0u);
    return synchronize();
  }
  ConvPlan &p = plan(NETC_CONV_KEY);
  if (p.filterAlgo == kNotChosen)
    choose<cudnnConvolutionBwdFilterAlgoPerf_t>(
        "cudnnGetConvolutionBackwardFilterAlgorithm_v7", p,
        [&](int want, int *got, cudnnConvolutionBwdFilterAlgoPerf_t *r) {
          return cudnnGetConvolutionBackwardFilterAlgorithm_v7(
              dnn(), p.x, p.y, p.conv, p.w, want, got, r);
        },
        [&](cudnnConvolutionBwdFilterAlgo_t a, size_t *bytes) {
          return cudnnGetConvolutionBackwardFilterWorkspaceSize(
              dnn(), p.x, p.y, p.conv, p.w, a, bytes);
        },
        p.filterAlgo, p.filterMath, p.filterBytes);
  const float *input = convInput(p, x);
  auto *krsc = static_cast<float *>(
      scratch(Scratch::Filter, sizeof(float) * size_t(p.filterRows * p.oc)));
  void *ws = scratch(Scratch::Workspace, p.filterBytes + 1);
  NETC_DNN(cudnnSetConvolutionMathType(p.conv, p.filterMath));
  const float one = 1.0f, zero = 0.0f;
  NETC_DNN(cudnnConvolutionBackwardFilter(
      dnn(), &one, p.x, input, p.y, dy, p.conv,
      cudnnConvolutionBwdFilterAlgo_t(p.filterAlgo), ws, p.filterBytes, &zero,
      p.w, krsc));
  // KRSC [OC, R] back to HWIO [R, OC]: column-major krsc is R x OC (ld R),
  // dw = krsc^T is OC x R (ld OC).
  NETC_BLAS(cublasSgeam(blas(), CUBLAS_OP_T, CUBLAS_OP_N, int(p.oc),
                        int(p.filterRows), &one, krsc, int(p.filterRows), &zero,
                        dw, int(p.oc), dw, int(p.oc)));
  synchronize();
}

} // extern "C"
