//===- Results.h - results.json, results.csv, stdout table ------*- C++ -*-===//
//
// Spec §5. Everything but "seconds" is a pure function of the plan and the
// seed, so two runs with the same seed write identical metrics.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RESULTS_H
#define NETC_RESULTS_H

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace netc::rt {

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
  /// The further metrics (RunRecord::moreMetricNames), on the training
  /// records and, with validation, on the held-out ones.
  std::vector<double> more, valMore;
};

/// One `train` of a run: the network trained and its own history.
struct TrainRecord {
  std::string network;
  std::string metricName = "accuracy";
  std::vector<std::string> moreMetricNames;
  std::vector<EpochRecord> history;
  int64_t stoppedEpoch = 0, restoredEpoch = 0;
};

struct RunRecord {
  nlohmann::json params = nlohmann::json::object();
  uint64_t seed = 0;
  int64_t fold = -1;
  std::string metricName = "accuracy";
  /// `metrics: [a, b, ...]`: the names after the first, in order.
  std::vector<std::string> moreMetricNames;
  std::vector<EpochRecord> history;
  bool hasTest = false;
  double testLoss = 0, testMetric = 0;
  std::vector<double> testMore;
  /// The report's columns in order, evaluations already expanded into
  /// COLUMN_loss / COLUMN_METRIC.
  std::vector<std::pair<std::string, nlohmann::json>> cells;
  double seconds = 0;
  /// The MPI rank that trained the run (0 in a single process; netc/Ranks.h).
  int rank = 0;
  /// "ok", or "diverged": the training loss became NaN or Inf at step
  /// `divergedStep` (1-based, within the epoch) of epoch `divergedEpoch`
  /// (the validation loss: after the epoch's last step), and the run
  /// stopped there (its last history entry is that, partial, epoch).
  std::string status = "ok";
  int64_t divergedEpoch = 0, divergedStep = 0;
  /// Callbacks of the last train: the epoch early stopping stopped at, and
  /// the epoch whose weights restore_best_weights put back (1-based; 0:
  /// none).
  int64_t stoppedEpoch = 0, restoredEpoch = 0;
  /// Every `train` of the run, in order (`history` above is the last
  /// one's); results.json's "trains" when there are several.
  std::vector<TrainRecord> trains;
  bool diverged() const { return status == "diverged"; }
};

struct ExperimentRecord {
  std::string name;
  std::string target = "cpu";
  std::vector<RunRecord> runs;
  /// Shared runs (statements before a loop), in the order they ran:
  /// results.json's "shared_runs", with their trains' histories.
  std::vector<RunRecord> sharedRuns;
  /// results.json's "selection" (spec §5); null without `select`.
  nlohmann::ordered_json selection;
  /// results.json's "selection_stability": how often each rule picks each
  /// candidate when the selection repeats over outer loop values (data
  /// draws); null otherwise (netc/Stability.h).
  nlohmann::ordered_json selectionStability;
};

/// A kernel's metric names after the first (KernelSpec::metrics).
std::vector<std::string> moreMetricNames(const std::vector<std::string> &all);

/// The plan gives loop values as text ("3", "0.1", "zeros"); results show
/// numbers as numbers, as spec §5's {"degree": 1}.
nlohmann::json typedParams(const nlohmann::json &params);

/// "degree=3, fold=2": a run's loop values for tables and plots.
std::string runLabel(const RunRecord &run);

/// "ok" or "diverged at epoch 2, step 17".
std::string statusText(const RunRecord &run);

/// Empty when no run diverged, else e.g. "2 of 6 runs of experiment sweep
/// diverged (lr=1e6; lr=1000): ...", for the warning after the table.
std::string divergenceSummary(const ExperimentRecord &exp);

/// The results table as rows of text, header first (results.csv, stdout,
/// report.html). `forTerminal` rounds numbers to four decimals. When a run
/// diverged, a "status" column (statusText) comes before "seconds".
std::vector<std::vector<std::string>> resultsRows(const ExperimentRecord &exp,
                                                  bool forTerminal);

nlohmann::ordered_json resultsJson(const ExperimentRecord &exp);
/// One run as results.json's "runs" hold it (what ranks send rank 0;
/// runRecordFromJson in netc/Resume.h reads it back).
nlohmann::ordered_json runRecordJson(const RunRecord &run);
/// Header: the union of the runs' cell columns (first-seen order), then
/// "seconds" and "rank".
std::string resultsCsv(const ExperimentRecord &exp);
/// The same table, aligned for the terminal.
std::string resultsTable(const ExperimentRecord &exp);
/// Rows (header first) as aligned columns with a rule under the header.
std::string alignedTable(const std::vector<std::vector<std::string>> &rows);

/// Writes `content` to `path` via a temporary file of this process
/// (PATH.tmp.HOST.PID) + fsync + rename, so a reader never sees a
/// half-written file, and ranks writing the same file at once (a shared
/// run's `save`) each put a whole one in place. Throws std::runtime_error
/// naming the file.
void writeFileAtomically(const std::string &path, const std::string &content);

/// The files writeResults writes, made from the one record, in the order
/// they are put in place: report.html, results.csv, then results.json (which
/// --resume trusts) last.
std::vector<std::pair<std::string, std::string>>
resultsFiles(const ExperimentRecord &exp);

/// Writes `files` (name, content) into `dir`: first every NAME.tmp, each
/// synced, then each renamed over NAME in order, then the directory synced.
/// An interruption while writing, the slow part, leaves every old file in
/// place; only one between two renames (microseconds apart) can leave the
/// later files one update behind. `beforeRename` (tests) runs before each
/// rename with the file's name; what it throws propagates. Throws
/// std::runtime_error naming the file.
void writeFilesTogether(
    const std::string &dir,
    const std::vector<std::pair<std::string, std::string>> &files,
    const std::function<void(const std::string &)> &beforeRename = nullptr);

/// Creates `dir` if needed and writes results.json, results.csv and
/// report.html into it together (writeFilesTogether), so that they describe
/// the same runs in the same order.
void writeResults(const ExperimentRecord &exp, const std::string &dir);

} // namespace netc::rt

#endif // NETC_RESULTS_H
