// Every runtime kernel (and its float64 reference for --gradcheck-f64)
// against naive reference loops written from the ABI's definitions (Abi.h),
// on shapes with stride 2 and asymmetric 'same' padding.
#include "../lib/kernels/GemmConv.h"
#include "TestUtil.h"
#include "netc/Abi.h"
#include "netc/KernelTable.h"
#include "netc/Random.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace netc;
using namespace netc::rt;

namespace {

using netc::test::randomVector;

void expectClose(const std::vector<float> &got, const std::vector<float> &want,
                 double tol = 1e-4) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "at " << i;
}

void expectClose64(const std::vector<double> &got,
                   const std::vector<double> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-12 * (1 + std::abs(want[i]))) << "at " << i;
}

struct ConvShape {
  int64_t n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow;
};

// TensorFlow 'same' arithmetic: out = ceil(in / stride), total padding
// split with the extra row/column at the bottom/right.
ConvShape same(int64_t n, int64_t h, int64_t w, int64_t c, int64_t kh,
               int64_t kw, int64_t oc, int64_t sh, int64_t sw) {
  const int64_t oh = (h + sh - 1) / sh, ow = (w + sw - 1) / sw;
  const int64_t ph = std::max<int64_t>((oh - 1) * sh + kh - h, 0);
  const int64_t pw = std::max<int64_t>((ow - 1) * sw + kw - w, 0);
  return {n,  h,      w,           c,      kh,          kw, oc, sh,
          sw, ph / 2, ph - ph / 2, pw / 2, pw - pw / 2, oh, ow};
}

using netc::test::forEachTap;

/// The three passes in double from the definitions, on float operands.
struct ConvReference {
  std::vector<double> y, dx, dw;
};

ConvReference convReference(const ConvShape &s, const std::vector<float> &x,
                            const std::vector<float> &wt,
                            const std::vector<float> &dy) {
  auto xi = [&](int64_t b, int64_t y, int64_t xx, int64_t ch) {
    return ((b * s.h + y) * s.w + xx) * s.c + ch;
  };
  auto yi = [&](int64_t b, int64_t y, int64_t xx, int64_t o) {
    return ((b * s.oh + y) * s.ow + xx) * s.oc + o;
  };
  auto wi = [&](int64_t i, int64_t j, int64_t ch, int64_t o) {
    return ((i * s.kw + j) * s.c + ch) * s.oc + o;
  };
  ConvReference r{std::vector<double>(dy.size()), std::vector<double>(x.size()),
                  std::vector<double>(wt.size())};
  forEachTap(s, [&](int64_t b, int64_t oy, int64_t ox, int64_t i, int64_t j,
                    int64_t iy, int64_t ix) {
    for (int64_t ch = 0; ch < s.c; ++ch)
      for (int64_t o = 0; o < s.oc; ++o) {
        // Products in double: exact for float operands.
        r.y[yi(b, oy, ox, o)] +=
            double(x[xi(b, iy, ix, ch)]) * wt[wi(i, j, ch, o)];
        r.dx[xi(b, iy, ix, ch)] +=
            double(dy[yi(b, oy, ox, o)]) * wt[wi(i, j, ch, o)];
        r.dw[wi(i, j, ch, o)] +=
            double(x[xi(b, iy, ix, ch)]) * dy[yi(b, oy, ox, o)];
      }
  });
  return r;
}

class Conv : public ::testing::TestWithParam<ConvShape> {};

