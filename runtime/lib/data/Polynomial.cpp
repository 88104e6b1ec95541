//===- Polynomial.cpp - The polynomial regression generator ---------------===//
//
// polynomial(samples, coefficients: [c0, c1, ...], noise, x_range: [a, b],
// seed): x ~ U[a, b), y = sum c_i x^i + noise * N(0, 1). The test split is
// an independent draw of the same size with seed + 1.
//
//===----------------------------------------------------------------------===//

#include "netc/Random.h"
#include "netc/data/Dataset.h"

namespace netc::rt {

namespace {

Split draw(int64_t samples, const std::vector<double> &coefficients,
           double noise, double lo, double hi, uint64_t seed) {
  Rng rng(seed);
  Split split;
  split.count = samples;
  split.sampleShape = {1};
  split.labelShape = {1};
  split.x.resize(static_cast<size_t>(samples));
  split.y.resize(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) {
    const double x = lo + (hi - lo) * rng.uniformDouble();
    double y = 0, power = 1;
    for (double c : coefficients) {
      y += c * power;
      power *= x;
    }
    y += noise * rng.normal();
    split.x[i] = static_cast<float>(x);
    split.y[i] = static_cast<float>(y);
  }
  return split;
}

} // namespace

Dataset loadPolynomial(const DatasetSpec &spec, const std::string &) {
  auto num = [&](const char *key, double fallback) {
    auto it = spec.args.find(key);
    return it == spec.args.end() ? fallback : it->second;
  };
  auto list = [&](const char *key) {
    auto it = spec.list_args.find(key);
    return it == spec.list_args.end() ? std::vector<double>{} : it->second;
  };
  const double samples = num("samples", 100);
  if (samples < 1)
    throw DataError(spec.name, "polynomial: samples must be at least 1");
  const std::vector<double> coefficients = list("coefficients");
  if (coefficients.empty())
    throw DataError(spec.name, "polynomial: coefficients are missing");
  std::vector<double> range = list("x_range");
  if (range.empty())
    range = {-1.0, 1.0};
  if (range.size() != 2 || !(range[0] < range[1]))
    throw DataError(spec.name, "polynomial: x_range must be [a, b] with a < b");
  const double noise = num("noise", 0.0);
  const uint64_t seed = static_cast<uint64_t>(num("seed", 0));
  Dataset data;
  data.train = draw(static_cast<int64_t>(samples), coefficients, noise,
                    range[0], range[1], seed);
  data.test = draw(static_cast<int64_t>(samples), coefficients, noise, range[0],
                   range[1], seed + 1);
  return data;
}

} // namespace netc::rt
