//===- Conv.cpp - 2-D convolution kernels over oneDNN 2.x -----------------===//
//
// The only file (with Engine below) that uses oneDNN 2.x's `desc` +
// `primitive_desc` API, which oneDNN 3 removed: porting means this file.
// Layouts are the plain ones generated code uses (NHWC activations, HWIO
// weights) so no reorders are needed; primitives are created once per shape
// and cached, because creation (JIT code generation) costs far more than a
// small convolution. Convolutions with few channels (LeNet's) go to the
// direct kernels of SmallConv.cpp instead, those with a tiny output image or
// a 1x1 kernel to the batch-wide products of GemmConv.cpp.
//
//===----------------------------------------------------------------------===//

#include "GemmConv.h"
#include "SmallConv.h"
#include "netc/Abi.h"
#include "netc/Profile.h"
#include "netc/ShapeKey.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

using namespace dnnl;
using netc::rt::profile::Family;
using Timed = netc::rt::profile::Scope;

namespace {

// The 15 dims of the ABI: n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr,
// oh, ow.
using ConvKey = netc::rt::ShapeKey<15>;

struct ConvPrimitives {
  memory::desc src, weights, dst;
  convolution_forward::primitive_desc fwdPd;
  std::unique_ptr<convolution_forward> fwd;
  std::unique_ptr<convolution_backward_data> bwdData;
  std::unique_ptr<convolution_backward_weights> bwdWeights;
};

struct Context {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
  std::mutex mutex;
  netc::rt::ShapeCache<15, std::unique_ptr<ConvPrimitives>> cache;
};

Context &context() {
  static Context ctx;
  return ctx;
}

// Generated code cannot catch C++ exceptions; a oneDNN failure here means the
// compiler emitted inconsistent shapes, which is a bug to report loudly.
[[noreturn]] void fail(const char *what, const char *detail) {
  std::fprintf(stderr, "netc runtime: internal error in %s: %s\n", what,
               detail);
  std::abort();
}

memory::dims strides(const ConvKey &k) { return {k[7], k[8]}; }
memory::dims padL(const ConvKey &k) { return {k[9], k[11]}; }
memory::dims padR(const ConvKey &k) { return {k[10], k[12]}; }

ConvPrimitives &lookup(const ConvKey &k) {
  Context &ctx = context();
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto it = ctx.cache.find(k);
  if (it != ctx.cache.end())
    return *it->second;
  const int64_t n = k[0], h = k[1], w = k[2], c = k[3], kh = k[4], kw = k[5],
                oc = k[6], oh = k[13], ow = k[14];
  if ((h + k[9] + k[10] - kh) / k[7] + 1 != oh ||
      (w + k[11] + k[12] - kw) / k[8] + 1 != ow)
    fail("conv2d", "output size does not match input, kernel, stride and "
                   "padding");
  auto prims = std::make_unique<ConvPrimitives>();
  // oneDNN's logical dims are always NCHW / OIHW; the tags give the layout.
  prims->src = memory::desc({n, c, h, w}, memory::data_type::f32,
                            memory::format_tag::nhwc);
  prims->weights = memory::desc({oc, c, kh, kw}, memory::data_type::f32,
                                memory::format_tag::hwio);
  prims->dst = memory::desc({n, oc, oh, ow}, memory::data_type::f32,
                            memory::format_tag::nhwc);
  convolution_forward::desc fwdDesc(
      prop_kind::forward_training, algorithm::convolution_direct, prims->src,
      prims->weights, prims->dst, strides(k), padL(k), padR(k));
  prims->fwdPd = convolution_forward::primitive_desc(fwdDesc, ctx.eng);
  return *ctx.cache.emplace(k, std::move(prims)).first->second;
}

memory wrap(const memory::desc &md, const float *ptr) {
  return memory(md, context().eng, const_cast<float *>(ptr));
}

} // namespace