TEST_P(Conv, MatchesReference) {
  const ConvShape s = GetParam();
  const auto x = randomVector(s.n * s.h * s.w * s.c, 1);
  const auto wt = randomVector(s.kh * s.kw * s.c * s.oc, 2);
  const auto dy = randomVector(s.n * s.oh * s.ow * s.oc, 3);
  const ConvReference ref = convReference(s, x, wt, dy);
  const std::vector<double> &y = ref.y, &dx = ref.dx, &dw = ref.dw;
  // Outputs start as garbage: the kernels must overwrite, not accumulate.
  std::vector<float> gy(y.size(), 7.f), gdx(dx.size(), 7.f),
      gdw(dw.size(), 7.f);
  netc_conv2d_fwd(x.data(), wt.data(), gy.data(), s.n, s.h, s.w, s.c, s.kh,
                  s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow);
  netc_conv2d_bwd_data(dy.data(), wt.data(), gdx.data(), s.n, s.h, s.w, s.c,
                       s.kh, s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr,
                       s.oh, s.ow);
  netc_conv2d_bwd_weights(x.data(), dy.data(), gdw.data(), s.n, s.h, s.w, s.c,
                          s.kh, s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr,
                          s.oh, s.ow);
  expectClose(gy, std::vector<float>(y.begin(), y.end()));
  expectClose(gdx, std::vector<float>(dx.begin(), dx.end()));
  expectClose(gdw, std::vector<float>(dw.begin(), dw.end()));
  // The float64 reference kernels of --gradcheck-f64, on the same values.
  std::vector<double> x64(x.begin(), x.end()), w64(wt.begin(), wt.end()),
      dy64(dy.begin(), dy.end()), y64(y.size(), 7), dx64(dx.size(), 7),
      dw64(dw.size(), 7);
  netc_conv2d_fwd_f64(x64.data(), w64.data(), y64.data(), s.n, s.h, s.w, s.c,
                      s.kh, s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr,
                      s.oh, s.ow);
  netc_conv2d_bwd_data_f64(dy64.data(), w64.data(), dx64.data(), s.n, s.h, s.w,
                           s.c, s.kh, s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl,
                           s.pr, s.oh, s.ow);
  netc_conv2d_bwd_weights_f64(x64.data(), dy64.data(), dw64.data(), s.n, s.h,
                              s.w, s.c, s.kh, s.kw, s.oc, s.sh, s.sw, s.pt,
                              s.pb, s.pl, s.pr, s.oh, s.ow);
  expectClose64(y64, y);
  expectClose64(dx64, dx);
  expectClose64(dw64, dw);
  // Second call hits the primitive cache and must give the same answer.
  std::vector<float> again(gy.size(), -3.f);
  netc_conv2d_fwd(x.data(), wt.data(), again.data(), s.n, s.h, s.w, s.c, s.kh,
                  s.kw, s.oc, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow);
  EXPECT_EQ(again, gy);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv,
    ::testing::Values(
        // stride 2, 'same': 8x6 → 4x3 with padding top 0 / bottom 1 and
        // left 0 / right 1 (asymmetric).
        same(2, 8, 6, 3, 3, 3, 4, 2, 2),
        // stride 2, 7x7 kernel 5: pads 1/2 rows and columns.
        same(3, 7, 7, 2, 4, 4, 5, 2, 2),
        // valid, stride 1, non-square kernel.
        ConvShape{2, 9, 7, 3, 5, 3, 6, 1, 1, 0, 0, 0, 0, 5, 5},
        // a LeNet-sized layer, 16 input channels.
        same(4, 14, 14, 16, 3, 3, 32, 1, 1),
        // LeNet's two convolutions (direct kernels: 6 and 16 channels).
        ConvShape{3, 28, 28, 1, 3, 3, 6, 1, 1, 0, 0, 0, 0, 26, 26},
        ConvShape{3, 13, 13, 6, 3, 3, 16, 1, 1, 0, 0, 0, 0, 11, 11},
        // more than one 16-column panel, not a multiple of 16, stride 2.
        same(2, 13, 11, 6, 3, 3, 20, 2, 2),
        // enough channels to go to oneDNN rather than the direct kernels.
        same(2, 6, 6, 72, 3, 3, 70, 1, 1)));

kernels::ConvDims dims(const ConvShape &s) {
  return {s.n,  s.h,  s.w,  s.c,  s.kh, s.kw, s.oc, s.sh,
          s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow};
}

/// Taps (i, j) that read a real pixel for no output pixel.
std::vector<std::pair<int64_t, int64_t>> deadTaps(const ConvShape &s) {
  std::vector<char> live(s.kh * s.kw, 0);
  forEachTap(s, [&](int64_t, int64_t, int64_t, int64_t i, int64_t j, int64_t,
                    int64_t) { live[i * s.kw + j] = 1; });
  std::vector<std::pair<int64_t, int64_t>> dead;
  for (int64_t i = 0; i < s.kh; ++i)
    for (int64_t j = 0; j < s.kw; ++j)
      if (!live[i * s.kw + j])
        dead.emplace_back(i, j);
  return dead;
}

// The batch-wide products of GemmConv.cpp, called directly; the entry points
// must route these shapes to them (the Conv suite checks those too).
class GemmConv : public ::testing::TestWithParam<ConvShape> {};

