//===- LeastSquares.cpp - Closed-form training of linear models -----------===//
#include "netc/LeastSquares.h"

#include "netc/Runner.h"
#include "netc/data/Prefetcher.h"

#include <cmath>
#include <cstring>
#include <string>

namespace netc::rt {

std::vector<double> solveLeastSquares(std::vector<double> a,
                                      std::vector<double> b, int64_t rows,
                                      int64_t cols) {
  auto at = [&](int64_t r, int64_t c) -> double & { return a[r * cols + c]; };
  for (int64_t k = 0; k < cols; ++k) {
    // Householder reflection zeroing column k below the diagonal.
    double norm = 0;
    for (int64_t r = k; r < rows; ++r)
      norm += at(r, k) * at(r, k);
    norm = std::sqrt(norm);
    if (norm == 0)
      throw RunError("least_squares: the weights are not determined by the "
                     "data (a column of the design matrix is zero)");
    double alpha = at(k, k) > 0 ? -norm : norm;
    std::vector<double> v(rows - k);
    for (int64_t r = k; r < rows; ++r)
      v[r - k] = at(r, k);
    v[0] -= alpha;
    double vv = 0;
    for (double e : v)
      vv += e * e;
    if (vv == 0)
      continue;
    auto reflect = [&](auto get) {
      double dot = 0;
      for (int64_t r = k; r < rows; ++r)
        dot += v[r - k] * get(r);
      double f = 2 * dot / vv;
      for (int64_t r = k; r < rows; ++r)
        get(r) -= f * v[r - k];
    };
    for (int64_t c = k; c < cols; ++c)
      reflect([&](int64_t r) -> double & { return at(r, c); });
    reflect([&](int64_t r) -> double & { return b[r]; });
  }
  // Back substitution with R (upper triangle of the first `cols` rows).
  std::vector<double> theta(cols);
  for (int64_t k = cols - 1; k >= 0; --k) {
    double s = b[k];
    for (int64_t c = k + 1; c < cols; ++c)
      s -= at(k, c) * theta[c];
    if (std::fabs(at(k, k)) < 1e-300)
      throw RunError("least_squares: the design matrix is rank deficient");
    theta[k] = s / at(k, k);
  }
  return theta;
}

namespace {

/// The network's outputs on `indices`, one row per record, in order.
std::vector<double> outputs(const KernelSpec &kernel,
                            const netc_kernel_entry &fn,
                            const AlignedBuffer &params, const Split &split,
                            const std::vector<int64_t> &indices, int64_t cap) {
  const int64_t width = elementCount(kernel.outputShape);
  AlignedBuffer ws(kernel.evalWsFloats(cap)), out(width * cap),
      metrics(kernel.metricFloats());
  std::vector<double> result;
  result.reserve(indices.size() * width);
  Prefetcher batches(split, indices, cap);
  for (Prefetcher::Batch b = batches.next(); b.n > 0; b = batches.next()) {
    netc_buf p = params.descriptor(), x = b.x->descriptor(),
             y = b.y->descriptor(), w = ws.descriptor(),
             m = metrics.descriptor(), o = out.descriptor();
    fn.eval(&p, &x, &y, b.n, &w, cap, &m, &o);
    result.insert(result.end(), out.get(), out.get() + b.n * width);
  }
  return result;
}

} // namespace

void fitLeastSquares(const KernelSpec &kernel, const netc_kernel_entry &fn,
                     AlignedBuffer &params, const Split &split,
                     const std::vector<int64_t> &indices, int64_t cap) {
  const int64_t p = params.size();
  if (p > 4096)
    throw RunError("least_squares: " + std::to_string(p) +
                   " weights are too many for the closed form (at most 4096)");
  AlignedBuffer basis(p);
  const std::vector<double> f0 =
      outputs(kernel, fn, basis, split, indices, cap);
  const int64_t data = static_cast<int64_t>(f0.size());
  double l2 = 0;
  if (auto it = kernel.optimizer.args.find("l2");
      it != kernel.optimizer.args.end())
    l2 = it->second;
  // Ridge rows sqrt(l2 * rows) * I turn |r|^2 / rows + l2 |θ|^2 into one
  // least-squares problem.
  const int64_t rows = data + (l2 > 0 ? p : 0);
  if (rows < p)
    throw RunError("least_squares: " + std::to_string(data) +
                   " targets cannot determine " + std::to_string(p) +
                   " weights");
  std::vector<double> a(rows * p, 0.0), b(rows, 0.0);
  for (int64_t j = 0; j < p; ++j) {
    basis[j] = 1;
    const std::vector<double> fj =
        outputs(kernel, fn, basis, split, indices, cap);
    basis[j] = 0;
    for (int64_t r = 0; r < data; ++r)
      a[r * p + j] = fj[r] - f0[r];
  }
  // Targets in the same row order as the outputs.
  const int64_t width = data / static_cast<int64_t>(indices.size());
  for (size_t i = 0; i < indices.size(); ++i)
    for (int64_t c = 0; c < width; ++c)
      b[i * width + c] =
          split.y[indices[i] * split.labelSize() + c] - f0[i * width + c];
  for (int64_t j = 0; l2 > 0 && j < p; ++j)
    a[(data + j) * p + j] = std::sqrt(l2 * data);
  const std::vector<double> theta = solveLeastSquares(a, b, rows, p);
  for (int64_t j = 0; j < p; ++j)
    params[j] = static_cast<float>(theta[j]);
}

} // namespace netc::rt
