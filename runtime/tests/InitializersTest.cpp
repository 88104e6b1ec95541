#include "netc/Initializers.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace netc;
using namespace netc::rt;

namespace {

struct Shape {
  const char *what;
  std::vector<int64_t> dims;
  int64_t fanIn, fanOut;
};

// A dense kernel (in, out), a conv kernel HWIO (fans kh*kw*cin, kh*kw*cout)
// and a bias (fan = length), as the plan gives them.
const Shape kShapes[] = {{"dense", {300, 200}, 300, 200},
                         {"conv", {3, 3, 16, 64}, 144, 576},
                         {"bias", {20000}, 20000, 20000}};

struct Stats {
  double mean, std, min, max;
  int64_t n;
};

Stats draw(const InitSpec &spec, const Shape &shape, uint64_t seed = 1) {
  int64_t n = 1;
  for (int64_t d : shape.dims)
    n *= d;
  std::vector<float> data(n, -999.0f);
  Rng rng(seed);
  initialize(spec, data.data(), shape.dims, shape.fanIn, shape.fanOut, rng);
  double sum = 0, sq = 0, lo = data[0], hi = data[0];
  for (float v : data) {
    sum += v;
    sq += double(v) * v;
    lo = std::min<double>(lo, v);
    hi = std::max<double>(hi, v);
  }
  const double mean = sum / n;
  return {mean, std::sqrt(std::max(0.0, sq / n - mean * mean)), lo, hi, n};
}

InitSpec spec(const std::string &name, std::map<std::string, double> args = {},
              std::map<std::string, std::string> strArgs = {}) {
  return {name, std::move(args), std::move(strArgs)};
}

// Sampling error bounds: mean within 5 standard errors, std within 3% (each
// shape has at least 20,000 samples, where the std's relative error is
// about 0.5%).
void expectMoments(const Stats &s, double mean, double std) {
  EXPECT_NEAR(s.mean, mean, 5 * std / std::sqrt(double(s.n)) + 1e-9);
  EXPECT_NEAR(s.std, std, 0.03 * std);
}

constexpr double kTrunc = 0.87962566103423978;

} // namespace

TEST(Initializers, Constants) {
  for (const Shape &shape : kShapes) {
    Stats z = draw(spec("zeros"), shape);
    EXPECT_EQ(z.min, 0.0);
    EXPECT_EQ(z.max, 0.0);
    Stats o = draw(spec("ones"), shape);
    EXPECT_EQ(o.min, 1.0);
    EXPECT_EQ(o.max, 1.0);
    Stats c = draw(spec("constant", {{"value", 0.25}}), shape);
    EXPECT_EQ(c.min, 0.25);
    EXPECT_EQ(c.max, 0.25);
  }
}

TEST(Initializers, RandomNormal) {
  for (const Shape &shape : kShapes) {
    SCOPED_TRACE(shape.what);
    expectMoments(draw(spec("random_normal"), shape), 0.0, 0.05);
    expectMoments(
        draw(spec("random_normal", {{"mean", 1}, {"stddev", 2}}), shape), 1.0,
        2.0);
  }
}

TEST(Initializers, RandomUniform) {
  for (const Shape &shape : kShapes) {
    SCOPED_TRACE(shape.what);
    Stats s = draw(spec("random_uniform"), shape);
    expectMoments(s, 0.0, 0.1 / std::sqrt(12.0));
    EXPECT_GE(s.min, -0.05);
    EXPECT_LT(s.max, 0.05);
    Stats t =
        draw(spec("random_uniform", {{"minval", 2}, {"maxval", 3}}), shape);
    EXPECT_GE(t.min, 2.0);
    EXPECT_LT(t.max, 3.0);
  }
}

TEST(Initializers, TruncatedNormal) {
  for (const Shape &shape : kShapes) {
    SCOPED_TRACE(shape.what);
    Stats s = draw(spec("truncated_normal"), shape);
    // A normal truncated at ±2σ has std σ * 0.8796.
    expectMoments(s, 0.0, 0.05 * kTrunc);
    EXPECT_GT(s.min, -0.1);
    EXPECT_LT(s.max, 0.1);
    // Values come close to the bound: resampled, not squeezed.
    EXPECT_LT(s.min, -0.09);
    EXPECT_GT(s.max, 0.09);
  }
}

TEST(Initializers, VarianceScalingPresets) {
  struct Preset {
    const char *family;
    double scale;
    int mode; // 0 fan_in, 1 fan_out, 2 fan_avg
  };
  const Preset presets[] = {{"glorot", 1, 2}, {"he", 2, 0}, {"lecun", 1, 0}};
  for (const Shape &shape : kShapes)
    for (const Preset &p : presets) {
      const double fan = p.mode == 0   ? shape.fanIn
                         : p.mode == 1 ? shape.fanOut
                                       : (shape.fanIn + shape.fanOut) / 2.0;
      const double target = std::sqrt(p.scale / fan);
      SCOPED_TRACE(std::string(shape.what) + " " + p.family);
      Stats u = draw(spec(std::string(p.family) + "_uniform"), shape);
      const double limit = std::sqrt(3 * p.scale / fan);
      expectMoments(u, 0.0, target);
      EXPECT_GE(u.min, -limit);
      EXPECT_LT(u.max, limit);
      EXPECT_GT(u.max, 0.95 * limit);
      // *_normal: truncated at 2σ' with σ' = target / 0.8796, so the
      // resulting std is the target itself.
      Stats n = draw(spec(std::string(p.family) + "_normal"), shape);
      expectMoments(n, 0.0, target);
      EXPECT_GT(n.min, -2 * target / kTrunc);
      EXPECT_LT(n.max, 2 * target / kTrunc);
    }
}

