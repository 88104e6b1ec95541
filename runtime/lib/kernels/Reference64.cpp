//===- Reference64.cpp - float64 conv, pooling and matmul for --gradcheck -===//
//
// The kernels the float64 train step (`netc build --gradcheck-f64`) calls.
// They exist only to check gradient rules, so they are the definitions of
// Abi.h written as plain loops, in double, with no blocking, threads or
// vector code: easy to read and to trust, and fast enough for the small
// batches of a gradient check.
//
//===----------------------------------------------------------------------===//

#include "netc/Abi.h"
#include "netc/Profile.h"

#include <algorithm>
#include <limits>

namespace {

struct Conv {
  int64_t n, h, w, c, kh, kw, oc, sh, sw, pt, pl, oh, ow;
  int64_t x(int64_t b, int64_t i, int64_t j, int64_t ch) const {
    return ((b * h + i) * w + j) * c + ch;
  }
  int64_t y(int64_t b, int64_t i, int64_t j, int64_t o) const {
    return ((b * oh + i) * ow + j) * oc + o;
  }
  int64_t wt(int64_t i, int64_t j, int64_t ch, int64_t o) const {
    return ((i * kw + j) * c + ch) * oc + o;
  }
  /// Calls f(input pixel, output pixel, weight tap) for every tap of the
  /// convolution that falls inside the input (padding is skipped): the
  /// channel vectors x[n, iy, ix, :], y[n, oy, ox, :] and the c x oc matrix
  /// w[i, j, :, :] that it multiplies.
  template <typename F> void forEachTap(F f) const {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t iy = oy * sh - pt + i, ix = ox * sw - pl + j;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                f(x(b, iy, ix, 0), y(b, oy, ox, 0), wt(i, j, 0, 0));
            }
  }
};

/// The in-bounds window of output (oy, ox) of a pooling: rows [i0, i1),
/// columns [j0, j1).
struct Window {
  int64_t i0, i1, j0, j1;
  Window(int64_t oy, int64_t ox, int64_t h, int64_t w, int64_t kh, int64_t kw,
         int64_t sh, int64_t sw, int64_t pt, int64_t pl)
      : i0(std::max<int64_t>(oy * sh - pt, 0)),
        i1(std::min(oy * sh - pt + kh, h)),
        j0(std::max<int64_t>(ox * sw - pl, 0)),
        j1(std::min(ox * sw - pl + kw, w)) {}
  bool empty() const { return i0 >= i1 || j0 >= j1; }
  double count() const { return static_cast<double>((i1 - i0) * (j1 - j0)); }
};

using netc::rt::profile::Family;
using Timed = netc::rt::profile::Scope;

} // namespace

extern "C" {

void netc_conv2d_fwd_f64(const double *x, const double *w, double *y, int64_t n,
                         int64_t h, int64_t wd, int64_t c, int64_t kh,
                         int64_t kw, int64_t oc, int64_t sh, int64_t sw,
                         int64_t pt, int64_t /*pb*/, int64_t pl, int64_t /*pr*/,
                         int64_t oh, int64_t ow) {
  const Timed timed(Family::conv_fwd);
  const Conv d{n, h, wd, c, kh, kw, oc, sh, sw, pt, pl, oh, ow};
  std::fill(y, y + n * oh * ow * oc, 0.0);
  d.forEachTap([&](int64_t xi, int64_t yi, int64_t wi) {
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t o = 0; o < oc; ++o)
        y[yi + o] += x[xi + ch] * w[wi + ch * oc + o];
  });
}

void netc_conv2d_bwd_data_f64(const double *dy, const double *w, double *dx,
                              int64_t n, int64_t h, int64_t wd, int64_t c,
                              int64_t kh, int64_t kw, int64_t oc, int64_t sh,
                              int64_t sw, int64_t pt, int64_t /*pb*/,
                              int64_t pl, int64_t /*pr*/, int64_t oh,
                              int64_t ow) {
  const Timed timed(Family::conv_bwd_data);
  const Conv d{n, h, wd, c, kh, kw, oc, sh, sw, pt, pl, oh, ow};
  std::fill(dx, dx + n * h * wd * c, 0.0);
  d.forEachTap([&](int64_t xi, int64_t yi, int64_t wi) {
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t o = 0; o < oc; ++o)
        dx[xi + ch] += dy[yi + o] * w[wi + ch * oc + o];
  });
}

