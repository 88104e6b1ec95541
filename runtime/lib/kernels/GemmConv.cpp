//===- GemmConv.cpp - Convolutions as one GEMM over the batch -------------===//
//
// With P = n*oh*ow output pixels over the whole batch and the taps (i, j)
// that are live -- that read a real input pixel for at least one output
// pixel -- each pass is one product (row-major, oneDNN's multithreaded
// sgemm):
//
//   forward      y[P, oc]      = col[P, K] * wLive[K, oc]
//   backward w   dwLive[K, oc] = col^T[K, P] * dy[P, oc]
//   backward x   dcol[P, K]    = dy[P, oc] * wLive^T[oc, K], then col2im
//
// where K = live taps * c, col is the im2col of x restricted to the live
// taps (zeros where a window hangs over the border) and wLive the HWIO rows
// of those taps (the weights themselves when every tap is live). A dead tap
// reads only padding: it adds exactly 0 to y and dx, and its weight gradient
// is exactly 0, so it is skipped (for a 3x3 'same' convolution of a 1x1
// image only the centre tap is live: 9x less work). A 1x1 convolution with
// stride 1 and no padding needs no copy: NHWC x is already col[P, c] and HWIO
// w is [c, oc].
//
// oneDNN's gemm:jit instead makes one product per image, whose inner
// dimension for the weight gradient is oh*ow (1 on ResNet's last stage), and
// reduces over images: memory bound, ~3 GFLOP/s. Scratch (col, dcol, packed
// weights) lives as long as the thread and only grows. The summation order
// is a fixed function of the shape and the thread count, so results are the
// same on every run.
//
//===----------------------------------------------------------------------===//
#include "GemmConv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace netc::rt::kernels {

namespace {

struct Scratch {
  std::vector<float> col, packed;
  std::vector<int64_t> rows, cols;
};
thread_local Scratch tls;

/// Output pixels per image up to which a convolution with a larger kernel or
/// a stride is one product over the batch (ResNet's 4x4 and smaller stages,
/// AlexNet's last four convolutions).
constexpr int64_t kMaxPixels = 16;

float *grow(std::vector<float> &buf, int64_t floats) {
  if (static_cast<int64_t>(buf.size()) < floats)
    buf.resize(floats);
  return buf.data();
}

bool pointwise(const ConvDims &d) {
  return d.kh == 1 && d.kw == 1 && d.sh == 1 && d.sw == 1 && d.pt == 0 &&
         d.pb == 0 && d.pl == 0 && d.pr == 0;
}

/// The taps of one axis that read a real input pixel for some output pixel.
void liveTaps(int64_t k, int64_t in, int64_t out, int64_t stride, int64_t pad,
              std::vector<int64_t> &live) {
  live.clear();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t o = 0; o < out; ++o) {
      const int64_t at = o * stride - pad + i;
      if (at >= 0 && at < in) {
        live.push_back(i);
        break;
      }
    }
}

/// The live taps of a convolution: rows x cols, K = their count * c.
struct Live {
  const std::vector<int64_t> &rows, &cols;
  int64_t k;
  bool all;
};

Live liveOf(const ConvDims &d) {
  liveTaps(d.kh, d.h, d.oh, d.sh, d.pt, tls.rows);
  liveTaps(d.kw, d.w, d.ow, d.sw, d.pl, tls.cols);
  const int64_t taps = static_cast<int64_t>(tls.rows.size() * tls.cols.size());
  return {tls.rows, tls.cols, taps * d.c, taps == d.kh * d.kw};
}

/// Calls f(p, t, pix) for every output pixel p of the batch and live tap t
/// (in col's column order), with pix the input pixel's index or -1 when the
/// tap reads padding there.
template <typename F>
void forEachLiveTap(const ConvDims &d, const Live &l, F f) {
  for (int64_t b = 0; b < d.n; ++b)
    for (int64_t oy = 0; oy < d.oh; ++oy)
      for (int64_t ox = 0; ox < d.ow; ++ox) {
        const int64_t p = (b * d.oh + oy) * d.ow + ox;
        int64_t t = 0;
        for (int64_t i : l.rows)
          for (int64_t j : l.cols) {
            const int64_t iy = oy * d.sh - d.pt + i, ix = ox * d.sw - d.pl + j;
            const bool in = iy >= 0 && iy < d.h && ix >= 0 && ix < d.w;
            f(p, t++, in ? (b * d.h + iy) * d.w + ix : -1);
          }
      }
}

