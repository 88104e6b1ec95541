//===- Aggregate.h - Results aggregated over seeds --------------*- C++ -*-===//
//
// When an experiment repeats its runs over seeds (`experiment e (seeds: 5)`),
// the runs that differ only in their seed form one configuration. Per
// configuration and reported number: n, mean, standard error, min and max
// (results.json "summary", summary.csv, the stdout table, report.html); and
// for a loop variable with exactly two values, the paired difference of the
// two arms with its 95% confidence interval ("comparisons").
// docs/language.md, "Seeds and repeated runs".
//
//===----------------------------------------------------------------------===//
#ifndef NETC_AGGREGATE_H
#define NETC_AGGREGATE_H

#include "netc/Results.h"
#include "netc/Statistics.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace netc::rt {

using NamedNumbers = std::vector<std::pair<std::string, double>>;

/// The numbers a run reports: its numeric report cells other than its loop
/// values (the test results), in order. NaN stands for a missing number.
NamedNumbers testNumbers(const RunRecord &run);

/// The final epoch's history values under their history keys: loss, the
/// metric, val_loss and val_ + metric (these with validation only).
NamedNumbers finalNumbers(const RunRecord &run);

/// testNumbers, then the finalNumbers whose names it lacks.
NamedNumbers reportedNumbers(const RunRecord &run);

/// The runs that differ only in their seed.
struct Configuration {
  nlohmann::json params; // typed loop values
  int64_t fold = -1;
  std::vector<size_t> runs; // indices into ExperimentRecord::runs
  std::vector<uint64_t> seeds;
  /// Per reported number, in first-seen order: its summary over the runs.
  std::vector<std::pair<std::string, stats::Summary>> values;
};

/// The configurations of `exp`, in the order of their first run.
std::vector<Configuration> configurations(const ExperimentRecord &exp);

/// Whether the runs of some configuration have different seeds.
bool repeatsOverSeeds(const ExperimentRecord &exp);

/// Per epoch (index 0: epoch 1) the summary over a configuration's runs of
/// the train (or, with `validation`, the validation) loss or metric.
std::vector<stats::Summary> meanCurve(const ExperimentRecord &exp,
                                      const Configuration &c, bool metric,
                                      bool validation);

/// The paired difference `first - second` of a loop variable's two values.
struct Comparison {
  std::string variable;
  nlohmann::json first, second;
  /// Per test number (final-epoch values when the runs report none).
  std::vector<std::pair<std::string, stats::PairedDifference>> values;
};

/// One comparison per loop variable with exactly two values, when the runs
/// repeat over seeds; runs pair by seed, fold and the other loop values.
std::vector<Comparison> pairedComparisons(const ExperimentRecord &exp);

/// results.json's "summary": [{"params", "fold"?, "seeds", "runs",
/// "values": {NAME: {"n", "mean", "std_error", "min", "max"}}}]; null when
/// no configuration repeats.
nlohmann::ordered_json summaryJson(const ExperimentRecord &exp);

/// results.json's "comparisons": [{"variable", "first", "second",
/// "difference", "values": {NAME: {"n", "mean", "std_error", "df",
/// "ci95": [low, high]}}}]; null when there is none.
nlohmann::ordered_json comparisonsJson(const ExperimentRecord &exp);

/// The aggregated table's rows, header first: the loop values, "runs",
/// then per reported number "NAME (mean ± SE)" and "[min, max]", rounded
/// to four decimals.
std::vector<std::vector<std::string>>
summaryRows(const std::vector<Configuration> &configs);

/// A comparison's title and rows: per number, pairs, mean difference,
/// standard error and 95% confidence interval.
std::string comparisonTitle(const Comparison &c);
std::vector<std::vector<std::string>> comparisonRows(const Comparison &c);

/// summary.csv: one row per configuration, NAME_n, NAME_mean,
/// NAME_std_error, NAME_min and NAME_max per reported number.
std::string summaryCsv(const ExperimentRecord &exp);

/// The aggregated table (mean ± SE and [min, max]) and the comparisons,
/// for stdout; empty when no configuration repeats.
std::string summaryText(const ExperimentRecord &exp);

/// Adds "summary" and "comparisons" to results.json's object when present.
void addSummaryJson(const ExperimentRecord &exp, nlohmann::ordered_json &out);

/// report.html's section: the aggregated table, the comparisons and the
/// learning curves as mean with a ±SE band; empty when nothing repeats.
std::string summaryHtml(const ExperimentRecord &exp);

} // namespace netc::rt

#endif // NETC_AGGREGATE_H
