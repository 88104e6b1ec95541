//===- RunnerDetail.h - What Runner.cpp and Preflight.cpp share -*- C++ -*-===//
//
// The runner and its start-up checks must agree on which records a step
// reads and which files it writes or loads, so both use these.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNTIME_RUNNERDETAIL_H
#define NETC_RUNTIME_RUNNERDETAIL_H

#include "netc/Plan.h"
#include "netc/Results.h"
#include "netc/data/Dataset.h"

#include <chrono>
#include <string>
#include <vector>

namespace netc::rt::detail {

/// The split `name` ("train" or "test") of `data`. Throws RunError.
const Split &splitOf(const Dataset &data, const DatasetSpec &spec,
                     const std::string &name);

/// A split must fit the kernel's input and label shapes before any compiled
/// code touches it: a mismatch would otherwise read out of bounds. Throws
/// DataError.
void checkFits(const Split &split, const std::string &splitName,
               const DatasetSpec &spec, const NetworkSpec &net,
               const KernelSpec &kernel);

/// Labels must be what the kernel's loss reads: class indices, integers in
/// [0, outputs), for (sparse) categorical cross-entropy, and a data set's
/// classes must fit the outputs; targets in [0, 1] for binary
/// cross-entropy. The compiled loss indexes its outputs by the label, so a
/// bad one would read out of bounds. Throws DataError naming the record.
void checkLabels(const Dataset &data, const Split &split,
                 const DatasetSpec &spec, const NetworkSpec &net,
                 const KernelSpec &kernel);

/// The records a train step trains on and validates with: a
/// cross-validation fold's complement and fold, else all but the last
/// `validation_split` (the step's, else the data set's) and that fraction.
/// Throws DataError when the split cannot be cut so (too few records for
/// the folds, nothing left to train on).
void holdOut(const ExperimentSpec &experiment, const RunSpec &run,
             const StepSpec &step, const DatasetSpec &spec, const Split &split,
             std::vector<int64_t> &train, std::vector<int64_t> &validation);

/// Where `save ... to FILE` writes: a relative FILE lives under --out's
/// root (outRoot(), shared by all experiments), `outDir` here.
std::string savePath(const std::string &file, const std::string &outDir);

/// Where `load` looks for FILE, in order: under --out's root, under --data,
/// in the working directory (an absolute FILE only there).
std::vector<std::string> loadCandidates(const std::string &file,
                                        const std::string &outDir,
                                        const std::string &dataDir);

/// The first candidate that is a file, else where `save` would have put it.
std::string loadPath(const std::string &file, const std::string &outDir,
                     const std::string &dataDir);

bool isFile(const std::string &path);

/// Rewrites the results after a finished run, unless a rewrite has become
/// slow (over 50 ms) and the last one was so recent that rewriting again
/// would cost more than a tenth of the time since: the files grow with the
/// runs, so rewriting after every one of thousands of short runs (a
/// repeated selection) would take time quadratic in their number. Cheap
/// rewrites and slow runs (every run of a real study) are all written;
/// otherwise --resume redoes at most the short runs of the last moments.
/// The experiment's end always writes (selectAndWrite).
class ThrottledWriter {
public:
  void afterRun(const ExperimentRecord &record, const std::string &dir);
  /// Whether afterRun would write now (to skip assembling the record).
  bool due() const;

private:
  bool written = false;
  std::chrono::steady_clock::time_point lastEnd;
  std::chrono::steady_clock::duration lastCost{};
};

/// The end of an experiment whose runs all finished: the selection (with
/// `select`; `trainable`: each run's trainable parameters, in order), then
/// the results files in `outDir` (none when empty). Throws RunError.
void selectAndWrite(const ExperimentSpec &experiment, ExperimentRecord &record,
                    const std::vector<int64_t> &trainable,
                    const std::string &outDir);

} // namespace netc::rt::detail

#endif // NETC_RUNTIME_RUNNERDETAIL_H
