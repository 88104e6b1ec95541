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

namespace netc {

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
  std::vector<double> values; // the metric of each fold's run
  double mean = 0, stdError = 0;
  int64_t trainableParams = 0;
};

struct Selection {
  std::string metric, mode, rule;    // mode: min|max; rule: min|one_std_error
  std::vector<Candidate> candidates; // in order of first appearance
  size_t chosen = 0, chosenByMin = 0;
};

/// A run's value of `metric` at its final epoch: "loss", "val_loss", the
/// kernel's metric ("accuracy", "mse") or "val_" + it. Throws
/// std::runtime_error when the history lacks it.
double finalMetric(const RunRecord &run, const std::string &metric);

/// Selects among the fold runs (fold >= 0) of `runs` per the plan's
/// `select` object. `trainableParams[i]` belongs to runs[i]. Throws
/// std::runtime_error on an unknown rule or mode or a missing metric.
Selection selectModel(const nlohmann::json &select,
                      const std::vector<RunRecord> &runs,
                      const std::vector<int64_t> &trainableParams);

/// results.json's "selection" (spec §5).
nlohmann::ordered_json selectionJson(const Selection &selection);

/// The table printed after the runs: candidate, mean ± SE, trainable params
/// and the chosen / chosen_by_min markers.
/// Made from selectionJson's object, so a resumed experiment prints the same.
std::string selectionTable(const nlohmann::ordered_json &selection);

} // namespace netc

#endif // NETC_CROSSVALIDATION_H