extern "C" {

void netc_conv2d_fwd(const float *x, const float *w, float *y, int64_t n,
                     int64_t h, int64_t wd, int64_t c, int64_t kh, int64_t kw,
                     int64_t oc, int64_t sh, int64_t sw, int64_t pt, int64_t pb,
                     int64_t pl, int64_t pr, int64_t oh, int64_t ow) {
  const Timed timed(Family::conv_fwd);
  if (n == 0)
    return;
  const netc::rt::kernels::ConvDims d{n,  h,  wd, c,  kh, kw, oc, sh,
                                      sw, pt, pb, pl, pr, oh, ow};
  if (netc::rt::kernels::gemmConv(d))
    return netc::rt::kernels::gemmConvFwd(x, w, y, d);
  if (netc::rt::kernels::smallConv(d))
    return netc::rt::kernels::smallConvFwd(x, w, y, d);
  try {
    ConvPrimitives &p =
        lookup({n, h, wd, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow});
    if (!p.fwd)
      p.fwd = std::make_unique<convolution_forward>(p.fwdPd);
    Context &ctx = context();
    p.fwd->execute(ctx.strm, {{DNNL_ARG_SRC, wrap(p.src, x)},
                              {DNNL_ARG_WEIGHTS, wrap(p.weights, w)},
                              {DNNL_ARG_DST, wrap(p.dst, y)}});
    ctx.strm.wait();
  } catch (const dnnl::error &e) {
    fail("netc_conv2d_fwd", e.what());
  }
}

void netc_conv2d_bwd_data(const float *dy, const float *w, float *dx, int64_t n,
                          int64_t h, int64_t wd, int64_t c, int64_t kh,
                          int64_t kw, int64_t oc, int64_t sh, int64_t sw,
                          int64_t pt, int64_t pb, int64_t pl, int64_t pr,
                          int64_t oh, int64_t ow) {
  const Timed timed(Family::conv_bwd_data);
  if (n == 0)
    return;
  const netc::rt::kernels::ConvDims d{n,  h,  wd, c,  kh, kw, oc, sh,
                                      sw, pt, pb, pl, pr, oh, ow};
  if (netc::rt::kernels::gemmConv(d))
    return netc::rt::kernels::gemmConvBwdData(dy, w, dx, d);
  if (netc::rt::kernels::smallConv(d))
    return netc::rt::kernels::smallConvBwdData(dy, w, dx, d);
  try {
    const ConvKey k{n, h, wd, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow};
    ConvPrimitives &p = lookup(k);
    Context &ctx = context();
    if (!p.bwdData) {
      convolution_backward_data::desc d(algorithm::convolution_direct, p.src,
                                        p.weights, p.dst, strides(k), padL(k),
                                        padR(k));
      p.bwdData = std::make_unique<convolution_backward_data>(
          convolution_backward_data::primitive_desc(d, ctx.eng, p.fwdPd));
    }
    p.bwdData->execute(ctx.strm, {{DNNL_ARG_DIFF_DST, wrap(p.dst, dy)},
                                  {DNNL_ARG_WEIGHTS, wrap(p.weights, w)},
                                  {DNNL_ARG_DIFF_SRC, wrap(p.src, dx)}});
    ctx.strm.wait();
  } catch (const dnnl::error &e) {
    fail("netc_conv2d_bwd_data", e.what());
  }
}

void netc_conv2d_bwd_weights(const float *x, const float *dy, float *dw,
                             int64_t n, int64_t h, int64_t wd, int64_t c,
                             int64_t kh, int64_t kw, int64_t oc, int64_t sh,
                             int64_t sw, int64_t pt, int64_t pb, int64_t pl,
                             int64_t pr, int64_t oh, int64_t ow) {
  const Timed timed(Family::conv_bwd_weights);
  if (n == 0) {
    for (int64_t i = 0; i < kh * kw * c * oc; ++i)
      dw[i] = 0.0f;
    return;
  }
  const netc::rt::kernels::ConvDims d{n,  h,  wd, c,  kh, kw, oc, sh,
                                      sw, pt, pb, pl, pr, oh, ow};
  if (netc::rt::kernels::gemmConv(d))
    return netc::rt::kernels::gemmConvBwdWeights(x, dy, dw, d);
  if (netc::rt::kernels::smallConv(d))
    return netc::rt::kernels::smallConvBwdWeights(x, dy, dw, d);
  try {
    const ConvKey k{n, h, wd, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow};
    ConvPrimitives &p = lookup(k);
    Context &ctx = context();
    if (!p.bwdWeights) {
      convolution_backward_weights::desc d(algorithm::convolution_direct, p.src,
                                           p.weights, p.dst, strides(k),
                                           padL(k), padR(k));
      p.bwdWeights = std::make_unique<convolution_backward_weights>(
          convolution_backward_weights::primitive_desc(d, ctx.eng, p.fwdPd));
    }
    p.bwdWeights->execute(ctx.strm,
                          {{DNNL_ARG_SRC, wrap(p.src, x)},
                           {DNNL_ARG_DIFF_DST, wrap(p.dst, dy)},
                           {DNNL_ARG_DIFF_WEIGHTS, wrap(p.weights, dw)}});
    ctx.strm.wait();
  } catch (const dnnl::error &e) {
    fail("netc_conv2d_bwd_weights", e.what());
  }
}

} // extern "C"