TEST(Initializers, VarianceScalingExplicit) {
  const Shape &dense = kShapes[0];
  expectMoments(
      draw(spec("variance_scaling", {{"scale", 3}},
                {{"mode", "fan_out"}, {"distribution", "untruncated_normal"}}),
           dense),
      0.0, std::sqrt(3.0 / dense.fanOut));
  Stats u = draw(spec("variance_scaling", {{"scale", 0.5}},
                      {{"mode", "fan_avg"}, {"distribution", "uniform"}}),
                 dense);
  const double limit = std::sqrt(3 * 0.5 / 250.0);
  expectMoments(u, 0.0, limit / std::sqrt(3.0));
  EXPECT_LT(u.max, limit);
  // Keras' default: scale 1, fan_in, truncated normal.
  Stats d = draw(spec("variance_scaling"), dense);
  expectMoments(d, 0.0, std::sqrt(1.0 / dense.fanIn));
  EXPECT_LT(d.max, 2 * std::sqrt(1.0 / dense.fanIn) / kTrunc);
}

TEST(Initializers, SameSeedSameWeights) {
  Stats a = draw(spec("glorot_uniform"), kShapes[1], 5);
  Stats b = draw(spec("glorot_uniform"), kShapes[1], 5);
  Stats c = draw(spec("glorot_uniform"), kShapes[1], 6);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std, b.std);
  EXPECT_NE(a.mean, c.mean);
}

namespace {

// Max |Q^T Q - gain^2 I| over the columns of a rows x cols matrix (or its
// rows when `byRows`).
double orthogonalityError(const std::vector<float> &q, int64_t rows,
                          int64_t cols, bool byRows, double gain) {
  const int64_t vecs = byRows ? rows : cols, len = byRows ? cols : rows;
  auto at = [&](int64_t v, int64_t i) {
    return byRows ? q[v * cols + i] : q[i * cols + v];
  };
  double worst = 0;
  for (int64_t a = 0; a < vecs; ++a)
    for (int64_t b = 0; b < vecs; ++b) {
      double dot = 0;
      for (int64_t i = 0; i < len; ++i)
        dot += double(at(a, i)) * at(b, i);
      worst = std::max(worst, std::abs(dot - (a == b ? gain * gain : 0.0)));
    }
  return worst;
}

} // namespace

TEST(Initializers, Orthogonal) {
  struct Case {
    std::vector<int64_t> shape;
    int64_t rows, cols;
    double gain;
  };
  // Tall dense, wide dense (orthonormal rows), conv HWIO flattened to
  // (kh*kw*cin, cout), with a gain.
  const Case cases[] = {{{60, 20}, 60, 20, 1.0},
                        {{20, 60}, 20, 60, 1.0},
                        {{3, 3, 4, 8}, 36, 8, 2.0}};
  for (const Case &c : cases) {
    std::vector<float> q(c.rows * c.cols);
    Rng rng(4);
    initialize(spec("orthogonal", {{"gain", c.gain}}), q.data(), c.shape, 1, 1,
               rng);
    EXPECT_LT(orthogonalityError(q, c.rows, c.cols, c.rows < c.cols, c.gain),
              1e-5 * c.gain * c.gain);
  }
  // A vector becomes one unit row.
  std::vector<float> v(10);
  Rng rng(4);
  initialize(spec("orthogonal"), v.data(), {10}, 10, 10, rng);
  EXPECT_LT(orthogonalityError(v, 1, 10, true, 1.0), 1e-6);
}

TEST(Initializers, UnknownNameThrows) {
  std::vector<float> v(4);
  Rng rng(1);
  EXPECT_THROW(initialize(spec("glorot_banana"), v.data(), {4}, 4, 4, rng),
               InitError);
  EXPECT_THROW(initialize(spec("nonsense"), v.data(), {4}, 4, 4, rng),
               InitError);
  EXPECT_THROW(initialize(spec("variance_scaling", {}, {{"mode", "fan_x"}}),
                          v.data(), {4}, 4, 4, rng),
               InitError);
}

TEST(Initializers, OwnSeedIgnoresTheRunsGenerator) {
  InitSpec seeded{"glorot_uniform", {{"seed", 42}}, {}};
  InitSpec unseeded{"glorot_uniform", {}, {}};
  std::vector<float> a(64), b(64), c(64), d(64);
  Rng run1(1), run2(2);
  initialize(seeded, a.data(), {8, 8}, 8, 8, run1);
  initialize(seeded, b.data(), {8, 8}, 8, 8, run2);
  EXPECT_EQ(a, b); // the same values whatever the run's seed
  initialize(unseeded, c.data(), {8, 8}, 8, 8, run1);
  initialize(unseeded, d.data(), {8, 8}, 8, 8, run2);
  EXPECT_NE(c, d);
  InitSpec other{"glorot_uniform", {{"seed", 43}}, {}};
  initialize(other, c.data(), {8, 8}, 8, 8, run1);
  EXPECT_NE(a, c);
}
