//===- CrossValidation.h - K-fold splits and model selection ---*- C++ -*-===//
//
// `crossvalidate x in ..., folds: K, seed: S { ... } select min val_loss,
// within: one_std_error` unrolls into one run per (candidate, fold). Each
// run trains on the complement of its fold and validates on the fold; the
// selection then compares candidates by the mean over folds of the
// final-epoch metric, with its standard error (sample std / sqrt(K)).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CROSSVALIDATION_H
#define NETC_CROSSVALIDATION_H

#include "netc/Results.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace netc::rt {

/// The records of each fold: indices 0..count-1 shuffled by Rng(seed), cut
/// into `folds` contiguous parts whose sizes differ by at most one (the
/// first count % folds parts have one more). Depends only on (count, folds,
/// seed), so every candidate sees the same folds.
std::vector<std::vector<int64_t>> foldIndices(int64_t count, int64_t folds,
                                              uint64_t seed);

/// Train and validation indices of fold `k`: the other folds' records in
/// ascending order, and fold k's.
void foldSplit(int64_t count, int64_t folds, uint64_t seed, int64_t k,
               std::vector<int64_t> &train, std::vector<int64_t> &validation);

struct Candidate {
  nlohmann::json params;      // typed loop values
  std::vector<double> values; // the metric of each fold's run (NaN: diverged)
  double mean = 0, stdError = 0;
  int64_t trainableParams = 0;
  int64_t diverged = 0; // fold runs that diverged
  /// Why the candidate cannot be chosen, empty when it can: some of its
  /// runs diverged, or its mean is not finite.
  std::string skipped;
};

struct Selection {
  static constexpr size_t kNone = static_cast<size_t>(-1);
  /// mode: min|max; rule: the plain best (named by the mode: min or max) or
  /// one_std_error.
  std::string metric, mode, rule;
  std::vector<Candidate> candidates; // in order of first appearance
  /// The chosen candidate and the plain best (min or max), among those not
  /// skipped; kNone when every candidate is skipped.
  size_t chosen = kNone, chosenByBest = kNone;
};

/// A run's value of `metric` at its final epoch: "loss", "val_loss", the
/// kernel's metric ("accuracy", "mse") or "val_" + it. Throws
/// std::runtime_error when the history lacks it.
double finalMetric(const RunRecord &run, const std::string &metric);

/// Selects among the fold runs (fold >= 0) of `runs` per the plan's
/// `select` object. `trainableParams[i]` belongs to runs[i]. Candidates with
/// a diverged run or a mean that is not finite are skipped (never chosen,
/// never the best that one_std_error measures from). Throws
/// std::runtime_error on an unknown rule or mode or a missing metric.
Selection selectModel(const nlohmann::json &select,
                      const std::vector<RunRecord> &runs,
                      const std::vector<int64_t> &trainableParams);

/// results.json's "selection" (spec §5): metric, mode, rule ("min" or
/// "max" for the plain best), candidates (a skipped one with "skipped": its
/// reason), "chosen" and "chosen_by_min" or "chosen_by_max" (null when
/// every candidate is skipped).
nlohmann::ordered_json selectionJson(const Selection &selection);

/// "chosen_by_min" or "chosen_by_max": the plain best's key in `selection`.
std::string chosenByKey(const nlohmann::ordered_json &selection);

/// The table printed after the runs: candidate, mean ± SE, trainable params
/// and the chosen / chosen_by_min (max) / skipped markers.
/// Made from selectionJson's object, so a resumed experiment prints the same.
std::string selectionTable(const nlohmann::ordered_json &selection);

} // namespace netc::rt

#endif // NETC_CROSSVALIDATION_H
