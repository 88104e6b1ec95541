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
// The chunk bodies are compiled twice, for AVX2+FMA and for the baseline, and
// chosen by cpuid once; the helpers are always inlined into both. (Not
// target_clones: clang's resolver reads compiler-rt's CPU feature bits, and
// programs link libgcc's, which lay them out differently.)
//
// Threads: the calling thread packs the weights, then netc_parallel_for
// (netc/Parallel.h) runs chunks on the OpenMP team -- forward and backward
// data over the batch's output pixels (so a batch of one still splits) or,
// strided backward data, over images; backward weights over rows (taps) of
// dw per pair of panels, each chunk reducing over every image and pixel in
// their order (the batch reduction is never split). Boundaries never change
// a tile's partial sums (see tileBoundary), so every element is computed by
// one thread with the serial operations in the serial order: results are the
// same bit for bit for any thread count. Small calls run serially.
//
//===----------------------------------------------------------------------===//
#include "SmallConv.h"

#include "netc/Parallel.h"

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
/// largest shape has been seen. The calling thread's `packed`, `koff` and
/// `ident` are read by every chunk; `pad`, `dcol` and `tail` are used only
/// by the chunks that run on their thread.
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

/// MR output pixels starting at pixel p x NP panels: out rows p.. = sum_k
/// A[p, k] * panels[k, :]. KU independent partial sums over k keep the FMA
/// pipes busy when MR alone gives too few chains.
template <int MR, int KU, int NP>
NETC_INLINE void fwdTile(const Image &im, int64_t p, const float *panel,
                         int64_t panelStride, float *out, int64_t ldc,
                         const int64_t *nb) {
  int64_t oy = p / im.ow, ox = p % im.ow;
  out += p * ldc;
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

/// A chunk's boundary `p` in [0, count), for tiles of `mr` rows from 0.
/// Every element of those full tiles is one chain whatever the tile's
/// height, so a boundary among them only rounds to a multiple of `unit` (a
/// divisor of mr: no tile narrower than that); one in the tail after them
/// (tiles of 2 and 1 rows, whose partial sums differ) moves to its end, so
/// the tail stays whole on one thread, summed as in serial order.
NETC_INLINE int64_t tileBoundary(int64_t p, int64_t count, int64_t mr,
                                 int64_t unit) {
  return p <= count / mr * mr ? (p + unit / 2) / unit * unit : count;
}

/// Pixels [p0, p1) of one image x NP panels (boundaries at multiples of MR).
template <int NP, int MR>
NETC_INLINE void fwdPanels(const Image &im, int64_t pixels, int64_t p0,
                           int64_t p1, const float *panel, float *out,
                           int64_t ldc, const int64_t *nb) {
  const int64_t stride = im.k * kLanes;
  p0 = tileBoundary(p0, pixels, MR, MR);
  p1 = tileBoundary(p1, pixels, MR, MR);
  const int64_t full = std::min(p1, pixels / MR * MR);
  int64_t p = p0;
  for (; p + MR <= full; p += MR)
    fwdTile<MR, 1, NP>(im, p, panel, stride, out, ldc, nb);
  if (p1 < pixels)
    return;
  for (; p + 2 <= pixels; p += 2)
    fwdTile<2, 2, NP>(im, p, panel, stride, out, ldc, nb);
  if (p < pixels)
    fwdTile<1, 4, NP>(im, p, panel, stride, out, ldc, nb);
}

/// out[p, n] = A[p, K] * B for pixels [p0, p1) of one image, B packed; out
/// points at the image's first pixel.
NETC_INLINE void fwdImage(const Image &im, int64_t pixels, int64_t p0,
                          int64_t p1, const float *packed, int64_t n,
                          float *out) {
  for (int64_t n0 = 0; n0 < n; n0 += 2 * kLanes) {
    const int64_t nb[2] = {std::min(kLanes, n - n0),
                           std::min(kLanes, n - n0 - kLanes)};
    const float *panel = packed + (n0 / kLanes) * im.k * kLanes;
    if (nb[1] > 0)
      fwdPanels<2, 4>(im, pixels, p0, p1, panel, out + n0, n, nb);
    else
      fwdPanels<1, 8>(im, pixels, p0, p1, panel, out + n0, n, nb);
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

/// A forward convolution of n images with packed weights ([K, oc] panels),
/// in chunks of its n * pixels output pixels; pads as in the ABI (no
/// negative ones).
struct Forward {
  const float *x;
  int64_t h, w, c, pt, pb, pl, pr;
  Image proto; // window steps and tap offsets; x is set per image
  int64_t pixels;
  const float *packed;
  int64_t oc;
  float *y;
};

/// Output pixels [lo, hi) of the batch (a chunk may start or end inside an
/// image: both chunks pad that image, each in its own buffer).
NETC_INLINE void runChunk(const Forward &f, int64_t lo, int64_t hi) {
  const int64_t hp = f.h + f.pt + f.pb, wp = f.w + f.pl + f.pr;
  float *buf = grow(tls.pad, f.pt + f.pb + f.pl + f.pr > 0 ? hp * wp * f.c : 0);
  for (int64_t b = lo / f.pixels; b * f.pixels < hi; ++b) {
    Image im = f.proto;
    im.x = padded(f.x + b * f.h * f.w * f.c, f.h, f.w, f.c, f.pt, f.pb, f.pl,
                  f.pr, buf);
    const int64_t first = b * f.pixels;
    fwdImage(im, f.pixels, std::max<int64_t>(lo - first, 0),
             std::min(hi - first, f.pixels), f.packed, f.oc,
             f.y + first * f.oc);
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

/// Taps [k0, k1) of dw x NP panels. Each tap is a reduction over the whole
/// batch, so boundaries round to half tiles (MR / 2 rows still keep four
/// chains busy); the tail goes whole to the chunk that reaches the last tap.
template <int NP, int MR>
NETC_INLINE void bwdWeightsPanels(const Image &im, int64_t oh, int64_t k0,
                                  int64_t k1, const float *dy, int64_t ldy,
                                  float *dw, int64_t ldw, const int64_t *nb) {
  k0 = tileBoundary(k0, im.k, MR, MR / 2);
  k1 = tileBoundary(k1, im.k, MR, MR / 2);
  const int64_t full = std::min(k1, im.k / MR * MR);
  int64_t k = k0;
  for (; k + MR <= full; k += MR)
    bwdWeightsTile<MR, 1, NP>(im, oh, k, dy, ldy, dw, ldw, nb);
  if (k + MR / 2 <= full) {
    bwdWeightsTile<MR / 2, 1, NP>(im, oh, k, dy, ldy, dw, ldw, nb);
    k += MR / 2;
  }
  if (k1 < im.k)
    return;
  for (; k + 2 <= im.k; k += 2)
    bwdWeightsTile<2, 2, NP>(im, oh, k, dy, ldy, dw, ldw, nb);
  if (k < im.k)
    bwdWeightsTile<1, 4, NP>(im, oh, k, dy, ldy, dw, ldw, nb);
}

/// The strided backward data, in chunks of images: each image's dcol
/// (dy * w^T, the rows of dy as a 1x1 "image") in the thread's own buffer,
/// then its col2im.
struct StridedData {
  const float *dy;
  ConvDims d;
  const float *packed; // w^T as [oc, K] panels
  const int64_t *ident;
  float *dx;
};

NETC_INLINE void runChunk(const StridedData &s, int64_t lo, int64_t hi) {
  const ConvDims &d = s.d;
  const int64_t pixels = d.oh * d.ow, k = d.kh * d.kw * d.c;
  const int64_t image = d.h * d.w * d.c;
  float *dcol = grow(tls.dcol, pixels * k);
  for (int64_t b = lo; b < hi; ++b) {
    float *dxb = s.dx + b * image;
    std::fill(dxb, dxb + image, 0.0f);
    const Image im{s.dy + b * pixels * d.oc, 0, d.oc, pixels, s.ident, d.oc};
    fwdImage(im, pixels, 0, pixels, s.packed, k, dcol);
    col2im(dcol, d, dxb);
  }
}

/// The backward weights, in chunks of the rows of dw (taps) of each pair of
/// panels (items pair * K + tap): every chunk reduces over all images and
/// pixels in their order, so the batch reduction is never split.
struct Weights {
  const float *x, *dy;
  ConvDims d;
  Image proto; // window steps and tap offsets; x is set per image
  float *dw;
};

/// Image b's rows of dy. 16-float reads of dy's rows run past the end of the
/// last rows of the batch: those images read a padded copy in `tail`.
NETC_INLINE const float *dyRows(const float *dy, int64_t b, int64_t rows,
                                const ConvDims &d, float *tail) {
  const int64_t floats = rows * d.oc;
  const float *dyb = dy + b * floats;
  if ((b + 1) * floats + kLanes <= d.n * floats)
    return dyb;
  std::memcpy(tail, dyb, sizeof(float) * floats);
  std::fill(tail + floats, tail + floats + kLanes, 0.0f);
  return tail;
}

NETC_INLINE void runChunk(const Weights &job, int64_t lo, int64_t hi) {
  const ConvDims &d = job.d;
  const int64_t k = job.proto.k, pixels = d.oh * d.ow;
  const int64_t hp = d.h + d.pt + d.pb, wp = d.w + d.pl + d.pr;
  float *buf = grow(tls.pad, d.pt + d.pb + d.pl + d.pr > 0 ? hp * wp * d.c : 0);
  float *tail = grow(tls.tail, pixels * d.oc + kLanes);
  for (int64_t b = 0; b < d.n; ++b) {
    Image im = job.proto;
    im.x = padded(job.x + b * d.h * d.w * d.c, d.h, d.w, d.c, d.pt, d.pb, d.pl,
                  d.pr, buf);
    const float *dyb = dyRows(job.dy, b, pixels, d, tail);
    for (int64_t pair = lo / k; pair * k < hi; ++pair) {
      const int64_t n0 = pair * 2 * kLanes;
      const int64_t k0 = std::max<int64_t>(lo - pair * k, 0);
      const int64_t k1 = std::min(hi - pair * k, k);
      const int64_t nb[2] = {std::min(kLanes, d.oc - n0),
                             std::min(kLanes, d.oc - n0 - kLanes)};
      if (nb[1] > 0)
        bwdWeightsPanels<2, 4>(im, d.oh, k0, k1, dyb + n0, d.oc, job.dw + n0,
                               d.oc, nb);
      else
        bwdWeightsPanels<1, 8>(im, d.oh, k0, k1, dyb + n0, d.oc, job.dw + n0,
                               d.oc, nb);
    }
  }
}

/// A chunk's body for netc_parallel_for, compiled for the baseline and for
/// AVX2+FMA.
template <typename Job> void bodyBase(void *job, int64_t lo, int64_t hi) {
  runChunk(*static_cast<const Job *>(job), lo, hi);
}

#ifdef NETC_AVX2_TARGET
template <typename Job>
NETC_AVX2_TARGET void bodyAvx2(void *job, int64_t lo, int64_t hi) {
  runChunk(*static_cast<const Job *>(job), lo, hi);
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
#endif

/// Runs the job's items [0, items) in chunks over the OpenMP team, or on the
/// calling thread inside a parallel region or when the whole is too small
/// for a fork/join (netc_parallel_for). Its work unit is an operation; these
/// loops issue about one instruction (an 8-lane FMA, a broadcast, a panel's
/// load) per 4 multiply-adds. On the shared 2-core VM a fork/join can wait
/// for a time slice: counted in multiply-adds, LeNet's batch-32 step forked
/// its second convolution's calls and went from 3-5 to 33-46 ms/step at a
/// load of 5 (libgomp's spinning threads); counted so, it stays serial.
template <typename Job>
void runJob(Job &job, int64_t items, int64_t macsPerItem) {
  const int64_t work = std::max<int64_t>(macsPerItem / 4, 1);
#ifdef NETC_AVX2_TARGET
  if (kAvx2)
    return netc_parallel_for(bodyAvx2<Job>, &job, 0, items, work);
#endif
  netc_parallel_for(bodyBase<Job>, &job, 0, items, work);
}

int64_t roundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

/// The forward convolution with weights packed by the caller (read by every
/// chunk); the tap offsets live in the calling thread's scratch.
void convForward(const float *x, int64_t n, int64_t h, int64_t w, int64_t c,
                 int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                 int64_t pb, int64_t pl, int64_t pr, int64_t oh, int64_t ow,
                 const float *packed, int64_t oc, float *y) {
  const int64_t wp = w + pl + pr, k = kh * kw * c;
  const Image proto{nullptr, sh * wp * c, sw * c, ow, tapOffsets(kh, kw, c, wp),
                    k};
  Forward job{x, h, w, c, pt, pb, pl, pr, proto, oh * ow, packed, oc, y};
  runJob(job, n * oh * ow, k * roundUp(oc, kLanes));
}

/// Whether the backward data is cheaper as the forward convolution of dy
/// with the flipped weights (stride 1, padding at most kh-1, kw-1) than as
/// dcol and col2im. Vector work of each way: the flipped convolution has c
/// columns, the strided way K columns and a scalar col2im.
bool flippedData(const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c;
  const int64_t flippedCost =
      d.h * d.w * d.kh * d.kw * d.oc * ((d.c + kLanes - 1) / kLanes);
  const int64_t dcolCost =
      d.oh * d.ow * (d.oc * ((k + kLanes - 1) / kLanes) + k);
  return d.sh == 1 && d.sw == 1 && d.pt < d.kh && d.pb < d.kh && d.pl < d.kw &&
         d.pr < d.kw && flippedCost <= dcolCost;
}

void flippedBwdData(const float *dy, const float *w, float *dx,
                    const ConvDims &d) {
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
  convForward(dy, d.n, d.oh, d.ow, d.oc, d.kh, d.kw, 1, 1, d.kh - 1 - d.pt,
              d.kh - 1 - d.pb, d.kw - 1 - d.pl, d.kw - 1 - d.pr, d.h, d.w,
              packed, d.c, dx);
}

} // namespace

bool oneDnnOnly() {
  static const bool only = [] {
    const char *v = std::getenv("NETC_CONV");
    return v && std::string(v) == "onednn";
  }();
  return only;
}

bool smallConv(const ConvDims &d) {
  if (oneDnnOnly())
    return false;
  return d.c * d.kh * d.kw <= 576 && d.oc <= 64 && d.kh > 0 && d.kw > 0 &&
         d.pt >= 0 && d.pb >= 0 && d.pl >= 0 && d.pr >= 0;
}

// The entry points prepare on the calling thread what every chunk reads
// (packed weights, tap offsets: the caller's scratch, read-only while the
// chunks run); a chunk's own scratch (padded images, dcol, dy's tail) is its
// thread's.

void smallConvFwd(const float *x, const float *w, float *y, const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c;
  float *packed = grow(tls.packed, panelFloats(k, d.oc));
  packB(w, d.oc, 1, k, d.oc, packed);
  convForward(x, d.n, d.h, d.w, d.c, d.kh, d.kw, d.sh, d.sw, d.pt, d.pb, d.pl,
              d.pr, d.oh, d.ow, packed, d.oc, y);
}

void smallConvBwdData(const float *dy, const float *w, float *dx,
                      const ConvDims &d) {
  if (flippedData(d))
    return flippedBwdData(dy, w, dx, d);
  const int64_t k = d.kh * d.kw * d.c, pixels = d.oh * d.ow;
  float *packed = grow(tls.packed, panelFloats(d.oc, k));
  packB(w, 1, d.oc, d.oc, k, packed);
  std::vector<int64_t> &ident = tls.ident;
  ident.resize(d.oc);
  for (int64_t o = 0; o < d.oc; ++o)
    ident[o] = o;
  StridedData job{dy, d, packed, ident.data(), dx};
  runJob(job, d.n, pixels * (roundUp(k, kLanes) * d.oc + k));
}

void smallConvBwdWeights(const float *x, const float *dy, float *dw,
                         const ConvDims &d) {
  const int64_t k = d.kh * d.kw * d.c, wp = d.w + d.pl + d.pr;
  std::fill(dw, dw + k * d.oc, 0.0f);
  const Image proto{nullptr,
                    d.sh * wp * d.c,
                    d.sw * d.c,
                    d.ow,
                    tapOffsets(d.kh, d.kw, d.c, wp),
                    k};
  Weights job{x, dy, d, proto, dw};
  const int64_t pairs = (d.oc + 2 * kLanes - 1) / (2 * kLanes);
  runJob(job, pairs * k, d.n * d.oh * d.ow * 2 * kLanes);
}

} // namespace netc::rt::kernels