TEST_P(GemmConv, EachPassMatchesReference) {
  const ConvShape s = GetParam();
  const kernels::ConvDims d = dims(s);
  EXPECT_TRUE(kernels::gemmConv(d));
  const auto x = randomVector(s.n * s.h * s.w * s.c, 4);
  const auto wt = randomVector(s.kh * s.kw * s.c * s.oc, 5);
  const auto dy = randomVector(s.n * s.oh * s.ow * s.oc, 6);
  const ConvReference ref = convReference(s, x, wt, dy);
  std::vector<float> y(ref.y.size(), 7.f), dx(ref.dx.size(), 7.f),
      dw(ref.dw.size(), 7.f);
  kernels::gemmConvFwd(x.data(), wt.data(), y.data(), d);
  kernels::gemmConvBwdData(dy.data(), wt.data(), dx.data(), d);
  kernels::gemmConvBwdWeights(x.data(), dy.data(), dw.data(), d);
  expectClose(y, std::vector<float>(ref.y.begin(), ref.y.end()));
  expectClose(dx, std::vector<float>(ref.dx.begin(), ref.dx.end()));
  expectClose(dw, std::vector<float>(ref.dw.begin(), ref.dw.end()));
  // A dead tap's weight gradient is written as exactly 0.
  for (auto [i, j] : deadTaps(s))
    for (int64_t k = 0; k < s.c * s.oc; ++k)
      ASSERT_EQ(dw[(i * s.kw + j) * s.c * s.oc + k], 0.0f) << i << "," << j;
  // Same order of sums on every call: bit for bit.
  std::vector<float> y2(y.size()), dx2(dx.size()), dw2(dw.size());
  kernels::gemmConvFwd(x.data(), wt.data(), y2.data(), d);
  kernels::gemmConvBwdData(dy.data(), wt.data(), dx2.data(), d);
  kernels::gemmConvBwdWeights(x.data(), dy.data(), dw2.data(), d);
  EXPECT_EQ(y2, y);
  EXPECT_EQ(dx2, dx);
  EXPECT_EQ(dw2, dw);
}

const ConvShape kGemmShapes[] = {
    // 1x1, stride 1: no copy; few channels (taken from the direct kernels),
    // odd batch.
    ConvShape{3, 4, 5, 6, 1, 1, 7, 1, 1, 0, 0, 0, 0, 4, 5},
    // 1x1, stride 2: a strided im2col and a scatter.
    ConvShape{2, 5, 4, 80, 1, 1, 72, 2, 2, 0, 0, 0, 0, 3, 2},
    // 3x3 'same' on 1x1: only the centre tap is live; odd batch.
    same(5, 1, 1, 70, 3, 3, 66, 1, 1),
    // 3x3 'same' on 2x2, batch 1: every tap live.
    same(1, 2, 2, 80, 3, 3, 65, 1, 1),
    // stride 2, 4x4 kernel: padding top 1 / bottom 2.
    same(3, 3, 4, 72, 4, 4, 70, 2, 2),
    // asymmetric explicit padding: bottom 2, left 1; the last kernel row
    // reads only the bottom padding (dead).
    ConvShape{3, 2, 3, 64, 3, 2, 70, 1, 1, 0, 2, 1, 0, 2, 3},
};

INSTANTIATE_TEST_SUITE_P(Shapes, GemmConv, ::testing::ValuesIn(kGemmShapes));
INSTANTIATE_TEST_SUITE_P(GemmShapes, Conv, ::testing::ValuesIn(kGemmShapes));

TEST(GemmConvRule, SameOnOnePixelKeepsOnlyTheCentreTap) {
  const ConvShape s = same(2, 1, 1, 70, 3, 3, 66, 1, 1);
  EXPECT_EQ(deadTaps(s).size(), 8u);
  const auto x = randomVector(s.n * s.c, 7);
  const auto dy = randomVector(s.n * s.oc, 8);
  std::vector<float> dw(9 * s.c * s.oc, 7.f);
  kernels::gemmConvBwdWeights(x.data(), dy.data(), dw.data(), dims(s));
  for (int64_t t = 0; t < 9; ++t) {
    const auto first = dw.begin() + t * s.c * s.oc;
    const bool allZero = std::all_of(first, first + s.c * s.oc,
                                     [](float v) { return v == 0.0f; });
    EXPECT_EQ(allZero, t != 4) << "tap " << t;
  }
}

