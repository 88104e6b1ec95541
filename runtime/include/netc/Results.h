//===- Results.h - results.json, results.csv and the stdout table -*- C++ -*-//
//
// Spec §5. Everything but "seconds" is a pure function of the plan and the
// seed, so two runs with the same seed write identical metrics.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RESULTS_H
#define NETC_RESULTS_H

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace netc {

struct EpochRecord {
  int64_t epoch = 0;
  double loss = 0, metric = 0;
  /// With a validation split or a cross-validation fold: the eval
  /// function's loss and metric on the held-out records after the epoch.
  bool hasVal = false;
  double valLoss = 0, valMetric = 0;
  /// With a learning-rate schedule: the rate of the epoch's last step.
  bool hasLearningRate = false;
  double learningRate = 0;
};

struct RunRecord {
  nlohmann::json params = nlohmann::json::object();
  uint64_t seed = 0;
  int64_t fold = -1;
  std::string metricName = "accuracy";
  std::vector<EpochRecord> history;
  bool hasTest = false;
  double testLoss = 0, testMetric = 0;
  /// The report's columns in order, evaluations already expanded into
  /// COLUMN_loss / COLUMN_METRIC.
  std::vector<std::pair<std::string, nlohmann::json>> cells;
  double seconds = 0;
};

struct ExperimentRecord {
  std::string name;
  std::string target = "cpu";
  std::vector<RunRecord> runs;
  /// results.json's "selection" (spec §5); null without `select`.
  nlohmann::ordered_json selection;
};

/// The plan gives loop values as text ("3", "0.1", "zeros"); results show
/// numbers as numbers, as spec §5's {"degree": 1}.
nlohmann::json typedParams(const nlohmann::json &params);

/// "degree=3, fold=2": a run's loop values for tables and plots.
std::string runLabel(const RunRecord &run);

/// The results table as rows of text, header first (results.csv, stdout,
/// report.html). `forTerminal` rounds numbers to four decimals.
std::vector<std::vector<std::string>> resultsRows(const ExperimentRecord &exp,
                                                  bool forTerminal);

nlohmann::ordered_json resultsJson(const ExperimentRecord &exp);
/// Header: the union of the runs' cell columns (first-seen order), then
/// "seconds".
std::string resultsCsv(const ExperimentRecord &exp);
/// The same table, aligned for the terminal.
std::string resultsTable(const ExperimentRecord &exp);

/// Writes `content` to `path` via PATH.tmp + fsync + rename, so a reader never
/// sees a half-written file. Throws std::runtime_error naming the file.
void writeFileAtomically(const std::string &path, const std::string &content);

/// Creates `dir` if needed and writes results.json, results.csv and
/// report.html into it (each atomically).
void writeResults(const ExperimentRecord &exp, const std::string &dir);

} // namespace netc

#endif // NETC_RESULTS_H