void netc_conv2d_bwd_weights_f64(const double *x, const double *dy, double *dw,
                                 int64_t n, int64_t h, int64_t wd, int64_t c,
                                 int64_t kh, int64_t kw, int64_t oc, int64_t sh,
                                 int64_t sw, int64_t pt, int64_t /*pb*/,
                                 int64_t pl, int64_t /*pr*/, int64_t oh,
                                 int64_t ow) {
  const Timed timed(Family::conv_bwd_weights);
  const Conv d{n, h, wd, c, kh, kw, oc, sh, sw, pt, pl, oh, ow};
  std::fill(dw, dw + kh * kw * c * oc, 0.0);
  d.forEachTap([&](int64_t xi, int64_t yi, int64_t wi) {
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t o = 0; o < oc; ++o)
        dw[wi + ch * oc + o] += x[xi + ch] * dy[yi + o];
  });
}

void netc_pool_fwd_f64(int64_t kind, const double *x, double *y, int64_t n,
                       int64_t h, int64_t wd, int64_t c, int64_t kh, int64_t kw,
                       int64_t sh, int64_t sw, int64_t pt, int64_t /*pb*/,
                       int64_t pl, int64_t /*pr*/, int64_t oh, int64_t ow) {
  const Timed timed(Family::pool_fwd);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window win(oy, ox, h, wd, kh, kw, sh, sw, pt, pl);
        for (int64_t ch = 0; ch < c; ++ch) {
          double acc = kind == 0 && !win.empty()
                           ? -std::numeric_limits<double>::infinity()
                           : 0.0;
          for (int64_t i = win.i0; i < win.i1; ++i)
            for (int64_t j = win.j0; j < win.j1; ++j) {
              const double v = x[((b * h + i) * wd + j) * c + ch];
              acc = kind == 0 ? std::max(acc, v) : acc + v;
            }
          if (kind != 0 && !win.empty())
            acc /= win.count();
          y[((b * oh + oy) * ow + ox) * c + ch] = acc;
        }
      }
}

void netc_pool_bwd_f64(int64_t kind, const double *x, const double *dy,
                       double *dx, int64_t n, int64_t h, int64_t wd, int64_t c,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                       int64_t pt, int64_t /*pb*/, int64_t pl, int64_t /*pr*/,
                       int64_t oh, int64_t ow) {
  const Timed timed(Family::pool_bwd);
  std::fill(dx, dx + n * h * wd * c, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Window win(oy, ox, h, wd, kh, kw, sh, sw, pt, pl);
        if (win.empty())
          continue;
        for (int64_t ch = 0; ch < c; ++ch) {
          const double g = dy[((b * oh + oy) * ow + ox) * c + ch];
          // Max: the first maximum in row-major window order takes it all.
          int64_t best = ((b * h + win.i0) * wd + win.j0) * c + ch;
          for (int64_t i = win.i0; i < win.i1; ++i)
            for (int64_t j = win.j0; j < win.j1; ++j) {
              const int64_t at = ((b * h + i) * wd + j) * c + ch;
              if (kind != 0)
                dx[at] += g / win.count();
              else if (x[at] > x[best])
                best = at;
            }
          if (kind == 0)
            dx[best] += g;
        }
      }
}

void netc_matmul_f64(const double *a, const double *b, double *c, int64_t m,
                     int64_t n, int64_t k, int64_t transA, int64_t transB) {
  const Timed timed(Family::matmul);
  // Row i of C accumulates A[i, p] * row p of B (rows of B contiguous when
  // it is not transposed).
  std::fill(c, c + m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      const double aip = transA ? a[p * m + i] : a[i * k + p];
      for (int64_t j = 0; j < n; ++j)
        c[i * n + j] += aip * (transB ? b[j * k + p] : b[p * n + j]);
    }
}

} // extern "C"
