//===- SmallConv.cpp - Direct convolutions for few channels ---------------===//
//
// Implicit GEMM, no im2col: with K = kh*kw*c taps and P output pixels,
//
//   forward      y_b[P, oc]  = A_b[P, K] * w[K, oc]
//   backward w   dw[K, oc]  += A_b^T[K, P] * dy_b[P, oc]
//   backward x   (stride 1) the forward convolution of dy, padded by
//                kh-1-pt.. , with the flipped, transposed weights; (strided)
//                dcol[P, K] = dy_b[P, oc] * w^T[oc, K], then col2im
//
// where A_b[p, k] = xpad_b[base(p) + koff(k)]: `base` is the window's corner
// for pixel p, `koff` the tap's offset inside a window; xpad is the image
// copied with zero borders when the convolution pads. w is packed in
// zero-padded panels of 8 columns; a register tile holds 8 rows x 8
// columns or 4 rows x 16 (one 256-bit vector per row and panel on AVX2) and
// the inner loop is a broadcast and an FMA per row, panel and tap.
//
// The entry points are compiled twice, for AVX2+FMA and for the baseline, and
// chosen by cpuid once; the helpers are always inlined into both. (Not
// target_clones: clang's resolver reads compiler-rt's CPU feature bits, and
// programs link libgcc's, which lay them out differently.) Everything runs on
// the calling thread in a fixed order, so results are reproducible bit for
// bit.
//
//===----------------------------------------------------------------------===//
#include "SmallConv.h"

#include <cstdlib>
#include <string>

#include <algorithm>
#include <cstring>
#include <vector>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#define NETC_AVX2_TARGET __attribute__((target("avx2,fma")))
#endif

// vec never crosses a call boundary (every helper is always inlined).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace netc::rt::kernels {

