//===- SmallConvTest.cpp - The direct convolutions on several threads -----===//
//
// The kernels of runtime/lib/kernels/SmallConv.cpp split their work over the
// OpenMP team. Their results must be the same bit for bit for any team size
// and when they are called inside a parallel region (where they run
// serially, each thread with its own scratch), and close to a float64
// reference. This binary's main sets NETC_PARALLEL_MIN_WORK=0 before any
// kernel runs, so that every call splits, however small its shape.
//
//===----------------------------------------------------------------------===//
#include "kernels/SmallConv.h"
#include "TestUtil.h"
#include "netc/Random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <ostream>
#include <vector>

extern "C" {
void omp_set_num_threads(int);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
void GOMP_parallel(void (*fn)(void *), void *data, unsigned numThreads,
                   unsigned flags);
}

using namespace netc::rt;
using netc::rt::kernels::ConvDims;

namespace netc::rt::kernels {
std::ostream &operator<<(std::ostream &os, const ConvDims &d) {
  return os << "n" << d.n << " " << d.h << "x" << d.w << "x" << d.c << " k"
            << d.kh << "x" << d.kw << " oc" << d.oc << " s" << d.sh << "x"
            << d.sw << " pad" << d.pt << d.pb << d.pl << d.pr;
}
} // namespace netc::rt::kernels

namespace {

using netc::test::randomVector;

/// The three kernels' inputs and outputs for one shape.
struct Conv {
  ConvDims d;
  std::vector<float> x, w, dy;
  std::vector<float> y, dx, dw;
  explicit Conv(const ConvDims &d)
      : d(d), x(randomVector(d.n * d.h * d.w * d.c, 1)),
        w(randomVector(d.kh * d.kw * d.c * d.oc, 2)),
        dy(randomVector(d.n * d.oh * d.ow * d.oc, 3)) {}
  /// Runs the kernels on outputs that start as garbage (they must be
  /// overwritten, not accumulated into).
  void run() {
    y.assign(dy.size(), 7.f);
    dx.assign(x.size(), 7.f);
    dw.assign(w.size(), 7.f);
    kernels::smallConvFwd(x.data(), w.data(), y.data(), d);
    kernels::smallConvBwdData(dy.data(), w.data(), dx.data(), d);
    kernels::smallConvBwdWeights(x.data(), dy.data(), dw.data(), d);
  }
};

/// y, dx and dw in float64 from the definitions (products of floats are
/// exact in double).
void reference(const Conv &c, std::vector<double> &y, std::vector<double> &dx,
               std::vector<double> &dw) {
  const ConvDims &d = c.d;
  y.assign(c.dy.size(), 0);
  dx.assign(c.x.size(), 0);
  dw.assign(c.w.size(), 0);
  netc::test::forEachTap(d, [&](int64_t b, int64_t oy, int64_t ox, int64_t i,
                                int64_t j, int64_t iy, int64_t ix) {
    for (int64_t ch = 0; ch < d.c; ++ch)
      for (int64_t o = 0; o < d.oc; ++o) {
        const int64_t xi = ((b * d.h + iy) * d.w + ix) * d.c + ch;
        const int64_t yi = ((b * d.oh + oy) * d.ow + ox) * d.oc + o;
        const int64_t wi = ((i * d.kw + j) * d.c + ch) * d.oc + o;
        y[yi] += double(c.x[xi]) * c.w[wi];
        dx[xi] += double(c.dy[yi]) * c.w[wi];
        dw[wi] += double(c.x[xi]) * c.dy[yi];
      }
  });
}

void expectClose(const std::vector<float> &got,
                 const std::vector<double> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4 * (1 + std::abs(want[i]))) << "at " << i;
}

void expectSame(const Conv &got, const Conv &want) {
  EXPECT_EQ(got.y, want.y);
  EXPECT_EQ(got.dx, want.dx);
  EXPECT_EQ(got.dw, want.dw);
}

/// Sets the team size for one test and restores it.
struct Threads {
  int saved = omp_get_max_threads();
  explicit Threads(int n) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(saved); }
};

class SmallConvThreads : public ::testing::TestWithParam<ConvDims> {};

TEST_P(SmallConvThreads, SameBitsForAnyTeamSize) {
  const ConvDims d = GetParam();
  ASSERT_TRUE(kernels::smallConv(d));
  Conv serial(d);
  {
    Threads team(1);
    serial.run();
  }
  std::vector<double> y, dx, dw;
  reference(serial, y, dx, dw);
  expectClose(serial.y, y);
  expectClose(serial.dx, dx);
  expectClose(serial.dw, dw);
  for (int threads : {2, 3, 5}) {
    SCOPED_TRACE(threads);
    Threads team(threads);
    Conv split(d);
    split.run();
    expectSame(split, serial);
  }
}

/// Two threads of a parallel region each run the kernels (serially: nested)
/// on their own outputs at the same time.
void runInRegion(void *data) {
  auto &convs = *static_cast<std::vector<Conv> *>(data);
  convs[omp_get_thread_num()].run();
}

TEST_P(SmallConvThreads, SameBitsInsideAParallelRegion) {
  const ConvDims d = GetParam();
  Conv serial(d);
  {
    Threads team(1);
    serial.run();
  }
  Threads team(2);
  std::vector<Conv> convs(2, Conv(d));
  GOMP_parallel(runInRegion, &convs, 2, 0);
  for (const Conv &c : convs)
    expectSame(c, serial);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SmallConvThreads,
    ::testing::Values(
        // n, h, w, c, kh, kw, oc, sh, sw, pt, pb, pl, pr, oh, ow
        // LeNet's first convolution, odd batch: 9 taps (a tail of 1).
        ConvDims{3, 28, 28, 1, 3, 3, 6, 1, 1, 0, 0, 0, 0, 26, 26},
        // LeNet's second: 16 channels (one pair of panels), 121 pixels.
        ConvDims{3, 13, 13, 6, 3, 3, 16, 1, 1, 0, 0, 0, 0, 11, 11},
        // batch 1, 'same' 5x5: the pixels of one image split.
        ConvDims{1, 19, 21, 3, 5, 5, 6, 1, 1, 2, 2, 2, 2, 19, 21},
        // the STL-10 front's 6 -> 6 and 6 -> 1 layers.
        ConvDims{2, 24, 24, 6, 5, 5, 6, 1, 1, 0, 0, 0, 0, 20, 20},
        ConvDims{5, 12, 12, 6, 3, 3, 1, 1, 1, 0, 0, 0, 0, 10, 10},
        // stride 2 with padding, 20 channels (a pair and a half-panel).
        ConvDims{3, 13, 11, 6, 3, 3, 20, 2, 2, 1, 1, 1, 1, 7, 6},
        // batch 1, stride 2, asymmetric padding, 40 channels.
        ConvDims{1, 9, 9, 4, 3, 3, 40, 2, 2, 0, 1, 0, 1, 4, 4},
        // stride 1, asymmetric padding, 9 channels (a panel of 1 lane).
        ConvDims{2, 8, 7, 2, 4, 4, 9, 1, 1, 1, 2, 2, 1, 8, 7}));

} // namespace

int main(int argc, char **argv) {
  // Read once, by the first parallel call: every call splits from here on.
  setenv("NETC_PARALLEL_MIN_WORK", "0", 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