TEST(GemmConvRule, TakesSmallOutputsAndPointwiseLeavesTheRest) {
  // ResNet50's last stage and AlexNet's 2x2 convolutions.
  EXPECT_TRUE(kernels::gemmConv(dims(same(32, 1, 1, 512, 3, 3, 512, 1, 1))));
  EXPECT_TRUE(kernels::gemmConv(dims(same(32, 2, 2, 1024, 1, 1, 2048, 2, 2))));
  EXPECT_TRUE(kernels::gemmConv(dims(same(32, 2, 2, 256, 3, 3, 384, 1, 1))));
  // ResNet's narrow 1x1 on 8x8 (the direct kernels' before).
  EXPECT_TRUE(kernels::gemmConv(dims(same(32, 8, 8, 256, 1, 1, 64, 1, 1))));
  // LeNet's stay with the direct kernels; large outputs with oneDNN.
  EXPECT_FALSE(kernels::gemmConv(dims(same(32, 28, 28, 1, 3, 3, 6, 1, 1))));
  EXPECT_FALSE(kernels::gemmConv(dims(same(32, 6, 6, 72, 3, 3, 70, 1, 1))));
}

struct PoolShape {
  int64_t n, h, w, c, kh, kw, sh, sw, pt, pb, pl, pr, oh, ow;
};

PoolShape poolSame(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k,
                   int64_t stride) {
  ConvShape s = same(n, h, w, c, k, k, c, stride, stride);
  return {n, h, w, c, k, k, stride, stride, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow};
}

class Pool : public ::testing::TestWithParam<std::tuple<PoolShape, int>> {};

TEST_P(Pool, MatchesReference) {
  const PoolShape s = std::get<0>(GetParam());
  const int kind = std::get<1>(GetParam());
  // Values from a small set so that windows contain ties: the backward pass
  // must route to the first maximum in row-major window order.
  std::vector<float> x(s.n * s.h * s.w * s.c);
  Rng rng(9);
  for (float &v : x)
    v = static_cast<float>(rng.below(4));
  const auto dy = randomVector(s.n * s.oh * s.ow * s.c, 5);
  std::vector<float> y(dy.size(), 0.f), dx(x.size(), 0.f);
  for (int64_t b = 0; b < s.n; ++b)
    for (int64_t oy = 0; oy < s.oh; ++oy)
      for (int64_t ox = 0; ox < s.ow; ++ox)
        for (int64_t ch = 0; ch < s.c; ++ch) {
          float best = -std::numeric_limits<float>::infinity(), sum = 0;
          int64_t at = -1, count = 0;
          for (int64_t i = 0; i < s.kh; ++i)
            for (int64_t j = 0; j < s.kw; ++j) {
              const int64_t iy = oy * s.sh - s.pt + i,
                            ix = ox * s.sw - s.pl + j;
              if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w)
                continue;
              const int64_t idx = ((b * s.h + iy) * s.w + ix) * s.c + ch;
              if (x[idx] > best) {
                best = x[idx];
                at = idx;
              }
              sum += x[idx];
              ++count;
            }
          const int64_t o = ((b * s.oh + oy) * s.ow + ox) * s.c + ch;
          y[o] = kind == 0 ? best : sum / count;
          if (kind == 0)
            dx[at] += dy[o];
          else
            for (int64_t i = 0; i < s.kh; ++i)
              for (int64_t j = 0; j < s.kw; ++j) {
                const int64_t iy = oy * s.sh - s.pt + i,
                              ix = ox * s.sw - s.pl + j;
                if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w)
                  dx[((b * s.h + iy) * s.w + ix) * s.c + ch] += dy[o] / count;
              }
        }
  std::vector<float> gy(y.size(), 7.f), gdx(dx.size(), 7.f);
  netc_pool_fwd(kind, x.data(), gy.data(), s.n, s.h, s.w, s.c, s.kh, s.kw, s.sh,
                s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow);
  netc_pool_bwd(kind, x.data(), dy.data(), gdx.data(), s.n, s.h, s.w, s.c, s.kh,
                s.kw, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow);
  expectClose(gy, y, 1e-6);
  expectClose(gdx, dx, 1e-5);
  std::vector<double> x64(x.begin(), x.end()), dy64(dy.begin(), dy.end()),
      y64(y.size(), 7), dx64(dx.size(), 7);
  netc_pool_fwd_f64(kind, x64.data(), y64.data(), s.n, s.h, s.w, s.c, s.kh,
                    s.kw, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, s.oh, s.ow);
  netc_pool_bwd_f64(kind, x64.data(), dy64.data(), dx64.data(), s.n, s.h, s.w,
                    s.c, s.kh, s.kw, s.sh, s.sw, s.pt, s.pb, s.pl, s.pr, s.oh,
                    s.ow);
  expectClose(std::vector<float>(y64.begin(), y64.end()), y, 1e-6);
  expectClose(std::vector<float>(dx64.begin(), dx64.end()), dx, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Pool,
    ::testing::Combine(
        ::testing::Values(
            // 2x2 stride 2 'same' on 5x6: one padded row at the bottom.
            poolSame(2, 5, 6, 3, 2, 2),
            // 3x3 stride 2 'same' on 5x5: padding 1 all round; overlapping
            // windows.
            poolSame(2, 5, 5, 4, 3, 2),
            // 3x3 stride 2 'same' on 6x6: padding 0 top/left, 1 bottom/right.
            poolSame(1, 6, 6, 2, 3, 2),
            // valid 2x2 stride 2, as LeNet's avgpool(2).
            PoolShape{3, 8, 8, 6, 2, 2, 2, 2, 0, 0, 0, 0, 4, 4},
            // large enough to take the OpenMP path.
            poolSame(8, 32, 32, 16, 3, 2)),
        ::testing::Values(0, 1)));