namespace {

#define NETC_INLINE inline __attribute__((always_inline))

typedef float vec __attribute__((vector_size(32))); // a panel's row

constexpr int64_t kLanes = 8;

NETC_INLINE vec loadVec(const float *p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Scratch that lives as long as the thread: no allocation per call once the
/// largest shape has been seen.
struct Scratch {
  std::vector<float> pad, packed, dcol, tail;
  std::vector<int64_t> koff, ident;
};
thread_local Scratch tls;

float *grow(std::vector<float> &buf, int64_t floats) {
  if (static_cast<int64_t>(buf.size()) < floats)
    buf.resize(floats);
  return buf.data();
}

/// B[k, n] = b[k * brs + n * bcs] packed as ceil(N / 16) panels of K x 16.
void packB(const float *b, int64_t brs, int64_t bcs, int64_t k, int64_t n,
           float *out) {
  for (int64_t n0 = 0; n0 < n; n0 += kLanes) {
    const int64_t nb = std::min(kLanes, n - n0);
    for (int64_t kk = 0; kk < k; ++kk) {
      float *row = out + kk * kLanes;
      for (int64_t l = 0; l < nb; ++l)
        row[l] = b[kk * brs + (n0 + l) * bcs];
      for (int64_t l = nb; l < kLanes; ++l)
        row[l] = 0.0f;
    }
    out += k * kLanes;
  }
}

int64_t panelFloats(int64_t k, int64_t n) {
  return (n + kLanes - 1) / kLanes * k * kLanes;
}

/// Stores (or adds) the first nb lanes of a tile row. Fixed-size copies: a
/// loop over nb would become a call of memcpy.
NETC_INLINE void storeRow(float *out, const vec &acc, int64_t nb,
                          bool accumulate) {
  float t[kLanes];
  std::memcpy(t, &acc, sizeof t);
  if (accumulate) {
    for (int64_t l = 0; l < nb; ++l)
      out[l] += t[l];
    return;
  }
  switch (nb) {
#define NETC_STORE(N)                                                          \
  case N:                                                                      \
    std::memcpy(out, t, N * sizeof(float));                                    \
    return;
    NETC_STORE(1)
    NETC_STORE(2)
    NETC_STORE(3)
    NETC_STORE(4)
    NETC_STORE(5)
    NETC_STORE(6)
    NETC_STORE(7)
#undef NETC_STORE
  default:
    std::memcpy(out, t, sizeof t);
  }
}

/// An image as the implicit GEMM's A: pixel p = (oy, ox) starts its window
/// at x + oy * rowStep + ox * colStep; tap k adds koff[k].
struct Image {
  const float *x;
  int64_t rowStep, colStep, ow;
  const int64_t *koff;
  int64_t k;
};

/// MR output pixels starting at (oy, ox) x NP panels: out rows = sum_k
/// A[p, k] * panels[k, :]. KU independent partial sums over k keep the FMA
/// pipes busy when MR alone gives too few chains.
template <int MR, int KU, int NP>
NETC_INLINE void fwdTile(const Image &im, int64_t oy, int64_t ox,
                         const float *panel, int64_t panelStride, float *out,
                         int64_t ldc, const int64_t *nb) {
  const float *base[MR];
  for (int r = 0; r < MR; ++r) {
    base[r] = im.x + oy * im.rowStep + ox * im.colStep;
    if (++ox == im.ow) {
      ox = 0;
      ++oy;
    }
  }
  vec acc[KU][MR][NP];
  for (int u = 0; u < KU; ++u)
    for (int r = 0; r < MR; ++r)
      for (int q = 0; q < NP; ++q)
        acc[u][r][q] = vec{};
  int64_t kk = 0;
  for (; kk + KU <= im.k; kk += KU)
    for (int u = 0; u < KU; ++u) {
      vec b[NP];
      for (int q = 0; q < NP; ++q)
        b[q] = loadVec(panel + q * panelStride + (kk + u) * kLanes);
      const int64_t off = im.koff[kk + u];
      for (int r = 0; r < MR; ++r) {
        const float a = base[r][off];
        for (int q = 0; q < NP; ++q)
          acc[u][r][q] += a * b[q];
      }
    }
  for (; kk < im.k; ++kk) {
    vec b[NP];
    for (int q = 0; q < NP; ++q)
      b[q] = loadVec(panel + q * panelStride + kk * kLanes);
    const int64_t off = im.koff[kk];
    for (int r = 0; r < MR; ++r) {
      const float a = base[r][off];
      for (int q = 0; q < NP; ++q)
        acc[0][r][q] += a * b[q];
    }
  }
  for (int u = 1; u < KU; ++u)
    for (int r = 0; r < MR; ++r)
      for (int q = 0; q < NP; ++q)
        acc[0][r][q] += acc[u][r][q];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q)
      storeRow(out + r * ldc + q * kLanes, acc[0][r][q], nb[q], false);
}

template <int NP, int MR>
NETC_INLINE void fwdPanels(const Image &im, int64_t pixels, const float *panel,
                           float *out, int64_t ldc, const int64_t *nb) {
  const int64_t stride = im.k * kLanes;
  int64_t p = 0;
  for (; p + MR <= pixels; p += MR)
    fwdTile<MR, 1, NP>(im, p / im.ow, p % im.ow, panel, stride, out + p * ldc,
                       ldc, nb);
  for (; p + 2 <= pixels; p += 2)
    fwdTile<2, 2, NP>(im, p / im.ow, p % im.ow, panel, stride, out + p * ldc,
                      ldc, nb);
  if (p < pixels)
    fwdTile<1, 4, NP>(im, p / im.ow, p % im.ow, panel, stride, out + p * ldc,
                      ldc, nb);
}

/// out[P, n] = A[P, K] * B for all pixels of one image, B packed.
NETC_INLINE void fwdImage(const Image &im, int64_t pixels, const float *packed,
                          int64_t n, float *out) {
  for (int64_t n0 = 0; n0 < n; n0 += 2 * kLanes) {
    const int64_t nb[2] = {std::min(kLanes, n - n0),
                           std::min(kLanes, n - n0 - kLanes)};
    const float *panel = packed + (n0 / kLanes) * im.k * kLanes;
    if (nb[1] > 0)
      fwdPanels<2, 4>(im, pixels, panel, out + n0, n, nb);
    else
      fwdPanels<1, 8>(im, pixels, panel, out + n0, n, nb);
  }
}

/// The image with zero borders (top, bottom, left, right), row-major
/// [h + t + b, w + l + r, c]; the image itself when there are none.
NETC_INLINE const float *padded(const float *x, int64_t h, int64_t w, int64_t c,
                                int64_t t, int64_t b, int64_t l, int64_t r,
                                float *buf) {
  if (t == 0 && b == 0 && l == 0 && r == 0)
    return x;
  const int64_t wp = w + l + r;
  std::fill(buf, buf + (h + t + b) * wp * c, 0.0f);
  for (int64_t y = 0; y < h; ++y)
    std::memcpy(buf + ((y + t) * wp + l) * c, x + y * w * c,
                sizeof(float) * w * c);
  return buf;
}

/// Tap offsets inside a window of a [*, wp, c] image.
const int64_t *tapOffsets(int64_t kh, int64_t kw, int64_t c, int64_t wp) {
  std::vector<int64_t> &koff = tls.koff;
  koff.resize(kh * kw * c);
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j)
      for (int64_t ch = 0; ch < c; ++ch)
        koff[(i * kw + j) * c + ch] = (i * wp + j) * c + ch;
  return koff.data();
}

