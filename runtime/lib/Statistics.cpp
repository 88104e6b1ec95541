//===- Statistics.cpp - Summaries over seeds, Student's t -----------------===//

#include "netc/Statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace netc::rt::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction of I_x(a, b) by the modified Lentz method
// (Numerical Recipes' betacf); converges fast for x < (a + 1) / (a + b + 2).
double betaFraction(double a, double b, double x) {
  constexpr double tiny = 1e-300, eps = 1e-16;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  d = 1 / (std::fabs(d) < tiny ? tiny : d);
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    d = 1 / (std::fabs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    c = std::fabs(c) < tiny ? tiny : c;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    d = 1 / (std::fabs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    c = std::fabs(c) < tiny ? tiny : c;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < eps)
      break;
  }
  return h;
}

} // namespace

Summary summarize(const std::vector<double> &values) {
  Summary s{0, kNaN, kNaN, kNaN, kNaN, 0};
  double sum = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++s.missing;
      continue;
    }
    s.min = s.n ? std::min(s.min, v) : v;
    s.max = s.n ? std::max(s.max, v) : v;
    sum += v;
    ++s.n;
  }
  if (s.n == 0)
    return s;
  const double n = static_cast<double>(s.n);
  s.mean = sum / n;
  double squares = 0;
  for (double v : values)
    if (std::isfinite(v))
      squares += (v - s.mean) * (v - s.mean);
  s.stdError = s.n > 1 ? std::sqrt(squares / (n - 1)) / std::sqrt(n) : 0.0;
  return s;
}

double incompleteBeta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
    return kNaN;
  if (x == 0 || x == 1)
    return x;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
               a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2))
    return front * betaFraction(a, b, x) / a;
  return 1 - front * betaFraction(b, a, 1 - x) / b;
}

double studentTCdf(double t, double df) {
  if (!(df > 0) || std::isnan(t))
    return kNaN;
  if (std::isinf(t))
    return t > 0 ? 1 : 0;
  // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
  const double tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? 1 - tail : tail;
}

double studentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0))
    return kNaN;
  if (p == 0.5)
    return 0;
  // Symmetric: solve for the upper half, then bisect to double precision.
  const double q = p > 0.5 ? p : 1 - p;
  double lo = 0, hi = 1;
  while (studentTCdf(hi, df) < q && hi < 1e300)
    hi *= 2;
  for (int i = 0; i < 2000 && hi - lo > 4e-16 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (studentTCdf(mid, df) < q ? lo : hi) = mid;
  }
  const double t = lo + (hi - lo) / 2;
  return p > 0.5 ? t : -t;
}

PairedDifference pairedDifference(const std::vector<double> &first,
                                  const std::vector<double> &second,
                                  double level) {
  std::vector<double> diffs;
  for (size_t i = 0; i < std::min(first.size(), second.size()); ++i)
    if (std::isfinite(first[i]) && std::isfinite(second[i]))
      diffs.push_back(first[i] - second[i]);
  const Summary s = summarize(diffs);
  PairedDifference d{s.n, s.mean, kNaN, kNaN, kNaN, level};
  if (s.n < 2)
    return d;
  d.stdError = s.stdError;
  const double t = studentTQuantile((1 + level) / 2, double(s.n - 1));
  d.low = s.mean - t * s.stdError;
  d.high = s.mean + t * s.stdError;
  return d;
}

} // namespace netc::rt::stats
