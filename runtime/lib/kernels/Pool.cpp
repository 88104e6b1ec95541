//===- Pool.cpp - Max and average pooling, NHWC ---------------------------===//
//
// Plain loops: pooling is memory-bound and the windows here are small, so a
// channel-contiguous inner loop (vectorized by the compiler) is as fast as a
// oneDNN primitive without its layout constraints. Padding never takes part:
// max ignores padded positions and average divides by the number of real
// elements in the window (TensorFlow's 'same' semantics).
//
//===----------------------------------------------------------------------===//

#include "netc/Abi.h"
#include "netc/Profile.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace {

using netc::rt::profile::Family;
using Timed = netc::rt::profile::Scope;

struct Window {
  int64_t i0, i1, j0, j1; // input rows [i0, i1), columns [j0, j1)
};

inline Window window(int64_t oy, int64_t ox, int64_t h, int64_t wd, int64_t kh,
                     int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                     int64_t pl) {
  const int64_t y0 = oy * sh - pt, x0 = ox * sw - pl;
  return {std::max<int64_t>(y0, 0), std::min(y0 + kh, h),
          std::max<int64_t>(x0, 0), std::min(x0 + kw, wd)};
}

} // namespace

extern "C" {

void netc_pool_fwd(int64_t kind, const float *x, float *y, int64_t n, int64_t h,
                   int64_t wd, int64_t c, int64_t kh, int64_t kw, int64_t sh,
                   int64_t sw, int64_t pt, int64_t /*pb*/, int64_t pl,
                   int64_t /*pr*/, int64_t oh, int64_t ow) {
  const Timed timed(Family::pool_fwd);
#pragma omp parallel for collapse(2) if (n * oh * ow * c > 32768)
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window win = window(oy, ox, h, wd, kh, kw, sh, sw, pt, pl);
        float *out = y + ((b * oh + oy) * ow + ox) * c;
        const bool empty = win.i0 >= win.i1 || win.j0 >= win.j1;
        const float init =
            kind == 0 && !empty ? -std::numeric_limits<float>::infinity() : 0;
        for (int64_t ch = 0; ch < c; ++ch)
          out[ch] = init;
        for (int64_t i = win.i0; i < win.i1; ++i)
          for (int64_t j = win.j0; j < win.j1; ++j) {
            const float *in = x + ((b * h + i) * wd + j) * c;
            if (kind == 0)
              for (int64_t ch = 0; ch < c; ++ch)
                out[ch] = std::max(out[ch], in[ch]);
            else
              for (int64_t ch = 0; ch < c; ++ch)
                out[ch] += in[ch];
          }
        if (kind != 0 && !empty) {
          const float inv =
              1.0f / static_cast<float>((win.i1 - win.i0) * (win.j1 - win.j0));
          for (int64_t ch = 0; ch < c; ++ch)
            out[ch] *= inv;
        }
      }
}

void netc_pool_bwd(int64_t kind, const float *x, const float *dy, float *dx,
                   int64_t n, int64_t h, int64_t wd, int64_t c, int64_t kh,
                   int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                   int64_t /*pb*/, int64_t pl, int64_t /*pr*/, int64_t oh,
                   int64_t ow) {
  const Timed timed(Family::pool_bwd);
  // Windows overlap when stride < window, so each image is one task.
#pragma omp parallel for if (n * h * wd * c > 32768)
  for (int64_t b = 0; b < n; ++b) {
    float *dxb = dx + b * h * wd * c;
    std::memset(dxb, 0, sizeof(float) * h * wd * c);
    const float *xb = x + b * h * wd * c;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window win = window(oy, ox, h, wd, kh, kw, sh, sw, pt, pl);
        if (win.i0 >= win.i1 || win.j0 >= win.j1)
          continue;
        const float *g = dy + ((b * oh + oy) * ow + ox) * c;
        if (kind == 0) {
          for (int64_t ch = 0; ch < c; ++ch) {
            // The first maximum in row-major window order takes the gradient.
            int64_t best = (win.i0 * wd + win.j0) * c + ch;
            for (int64_t i = win.i0; i < win.i1; ++i)
              for (int64_t j = win.j0; j < win.j1; ++j) {
                const int64_t at = (i * wd + j) * c + ch;
                if (xb[at] > xb[best])
                  best = at;
              }
            dxb[best] += g[ch];
          }
        } else {
          const float inv =
              1.0f / static_cast<float>((win.i1 - win.i0) * (win.j1 - win.j0));
          for (int64_t i = win.i0; i < win.i1; ++i)
            for (int64_t j = win.j0; j < win.j1; ++j) {
              float *d = dxb + (i * wd + j) * c;
              for (int64_t ch = 0; ch < c; ++ch)
                d[ch] += g[ch] * inv;
            }
        }
      }
  }
}

} // extern "C"