/// A forward convolution of n images with weights already packed ([K, n]
/// panels); pads as in the ABI (no negative ones).
NETC_INLINE void convForward(const float *x, int64_t n, int64_t h, int64_t w,
                             int64_t c, int64_t kh, int64_t kw, int64_t sh,
                             int64_t sw, int64_t pt, int64_t pb, int64_t pl,
                             int64_t pr, int64_t oh, int64_t ow,
                             const float *packed, int64_t oc, float *y) {
  const int64_t hp = h + pt + pb, wp = w + pl + pr;
  float *buf = grow(tls.pad, pt + pb + pl + pr > 0 ? hp * wp * c : 0);
  const Image proto{
      nullptr, sh * wp * c, sw * c, ow, tapOffsets(kh, kw, c, wp), kh * kw * c};
  for (int64_t b = 0; b < n; ++b) {
    Image im = proto;
    im.x = padded(x + b * h * w * c, h, w, c, pt, pb, pl, pr, buf);
    fwdImage(im, oh * ow, packed, oc, y + b * oh * ow * oc);
  }
}

/// dx_b += col2im(dcol) for all pixels of one image (strided convolutions).
NETC_INLINE void col2im(const float *dcol, const ConvDims &d, float *dxb) {
  const int64_t kw = d.kw, c = d.c, k = d.kh * d.kw * d.c;
  for (int64_t oy = 0; oy < d.oh; ++oy)
    for (int64_t ox = 0; ox < d.ow; ++ox) {
      const float *row = dcol + (oy * d.ow + ox) * k;
      const int64_t x0 = ox * d.sw - d.pl;
      for (int64_t i = 0; i < d.kh; ++i) {
        const int64_t iy = oy * d.sh - d.pt + i;
        if (iy < 0 || iy >= d.h)
          continue;
        const float *s = row + i * kw * c;
        float *dst = dxb + iy * d.w * c;
        for (int64_t j = 0; j < kw; ++j) {
          const int64_t ix = x0 + j;
          if (ix >= 0 && ix < d.w)
            for (int64_t ch = 0; ch < c; ++ch)
              dst[ix * c + ch] += s[j * c + ch];
        }
      }
    }
}

/// MR taps x NP panels of dw: the reduction over all pixels of one image.
/// Rows of dy are read a panel at a time; lanes past nb hold neighbouring
/// values and are discarded.
template <int MR, int PU, int NP>
NETC_INLINE void bwdWeightsTile(const Image &im, int64_t oh, int64_t k0,
                                const float *dy, int64_t ldy, float *dw,
                                int64_t ldw, const int64_t *nb) {
  int64_t off[MR];
  for (int r = 0; r < MR; ++r)
    off[r] = im.koff[k0 + r];
  vec acc[PU][MR][NP];
  for (int u = 0; u < PU; ++u)
    for (int r = 0; r < MR; ++r)
      for (int q = 0; q < NP; ++q)
        acc[u][r][q] = vec{};
  for (int64_t oy = 0; oy < oh; ++oy) {
    const float *xr = im.x + oy * im.rowStep;
    const float *dyr = dy + oy * im.ow * ldy;
    int64_t ox = 0;
    for (; ox + PU <= im.ow; ox += PU)
      for (int u = 0; u < PU; ++u) {
        vec b[NP];
        for (int q = 0; q < NP; ++q)
          b[q] = loadVec(dyr + (ox + u) * ldy + q * kLanes);
        const float *base = xr + (ox + u) * im.colStep;
        for (int r = 0; r < MR; ++r) {
          const float a = base[off[r]];
          for (int q = 0; q < NP; ++q)
            acc[u][r][q] += a * b[q];
        }
      }
    for (; ox < im.ow; ++ox) {
      vec b[NP];
      for (int q = 0; q < NP; ++q)
        b[q] = loadVec(dyr + ox * ldy + q * kLanes);
      const float *base = xr + ox * im.colStep;
      for (int r = 0; r < MR; ++r) {
        const float a = base[off[r]];
        for (int q = 0; q < NP; ++q)
          acc[0][r][q] += a * b[q];
      }
    }
  }
  for (int u = 1; u < PU; ++u)
    for (int r = 0; r < MR; ++r)
      for (int q = 0; q < NP; ++q)
        acc[0][r][q] += acc[u][r][q];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q)
      storeRow(dw + (k0 + r) * ldw + q * kLanes, acc[0][r][q], nb[q], true);
}

