//===- Initializers.cpp - Keras weight initializers -----------------------===//
//
// Formulas follow Keras 3 (keras/src/initializers): defaults 0.05 for the
// plain random ones, truncation at 2σ with resampling, and the
// variance-scaling family with the 0.87962566103423978 correction that makes
// a 2σ-truncated normal have the requested variance.
//
//===----------------------------------------------------------------------===//

#include "netc/Initializers.h"

#include <cmath>
#include <optional>

namespace netc::rt {

namespace {

// Std of a standard normal truncated to (-2, 2).
constexpr double kTruncatedStd = 0.87962566103423978;

double arg(const InitSpec &spec, const char *key, double fallback) {
  auto it = spec.args.find(key);
  return it == spec.args.end() ? fallback : it->second;
}

std::string strArg(const InitSpec &spec, const char *key,
                   const std::string &fallback) {
  auto it = spec.strArgs.find(key);
  return it == spec.strArgs.end() ? fallback : it->second;
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void fillNormal(float *data, int64_t n, double mean, double stddev, Rng &rng) {
  for (int64_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(mean + stddev * rng.normal());
}

// Keras' truncated normal: values beyond 2σ are redrawn, not clipped.
void fillTruncatedNormal(float *data, int64_t n, double mean, double stddev,
                         Rng &rng) {
  for (int64_t i = 0; i < n; ++i) {
    double z;
    do
      z = rng.normal();
    while (z <= -2.0 || z >= 2.0);
    data[i] = static_cast<float>(mean + stddev * z);
  }
}

void fillUniform(float *data, int64_t n, double lo, double hi, Rng &rng) {
  for (int64_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(lo + (hi - lo) * rng.uniformDouble());
}

void varianceScaling(float *data, int64_t n, double scale,
                     const std::string &mode, const std::string &distribution,
                     int64_t fanIn, int64_t fanOut, Rng &rng) {
  if (scale <= 0)
    throw InitError("variance_scaling: scale must be positive");
  double fan;
  if (mode == "fan_in")
    fan = static_cast<double>(fanIn);
  else if (mode == "fan_out")
    fan = static_cast<double>(fanOut);
  else if (mode == "fan_avg")
    fan = (fanIn + fanOut) / 2.0;
  else
    throw InitError("variance_scaling: unknown mode '" + mode + "'");
  if (fan < 1)
    fan = 1; // Keras: max(1., fan)
  const double variance = scale / fan;
  if (distribution == "truncated_normal" || distribution == "normal")
    fillTruncatedNormal(data, n, 0.0, std::sqrt(variance) / kTruncatedStd, rng);
  else if (distribution == "untruncated_normal")
    fillNormal(data, n, 0.0, std::sqrt(variance), rng);
  else if (distribution == "uniform") {
    const double limit = std::sqrt(3.0 * variance);
    fillUniform(data, n, -limit, limit, rng);
  } else
    throw InitError("variance_scaling: unknown distribution '" + distribution +
                    "'");
}

// Keras' orthogonal: QR of a normal (rows, cols) matrix with rows =
// prod(shape[:-1]), transposed first when it is wide, signs fixed so that R
// has a positive diagonal. Modified Gram–Schmidt yields exactly that Q.
void orthogonal(float *data, const std::vector<int64_t> &shape, double gain,
                Rng &rng) {
  const int64_t n = numElements(shape);
  int64_t cols = shape.empty() ? 1 : shape.back();
  int64_t rows = cols == 0 ? 0 : n / cols;
  if (shape.size() < 2) { // a vector: one row, Keras would refuse
    rows = 1;
    cols = n;
  }
  const bool wide = rows < cols;
  // Work on the tall matrix a (tr x tc, tr >= tc), columns orthonormalized.
  const int64_t tr = wide ? cols : rows, tc = wide ? rows : cols;
  std::vector<double> a(static_cast<size_t>(tr * tc));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const double v = rng.normal();
      if (wide)
        a[j * tc + i] = v;
      else
        a[i * tc + j] = v;
    }
  for (int64_t j = 0; j < tc; ++j) {
    for (int64_t p = 0; p < j; ++p) {
      double dot = 0;
      for (int64_t i = 0; i < tr; ++i)
        dot += a[i * tc + p] * a[i * tc + j];
      for (int64_t i = 0; i < tr; ++i)
        a[i * tc + j] -= dot * a[i * tc + p];
    }
    double norm = 0;
    for (int64_t i = 0; i < tr; ++i)
      norm += a[i * tc + j] * a[i * tc + j];
    norm = std::sqrt(norm);
    if (norm == 0)
      throw InitError("orthogonal: degenerate random matrix");
    for (int64_t i = 0; i < tr; ++i)
      a[i * tc + j] /= norm;
  }
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      data[i * cols + j] =
          static_cast<float>(gain * (wide ? a[j * tc + i] : a[i * tc + j]));
}

} // namespace

void initialize(const InitSpec &spec, float *data,
                const std::vector<int64_t> &shape, int64_t fanIn,
                int64_t fanOut, Rng &runRng) {
  // An initializer given its own seed draws from that seed alone, so its
  // values do not depend on the run's seed (nor on the tensors before it);
  // like a seeded Keras initializer, it gives the same values each time it
  // fills a tensor of the same shape.
  std::optional<Rng> own;
  if (auto seed = spec.args.find("seed"); seed != spec.args.end())
    own.emplace(static_cast<uint64_t>(seed->second));
  Rng &rng = own ? *own : runRng;
  const int64_t n = numElements(shape);
  const std::string &name = spec.name;
  if (name == "zeros" || name == "ones" || name == "constant") {
    const double value = name == "zeros"  ? 0.0
                         : name == "ones" ? 1.0
                                          : arg(spec, "value", 0.0);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(value);
  } else if (name == "random_normal") {
    fillNormal(data, n, arg(spec, "mean", 0.0), arg(spec, "stddev", 0.05), rng);
  } else if (name == "random_uniform") {
    fillUniform(data, n, arg(spec, "minval", -0.05), arg(spec, "maxval", 0.05),
                rng);
  } else if (name == "truncated_normal") {
    fillTruncatedNormal(data, n, arg(spec, "mean", 0.0),
                        arg(spec, "stddev", 0.05), rng);
  } else if (name == "variance_scaling") {
    varianceScaling(
        data, n, arg(spec, "scale", 1.0), strArg(spec, "mode", "fan_in"),
        strArg(spec, "distribution", "truncated_normal"), fanIn, fanOut, rng);
  } else if (name == "orthogonal") {
    orthogonal(data, shape, arg(spec, "gain", 1.0), rng);
  } else {
    // The glorot/he/lecun presets of variance_scaling.
    static const std::map<std::string, std::pair<double, const char *>>
        presets = {{"glorot", {1.0, "fan_avg"}},
                   {"he", {2.0, "fan_in"}},
                   {"lecun", {1.0, "fan_in"}}};
    const size_t underscore = name.find('_');
    const std::string family = name.substr(0, underscore);
    const std::string kind =
        underscore == std::string::npos ? "" : name.substr(underscore + 1);
    auto preset = presets.find(family);
    if (preset == presets.end() || (kind != "normal" && kind != "uniform"))
      throw InitError("unknown initializer '" + name + "'");
    varianceScaling(data, n, preset->second.first, preset->second.second,
                    kind == "normal" ? "truncated_normal" : "uniform", fanIn,
                    fanOut, rng);
  }
}

} // namespace netc::rt
