//===- Statistics.h - Summaries over seeds, Student's t ---------*- C++ -*-===//
//
// Pure functions behind the aggregation of repeated runs (docs/language.md,
// "Seeds and repeated runs"): the summary of a sample (n, mean, standard
// error, min, max), Student's t distribution and its quantile, and the
// paired difference of two samples with its confidence interval.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_STATISTICS_H
#define NETC_STATISTICS_H

#include <cstdint>
#include <vector>

namespace netc::rt::stats {

/// A sample's summary. With no value every number is NaN; with one the
/// standard error is 0.
struct Summary {
  int64_t n = 0;
  double mean, stdError, min, max;
  /// Values left out because they are not finite (a diverged run).
  int64_t missing = 0;
};

/// n, mean, standard error (sample standard deviation, n - 1 in the
/// denominator, over sqrt(n)), min and max of the finite `values`.
Summary summarize(const std::vector<double> &values);

/// The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
double incompleteBeta(double a, double b, double x);

/// P(T <= t) for Student's t with `df` > 0 degrees of freedom.
double studentTCdf(double t, double df);

/// The t with P(T <= t) = p, p in (0, 1): e.g. studentTQuantile(0.975, 4)
/// = 2.776445. NaN outside the domain.
double studentTQuantile(double p, double df);

/// The mean of `first[i] - second[i]` over the pairs where both are
/// finite, its standard error and the two-sided `level` confidence interval
/// mean ± t((1 + level) / 2, n - 1) · SE. With fewer than two pairs the
/// standard error and the interval are NaN.
struct PairedDifference {
  int64_t n = 0;
  double mean, stdError, low, high;
  double level = 0.95;
};
PairedDifference pairedDifference(const std::vector<double> &first,
                                  const std::vector<double> &second,
                                  double level = 0.95);

} // namespace netc::rt::stats

#endif // NETC_STATISTICS_H