template <int NP, int MR>
NETC_INLINE void bwdWeightsPanels(const Image &im, int64_t oh, const float *dy,
                                  int64_t ldy, float *dw, int64_t ldw,
                                  const int64_t *nb) {
  int64_t k0 = 0;
  for (; k0 + MR <= im.k; k0 += MR)
    bwdWeightsTile<MR, 1, NP>(im, oh, k0, dy, ldy, dw, ldw, nb);
  for (; k0 + 2 <= im.k; k0 += 2)
    bwdWeightsTile<2, 2, NP>(im, oh, k0, dy, ldy, dw, ldw, nb);
  if (k0 < im.k)
    bwdWeightsTile<1, 4, NP>(im, oh, k0, dy, ldy, dw, ldw, nb);
}

NETC_INLINE void fwdImpl(const float *x, const float *w, float *y,
                         const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c;
  float *packed = grow(tls.packed, panelFloats(k, d.oc));
  packB(w, d.oc, 1, k, d.oc, packed);
  convForward(x, d.n, d.h, d.w, d.c, d.kh, d.kw, d.sh, d.sw, d.pt, d.pb, d.pl,
              d.pr, d.oh, d.ow, packed, d.oc, y);
}

NETC_INLINE void bwdDataImpl(const float *dy, const float *w, float *dx,
                             const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c;
  const int64_t ft = d.kh - 1 - d.pt, fb = d.kh - 1 - d.pb,
                fl = d.kw - 1 - d.pl, fr = d.kw - 1 - d.pr;
  // Vector work of each way: the flipped convolution has c columns, the
  // strided way K columns and a scalar col2im.
  const int64_t flippedCost =
      d.h * d.w * d.kh * d.kw * d.oc * ((d.c + kLanes - 1) / kLanes);
  const int64_t dcolCost =
      d.oh * d.ow * (d.oc * ((k + kLanes - 1) / kLanes) + k);
  if (d.sh == 1 && d.sw == 1 && ft >= 0 && fb >= 0 && fl >= 0 && fr >= 0 &&
      flippedCost <= dcolCost) {
    // w'[i', j', o, ch] = w[kh-1-i', kw-1-j', ch, o] as [kh*kw*oc, c].
    const int64_t kt = d.kh * d.kw * d.oc;
    float *packed = grow(tls.packed, panelFloats(kt, d.c));
    float *flipped = grow(tls.dcol, kt * d.c);
    for (int64_t i = 0; i < d.kh; ++i)
      for (int64_t j = 0; j < d.kw; ++j)
        for (int64_t o = 0; o < d.oc; ++o)
          for (int64_t ch = 0; ch < d.c; ++ch)
            flipped[((i * d.kw + j) * d.oc + o) * d.c + ch] =
                w[(((d.kh - 1 - i) * d.kw + (d.kw - 1 - j)) * d.c + ch) * d.oc +
                  o];
    packB(flipped, d.c, 1, kt, d.c, packed);
    convForward(dy, d.n, d.oh, d.ow, d.oc, d.kh, d.kw, 1, 1, ft, fb, fl, fr,
                d.h, d.w, packed, d.c, dx);
    return;
  }
  // Strided: dcol = dy * w^T with the rows of dy as a 1x1 "image".
  const int64_t pixels = d.oh * d.ow;
  float *packed = grow(tls.packed, panelFloats(d.oc, k));
  packB(w, 1, d.oc, d.oc, k, packed);
  float *dcol = grow(tls.dcol, pixels * k);
  std::vector<int64_t> &ident = tls.ident;
  ident.resize(d.oc);
  for (int64_t o = 0; o < d.oc; ++o)
    ident[o] = o;
  std::fill(dx, dx + d.n * d.h * d.w * d.c, 0.0f);
  for (int64_t b = 0; b < d.n; ++b) {
    const Image im{dy + b * pixels * d.oc, 0, d.oc, pixels, ident.data(), d.oc};
    fwdImage(im, pixels, packed, k, dcol);
    col2im(dcol, d, dx + b * d.h * d.w * d.c);
  }
}