const float *im2col(const float *x, const ConvDims &d, const Live &l) {
  float *col = grow(tls.col, d.n * d.oh * d.ow * l.k);
  forEachLiveTap(d, l, [&](int64_t p, int64_t t, int64_t pix) {
    float *dst = col + p * l.k + t * d.c;
    if (pix < 0)
      std::fill(dst, dst + d.c, 0.0f);
    else
      std::memcpy(dst, x + pix * d.c, d.c * sizeof(float));
  });
  return col;
}

/// dx = the sum, over output pixels and live taps, of dcol's entries at the
/// input pixels they read (in a fixed order).
void col2im(const float *dcol, const ConvDims &d, const Live &l, float *dx) {
  std::fill(dx, dx + d.n * d.h * d.w * d.c, 0.0f);
  forEachLiveTap(d, l, [&](int64_t p, int64_t t, int64_t pix) {
    if (pix < 0)
      return;
    const float *src = dcol + p * l.k + t * d.c;
    float *dst = dx + pix * d.c;
    for (int64_t ch = 0; ch < d.c; ++ch)
      dst[ch] += src[ch];
  });
}

/// The [K, oc] rows of the HWIO weights of the live taps.
const float *liveWeights(const float *w, const ConvDims &d, const Live &l) {
  if (l.all)
    return w;
  float *packed = grow(tls.packed, l.k * d.oc);
  const int64_t block = d.c * d.oc;
  for (int64_t i : l.rows)
    for (int64_t j : l.cols) {
      std::memcpy(packed, w + (i * d.kw + j) * block, block * sizeof(float));
      packed += block;
    }
  return tls.packed.data();
}

} // namespace

bool gemmConv(const ConvDims &d) {
  if (oneDnnOnly() || d.kh <= 0 || d.kw <= 0 || d.pt < 0 || d.pb < 0 ||
      d.pl < 0 || d.pr < 0)
    return false;
  // Measured (docs/design.md, "Kernel choice for convolutions"): the same
  // rule wins for all three passes. 1x1 stride-1 products beat even the
  // direct kernels (2-3x on ResNet's 64-channel layers); other convolutions
  // with few channels stay theirs (LeNet's).
  if (pointwise(d))
    return true;
  return !smallConv(d) && d.oh * d.ow <= kMaxPixels;
}

void gemmConvFwd(const float *x, const float *w, float *y, const ConvDims &d) {
  const int64_t pixels = d.n * d.oh * d.ow;
  if (pointwise(d))
    return sgemm(false, false, pixels, d.oc, d.c, x, d.c, w, d.oc, y, d.oc);
  const Live l = liveOf(d);
  const float *wLive = liveWeights(w, d, l);
  const float *col = im2col(x, d, l);
  sgemm(false, false, pixels, d.oc, l.k, col, l.k, wLive, d.oc, y, d.oc);
}

void gemmConvBwdData(const float *dy, const float *w, float *dx,
                     const ConvDims &d) {
  const int64_t pixels = d.n * d.oh * d.ow;
  if (pointwise(d))
    return sgemm(false, true, pixels, d.c, d.oc, dy, d.oc, w, d.oc, dx, d.c);
  const Live l = liveOf(d);
  const float *wLive = liveWeights(w, d, l);
  float *dcol = grow(tls.col, pixels * l.k);
  sgemm(false, true, pixels, l.k, d.oc, dy, d.oc, wLive, d.oc, dcol, l.k);
  col2im(dcol, d, l, dx);
}

void gemmConvBwdWeights(const float *x, const float *dy, float *dw,
                        const ConvDims &d) {
  const int64_t pixels = d.n * d.oh * d.ow;
  if (pointwise(d))
    return sgemm(true, false, d.c, d.oc, pixels, x, d.c, dy, d.oc, dw, d.oc);
  const Live l = liveOf(d);
  const float *col = im2col(x, d, l);
  if (l.all)
    return sgemm(true, false, l.k, d.oc, pixels, col, l.k, dy, d.oc, dw, d.oc);
  // Dead taps' gradients are exactly 0; live ones go through packed scratch.
  float *dwLive = grow(tls.packed, l.k * d.oc);
  sgemm(true, false, l.k, d.oc, pixels, col, l.k, dy, d.oc, dwLive, d.oc);
  const int64_t block = d.c * d.oc;
  std::fill(dw, dw + d.kh * d.kw * block, 0.0f);
  for (int64_t i : l.rows)
    for (int64_t j : l.cols) {
      std::memcpy(dw + (i * d.kw + j) * block, dwLive, block * sizeof(float));
      dwLive += block;
    }
}

} // namespace netc::rt::kernels