class Matmul : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(Matmul, MatchesReference) {
  const int64_t m = 5, n = 7, k = 3;
  const int64_t ta = std::get<0>(GetParam()), tb = std::get<1>(GetParam());
  const auto a = randomVector(m * k, 11), b = randomVector(k * n, 12);
  std::vector<float> want(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += double(ta ? a[p * m + i] : a[i * k + p]) *
               (tb ? b[j * k + p] : b[p * n + j]);
      want[i * n + j] = static_cast<float>(sum);
    }
  std::vector<float> got(m * n, 42.f);
  netc_matmul(a.data(), b.data(), got.data(), m, n, k, ta, tb);
  expectClose(got, want, 1e-5);
  std::vector<double> a64(a.begin(), a.end()), b64(b.begin(), b.end()),
      got64(m * n, 42), want64(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        want64[i * n + j] +=
            a64[ta ? p * m + i : i * k + p] * b64[tb ? j * k + p : p * n + j];
  netc_matmul_f64(a64.data(), b64.data(), got64.data(), m, n, k, ta, tb);
  expectClose64(got64, want64);
}

INSTANTIATE_TEST_SUITE_P(Transposes, Matmul,
                         ::testing::Combine(::testing::Values(0, 1),
                                            ::testing::Values(0, 1)));

TEST(MatmulEdge, EmptyInnerDimensionZeroesTheOutput) {
  std::vector<float> c(6, 5.f);
  netc_matmul(nullptr, nullptr, c.data(), 2, 3, 0, 0, 0);
  EXPECT_EQ(c, std::vector<float>(6, 0.f));
}

TEST(MatmulEdge, LargerProductMatchesReference) {
  const int64_t m = 64, n = 48, k = 200;
  const auto a = randomVector(m * k, 21), b = randomVector(k * n, 22);
  std::vector<float> got(m * n), want(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += double(a[i * k + p]) * b[p * n + j];
      want[i * n + j] = static_cast<float>(sum);
    }
  netc_matmul(a.data(), b.data(), got.data(), m, n, k, 0, 0);
  expectClose(got, want, 1e-4);
}

// The table the compiler declares its calls from (netc/Kernels.def): the
// symbols of each kernel and the arity of its C declaration.
TEST(KernelTable, NamesAndAritiesComeFromTheDeclarations) {
  // Qualified: cxxabi.h has a global namespace alias `abi`.
  using netc::abi::info;
  using netc::abi::RuntimeKernel;
  EXPECT_STREQ(info(RuntimeKernel::conv2d_fwd).name, "netc_conv2d_fwd");
  EXPECT_STREQ(info(RuntimeKernel::pool_bwd).nameF64, "netc_pool_bwd_f64");
  EXPECT_EQ(info(RuntimeKernel::conv2d_bwd_weights).numArgs, 18u);
  EXPECT_EQ(info(RuntimeKernel::pool_fwd).numArgs, 17u);
  EXPECT_EQ(info(RuntimeKernel::matmul).numArgs, 8u);
}

} // namespace