NETC_INLINE void bwdWeightsImpl(const float *x, const float *dy, float *dw,
                                const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c, pixels = d.oh * d.ow;
  const int64_t hp = d.h + d.pt + d.pb, wp = d.w + d.pl + d.pr;
  std::fill(dw, dw + k * d.oc, 0.0f);
  float *buf = grow(tls.pad, d.pt + d.pb + d.pl + d.pr > 0 ? hp * wp * d.c : 0);
  // 16-float reads of dy's rows run past the end of the last rows of the
  // batch: those images read a padded copy instead.
  const int64_t ldy = d.oc;
  const int64_t total = d.n * pixels * ldy;
  float *tail = grow(tls.tail, pixels * ldy + kLanes);
  const Image proto{nullptr,
                    d.sh * wp * d.c,
                    d.sw * d.c,
                    d.ow,
                    tapOffsets(d.kh, d.kw, d.c, wp),
                    k};
  for (int64_t b = 0; b < d.n; ++b) {
    Image im = proto;
    im.x = padded(x + b * d.h * d.w * d.c, d.h, d.w, d.c, d.pt, d.pb, d.pl,
                  d.pr, buf);
    const float *dyb = dy + b * pixels * ldy;
    if ((b + 1) * pixels * ldy + kLanes > total) {
      std::memcpy(tail, dyb, sizeof(float) * pixels * ldy);
      std::fill(tail + pixels * ldy, tail + pixels * ldy + kLanes, 0.0f);
      dyb = tail;
    }
    for (int64_t n0 = 0; n0 < d.oc; n0 += 2 * kLanes) {
      const int64_t nb[2] = {std::min(kLanes, d.oc - n0),
                             std::min(kLanes, d.oc - n0 - kLanes)};
      if (nb[1] > 0)
        bwdWeightsPanels<2, 4>(im, d.oh, dyb + n0, ldy, dw + n0, d.oc, nb);
      else
        bwdWeightsPanels<1, 8>(im, d.oh, dyb + n0, ldy, dw + n0, d.oc, nb);
    }
  }
}

void fwdBase(const float *x, const float *w, float *y, const ConvDims &d) {
  fwdImpl(x, w, y, d);
}
void bwdDataBase(const float *dy, const float *w, float *dx,
                 const ConvDims &d) {
  bwdDataImpl(dy, w, dx, d);
}
void bwdWeightsBase(const float *x, const float *dy, float *dw,
                    const ConvDims &d) {
  bwdWeightsImpl(x, dy, dw, d);
}

#ifdef NETC_AVX2_TARGET
NETC_AVX2_TARGET
void fwdAvx2(const float *x, const float *w, float *y, const ConvDims &d) {
  fwdImpl(x, w, y, d);
}
NETC_AVX2_TARGET
void bwdDataAvx2(const float *dy, const float *w, float *dx,
                 const ConvDims &d) {
  bwdDataImpl(dy, w, dx, d);
}
NETC_AVX2_TARGET
void bwdWeightsAvx2(const float *x, const float *dy, float *dw,
                    const ConvDims &d) {
  bwdWeightsImpl(x, dy, dw, d);
}

bool detectAvx2() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_FMA))
    return false;
  unsigned lo, hi;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 0x6) != 0x6) // the OS saves SSE and AVX state
    return false;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2);
}

const bool kAvx2 = detectAvx2();
#else
constexpr bool kAvx2 = false;
#endif

} // namespace

bool smallConv(const ConvDims &d) {
  // NETC_CONV=onednn sends every convolution to oneDNN (for comparison).
  static const bool oneDnnOnly = [] {
    const char *v = std::getenv("NETC_CONV");
    return v && std::string(v) == "onednn";
  }();
  if (oneDnnOnly)
    return false;
  return d.c * d.kh * d.kw <= 576 && d.oc <= 64 && d.kh > 0 && d.kw > 0 &&
         d.pt >= 0 && d.pb >= 0 && d.pl >= 0 && d.pr >= 0;
}

void smallConvFwd(const float *x, const float *w, float *y, const ConvDims &d) {
#ifdef NETC_AVX2_TARGET
  if (kAvx2)
    return fwdAvx2(x, w, y, d);
#endif
  fwdBase(x, w, y, d);
}

void smallConvBwdData(const float *dy, const float *w, float *dx,
                      const ConvDims &d) {
#ifdef NETC_AVX2_TARGET
  if (kAvx2)
    return bwdDataAvx2(dy, w, dx, d);
#endif
  bwdDataBase(dy, w, dx, d);
}

void smallConvBwdWeights(const float *x, const float *dy, float *dw,
                         const ConvDims &d) {
#ifdef NETC_AVX2_TARGET
  if (kAvx2)
    return bwdWeightsAvx2(x, dy, dw, d);
#endif
  bwdWeightsBase(x, dy, dw, d);
}

} // namespace netc::rt::kernels
